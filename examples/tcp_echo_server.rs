//! A TCP echo server for many clients on one `Poll`.
//!
//! Run it, then talk to it from another terminal:
//!
//! ```text
//! cargo run --example tcp_echo_server --features os-poll,net
//! nc 127.0.0.1 9000
//! ```
//!
//! Everything a client sends comes back to it. The address is the first
//! argument, or `METAL_IO_ADDR`, or 127.0.0.1:9000. With `--exit-after N`
//! the server exits once N connections have closed, which lets a script run
//! it to completion:
//!
//! ```text
//! cargo run --example tcp_echo_server --features os-poll,net -- 127.0.0.1:0 --exit-after 1
//! ```
//!
//! The pieces worth copying: every event is handled by reading and writing
//! until `WouldBlock` (readiness is edge-triggered), a write that does not
//! finish keeps its bytes and asks for writable events, a client that does
//! not read its echoes stops being read from (so memory stays bounded), and
//! `Interrupted` is retried.

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::process::ExitCode;

use metal_io::net::{TcpListener, TcpStream};
use metal_io::{Events, Interest, Poll, Registry, Token};

/// The listener's token; connection `i` of the slab gets `Token(i + 1)`.
const LISTENER: Token = Token(0);

/// Echo bytes a connection may hold before it stops reading.
const MAX_PENDING: usize = 64 * 1024;

/// One client connection.
struct Connection {
    stream: TcpStream,
    peer: SocketAddr,
    /// Bytes read but not yet echoed back.
    pending: Vec<u8>,
    /// The client has finished sending.
    read_closed: bool,
    /// Whether writable events are currently asked for.
    wants_writable: bool,
}

/// The command line: where to listen, and when to stop.
struct Options {
    addr: SocketAddr,
    exit_after: Option<usize>,
}

fn main() -> ExitCode {
    let options = match parse_options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("error: {message}");
            eprintln!("usage: tcp_echo_server [ADDR] [--exit-after N]");
            return ExitCode::from(2);
        }
    };
    match serve(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn parse_options() -> Result<Options, String> {
    let mut addr = std::env::var("METAL_IO_ADDR").ok();
    let mut exit_after = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--exit-after" {
            let n = args.next().ok_or("--exit-after needs a number")?;
            let n = n.parse().map_err(|_| format!("not a number: {n}"))?;
            exit_after = Some(n);
        } else {
            addr = Some(arg);
        }
    }

    let addr = addr.unwrap_or_else(|| "127.0.0.1:9000".to_string());
    let addr = addr
        .parse()
        .map_err(|_| format!("not a socket address: {addr}"))?;
    Ok(Options { addr, exit_after })
}

fn serve(options: &Options) -> io::Result<()> {
    let mut poll = Poll::new()?;
    let mut events = Events::with_capacity(256);

    let mut listener = TcpListener::bind(options.addr)?;
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)?;
    let addr = listener.local_addr()?;
    println!("echo server listening on {addr}");
    println!("try: nc {} {}", addr.ip(), addr.port());

    // Connections live in a slab: a slot per token, free slots reused.
    let mut slab: Vec<Option<Connection>> = Vec::new();
    let mut free: Vec<usize> = Vec::new();
    let mut closed = 0;

    loop {
        match poll.poll(&mut events, None) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }

        for event in events.iter() {
            if event.token() == LISTENER {
                accept_all(poll.registry(), &listener, &mut slab, &mut free)?;
                continue;
            }

            let slot = event.token().0 - 1;
            let Some(conn) = slab.get_mut(slot).and_then(Option::as_mut) else {
                // The connection closed while this event was queued.
                continue;
            };
            match handle(poll.registry(), event.token(), conn) {
                Ok(true) => {}
                Ok(false) => {
                    println!("closed {}", conn.peer);
                    close(poll.registry(), &mut slab, &mut free, slot)?;
                    closed += 1;
                }
                Err(e) => {
                    println!("closed {} after an error: {e}", conn.peer);
                    close(poll.registry(), &mut slab, &mut free, slot)?;
                    closed += 1;
                }
            }
        }

        if options.exit_after.is_some_and(|n| closed >= n) {
            println!("{closed} connections closed, exiting");
            return Ok(());
        }
    }
}

/// Accepts every waiting connection and registers it for reading.
fn accept_all(
    registry: &Registry,
    listener: &TcpListener,
    slab: &mut Vec<Option<Connection>>,
    free: &mut Vec<usize>,
) -> io::Result<()> {
    loop {
        let (mut stream, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            // A connection reset before we got to it: skip it.
            Err(e) if e.kind() == io::ErrorKind::ConnectionAborted => continue,
            Err(e) => return Err(e),
        };

        let slot = free.pop().unwrap_or_else(|| {
            slab.push(None);
            slab.len() - 1
        });
        registry.register(&mut stream, Token(slot + 1), Interest::READABLE)?;
        println!("accepted {peer}");
        slab[slot] = Some(Connection {
            stream,
            peer,
            pending: Vec::new(),
            read_closed: false,
            wants_writable: false,
        });
    }
}

/// Moves bytes from the socket back into it until it would block. Returns
/// `Ok(false)` once the client has finished and everything is echoed.
fn handle(registry: &Registry, token: Token, conn: &mut Connection) -> io::Result<bool> {
    loop {
        let room_left = read_some(conn)?;
        write_some(conn)?;

        if conn.read_closed && conn.pending.is_empty() {
            return Ok(false);
        }
        // Reading stopped only because the buffer was full, and writing
        // has made room: read again, since no new event would say so.
        let drained = conn.pending.len() < MAX_PENDING;
        if room_left || !drained {
            break;
        }
    }

    // Ask for writable events only while echo bytes wait to be sent.
    let wants_writable = !conn.pending.is_empty();
    if wants_writable != conn.wants_writable {
        let interests = if wants_writable {
            Interest::READABLE | Interest::WRITABLE
        } else {
            Interest::READABLE
        };
        registry.reregister(&mut conn.stream, token, interests)?;
        conn.wants_writable = wants_writable;
    }
    Ok(true)
}

/// Reads until `WouldBlock`, end of stream, or a full buffer. Returns
/// `false` only when it stopped because the buffer was full.
fn read_some(conn: &mut Connection) -> io::Result<bool> {
    let mut buf = [0; 4096];
    while !conn.read_closed {
        if conn.pending.len() >= MAX_PENDING {
            return Ok(false);
        }
        match conn.stream.read(&mut buf) {
            Ok(0) => conn.read_closed = true,
            Ok(n) => conn.pending.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

/// Writes pending bytes until they are all sent or the socket would block.
fn write_some(conn: &mut Connection) -> io::Result<()> {
    let mut written = 0;
    let result = loop {
        if written == conn.pending.len() {
            break Ok(());
        }
        match conn.stream.write(&conn.pending[written..]) {
            Ok(0) => break Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => written += n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break Ok(()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => break Err(e),
        }
    };
    conn.pending.drain(..written);
    result
}

/// Deregisters and drops a connection, freeing its slot.
fn close(
    registry: &Registry,
    slab: &mut [Option<Connection>],
    free: &mut Vec<usize>,
    slot: usize,
) -> io::Result<()> {
    if let Some(mut conn) = slab[slot].take() {
        registry.deregister(&mut conn.stream)?;
        free.push(slot);
    }
    Ok(())
}
