//! An ordinary tokio program: TCP and UDP echo, Unix sockets, a pipe to a
//! child process and a signal. Built with `[patch.crates-io]` pointing mio
//! at metal-io's facade, it proves that tokio runs on metal-io unchanged.
//!
//! Every step runs under a timeout and checks its results; the program
//! exits with an error on the first failure.

use std::error::Error;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket, UnixDatagram, UnixListener, UnixStream};
use tokio::process::Command;
use tokio::time::timeout;

type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

const STEP_TIMEOUT: Duration = Duration::from_secs(30);
const CLIENTS: usize = 64;
const MESSAGES: usize = 50;

fn main() -> Result<()> {
    let multi = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    multi.block_on(run_all("multi-thread"))?;

    let current = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    current.block_on(run_all("current-thread"))?;

    println!("tokio-check: all checks passed");
    Ok(())
}

async fn run_all(runtime: &str) -> Result<()> {
    step(runtime, "tcp echo", tcp_echo()).await?;
    step(runtime, "udp echo", udp_echo()).await?;
    step(runtime, "unix stream echo", unix_stream_echo()).await?;
    step(runtime, "unix datagram", unix_datagram()).await?;
    step(runtime, "pipe to child process", child_pipe()).await?;
    step(runtime, "signal", signal()).await?;
    step(runtime, "timer", timer()).await?;
    Ok(())
}

async fn step<F>(runtime: &str, name: &str, check: F) -> Result<()>
where
    F: std::future::Future<Output = Result<()>>,
{
    match timeout(STEP_TIMEOUT, check).await {
        Ok(Ok(())) => {
            println!("ok   {runtime}: {name}");
            Ok(())
        }
        Ok(Err(e)) => Err(format!("{runtime}: {name} failed: {e}").into()),
        Err(_) => Err(format!("{runtime}: {name} timed out").into()),
    }
}

/// Many clients, each sending distinct messages that must come back intact.
async fn tcp_echo() -> Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move {
        for _ in 0..CLIENTS {
            let (mut stream, _) = listener.accept().await?;
            tokio::spawn(async move {
                let (mut r, mut w) = stream.split();
                tokio::io::copy(&mut r, &mut w).await
            });
        }
        Ok::<_, std::io::Error>(())
    });

    let mut clients = Vec::new();
    for id in 0..CLIENTS {
        clients.push(tokio::spawn(async move {
            let mut stream = TcpStream::connect(addr).await?;
            stream.set_nodelay(true)?;
            for n in 0..MESSAGES {
                let message = format!("client {id:04} message {n:04} ").repeat(8);
                stream.write_all(message.as_bytes()).await?;
                let mut back = vec![0; message.len()];
                stream.read_exact(&mut back).await?;
                if back != message.as_bytes() {
                    return Err::<(), Box<dyn Error + Send + Sync>>("echo mismatch".into());
                }
            }
            Ok(())
        }));
    }
    for client in clients {
        client.await??;
    }
    server.await??;
    Ok(())
}

async fn udp_echo() -> Result<()> {
    let server = UdpSocket::bind("127.0.0.1:0").await?;
    let client = UdpSocket::bind("127.0.0.1:0").await?;
    client.connect(server.local_addr()?).await?;

    let echo = tokio::spawn(async move {
        let mut buf = [0; 1500];
        for _ in 0..MESSAGES {
            let (n, from) = server.recv_from(&mut buf).await?;
            server.send_to(&buf[..n], from).await?;
        }
        Ok::<_, std::io::Error>(())
    });

    let mut buf = [0; 1500];
    for n in 0..MESSAGES {
        let message = format!("datagram {n}");
        client.send(message.as_bytes()).await?;
        let len = client.recv(&mut buf).await?;
        if &buf[..len] != message.as_bytes() {
            return Err("udp echo mismatch".into());
        }
    }
    echo.await??;
    Ok(())
}

async fn unix_stream_echo() -> Result<()> {
    let dir = std::env::temp_dir().join(format!("tokio-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("echo.sock");
    let _ = std::fs::remove_file(&path);

    let listener = UnixListener::bind(&path)?;
    let server = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await?;
        let (mut r, mut w) = stream.split();
        tokio::io::copy(&mut r, &mut w).await
    });

    let mut stream = UnixStream::connect(&path).await?;
    let payload: Vec<u8> = (0..256 * 1024).map(|i| (i % 251) as u8).collect();
    let (mut r, mut w) = stream.split();
    let writer = async {
        w.write_all(&payload).await?;
        w.shutdown().await
    };
    let mut back = Vec::new();
    let reader = r.read_to_end(&mut back);
    let (written, read) = tokio::join!(writer, reader);
    written?;
    read?;
    if back != payload {
        return Err("unix stream echo mismatch".into());
    }
    server.await??;

    let (mut a, mut b) = UnixStream::pair()?;
    a.write_all(b"pair").await?;
    let mut buf = [0; 4];
    b.read_exact(&mut buf).await?;
    if &buf != b"pair" {
        return Err("unix pair mismatch".into());
    }

    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

async fn unix_datagram() -> Result<()> {
    let (a, b) = UnixDatagram::pair()?;
    for n in 0..MESSAGES {
        let message = format!("unix datagram {n}");
        a.send(message.as_bytes()).await?;
        let mut buf = [0; 64];
        let len = b.recv(&mut buf).await?;
        if &buf[..len] != message.as_bytes() {
            return Err("unix datagram mismatch".into());
        }
    }
    Ok(())
}

/// Data written to `cat`'s stdin must come back on its stdout.
async fn child_pipe() -> Result<()> {
    let mut child = Command::new("cat")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let mut stdout = child.stdout.take().ok_or("no stdout")?;

    let payload: Vec<u8> = (0..512 * 1024).map(|i| (i % 253) as u8).collect();
    let expected = payload.clone();
    let writer = tokio::spawn(async move {
        stdin.write_all(&payload).await?;
        drop(stdin);
        Ok::<_, std::io::Error>(())
    });
    let mut back = Vec::new();
    stdout.read_to_end(&mut back).await?;
    writer.await??;

    let status = child.wait().await?;
    if !status.success() || back != expected {
        return Err("child pipe mismatch".into());
    }
    Ok(())
}

/// A signal sent to this process must reach tokio's signal stream (tokio
/// forwards signals through a Unix socket pair registered with mio).
async fn signal() -> Result<()> {
    use tokio::signal::unix::{signal, SignalKind};

    let mut stream = signal(SignalKind::user_defined1())?;
    let status = std::process::Command::new("kill")
        .args(["-USR1", &std::process::id().to_string()])
        .status()?;
    if !status.success() {
        return Err("kill failed".into());
    }
    stream.recv().await.ok_or("signal stream closed")?;
    Ok(())
}

async fn timer() -> Result<()> {
    let start = tokio::time::Instant::now();
    tokio::time::sleep(Duration::from_millis(20)).await;
    if start.elapsed() < Duration::from_millis(20) {
        return Err("timer fired early".into());
    }
    Ok(())
}
