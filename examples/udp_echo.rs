//! A UDP echo server and its client on one `Poll`, talking over loopback.
//!
//! ```text
//! cargo run --example udp_echo --features os-poll,net
//! ```
//!
//! The server socket sends every datagram back to whoever sent it
//! (`recv_from` and `send_to`). The client socket is connected to the
//! server, so it uses plain `send` and `recv`. The client sends a few
//! datagrams, checks that each comes back unchanged, and the program exits;
//! it fails if an echo is wrong or does not arrive within five seconds.

use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use metal_io::net::UdpSocket;
use metal_io::{Events, Interest, Poll, Token};

const SERVER: Token = Token(0);
const CLIENT: Token = Token(1);

/// How long the whole exchange may take.
const TIMEOUT: Duration = Duration::from_secs(5);

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> io::Result<()> {
    let mut poll = Poll::new()?;
    let mut events = Events::with_capacity(16);

    let loopback: SocketAddr = "127.0.0.1:0".parse().expect("a valid address");
    let mut server = UdpSocket::bind(loopback)?;
    let mut client = UdpSocket::bind(loopback)?;
    client.connect(server.local_addr()?)?;
    println!(
        "server on {}, client on {}",
        server.local_addr()?,
        client.local_addr()?
    );

    // Writable interest too: a send that would block resumes on the next
    // writable event.
    let interests = Interest::READABLE | Interest::WRITABLE;
    poll.registry().register(&mut server, SERVER, interests)?;
    poll.registry().register(&mut client, CLIENT, interests)?;

    let messages: Vec<Vec<u8>> = (1..=5)
        .map(|i| format!("datagram {i} of 5").into_bytes())
        .collect();
    // Datagrams the client still has to send, and echoes the server still
    // has to send back (those a full send buffer held up).
    let mut to_send: VecDeque<&[u8]> = messages.iter().map(Vec::as_slice).collect();
    let mut to_echo: VecDeque<(Vec<u8>, SocketAddr)> = VecDeque::new();
    let mut received = 0;

    let deadline = Instant::now() + TIMEOUT;
    while received < messages.len() {
        send_pending(&client, &mut to_send)?;
        serve(&server, &mut to_echo)?;
        received += check_echoes(&client, &messages[received..])?;
        if received == messages.len() {
            break;
        }

        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("only {received} of {} echoes arrived", messages.len()),
            ));
        }
        match poll.poll(&mut events, Some(left)) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }

    println!("all {received} echoes arrived intact");
    Ok(())
}

/// Sends the client's datagrams until done or the socket would block.
fn send_pending(client: &UdpSocket, to_send: &mut VecDeque<&[u8]>) -> io::Result<()> {
    while let Some(datagram) = to_send.front() {
        match client.send(datagram) {
            Ok(_) => {
                to_send.pop_front();
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Receives every waiting datagram on the server and echoes it back.
fn serve(server: &UdpSocket, to_echo: &mut VecDeque<(Vec<u8>, SocketAddr)>) -> io::Result<()> {
    let mut buf = [0; 65_507];
    loop {
        match server.recv_from(&mut buf) {
            Ok((n, from)) => to_echo.push_back((buf[..n].to_vec(), from)),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }

    while let Some((datagram, to)) = to_echo.front() {
        match server.send_to(datagram, *to) {
            Ok(_) => {
                to_echo.pop_front();
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Receives the echoes waiting on the client, checking them in order
/// against `expected`. Returns how many arrived.
fn check_echoes(client: &UdpSocket, expected: &[Vec<u8>]) -> io::Result<usize> {
    let mut buf = [0; 65_507];
    let mut count = 0;
    loop {
        match client.recv(&mut buf) {
            Ok(n) => {
                let Some(want) = expected.get(count) else {
                    return Err(io::Error::other("an unexpected extra echo arrived"));
                };
                if &buf[..n] != want.as_slice() {
                    return Err(io::Error::other(format!(
                        "echo {count} differs: got {:?}",
                        String::from_utf8_lossy(&buf[..n])
                    )));
                }
                println!("echoed: {}", String::from_utf8_lossy(&buf[..n]));
                count += 1;
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(count),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}
