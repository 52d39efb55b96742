//! A TCP client for the echo server: sends lines and prints the echoes.
//!
//! ```text
//! cargo run --example tcp_echo_server --features os-poll,net &
//! echo "hello" | cargo run --example tcp_client --features os-poll,net
//! cargo run --example tcp_client --features os-poll,net -- --message "hi there"
//! ```
//!
//! The server address is the first argument, or `METAL_IO_ADDR`, or
//! 127.0.0.1:9000. Lines come from standard input, or `--message TEXT`
//! sends that one line. Once everything is sent the client shuts down its
//! writing half and prints echoes until the server closes the connection.
//!
//! Standard input is read on a thread of its own, which hands lines to the
//! event loop through a channel and wakes it with a `Waker`.

use std::io::{self, BufRead, Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::process::ExitCode;
use std::sync::mpsc::{self, TryRecvError};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use metal_io::net::TcpStream;
use metal_io::{Events, Interest, Poll, Token, Waker};

const STREAM: Token = Token(0);
const INPUT: Token = Token(1);

/// How long the connection may take to be established.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

fn main() -> ExitCode {
    let (addr, message) = match parse_options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("error: {message}");
            eprintln!("usage: tcp_client [ADDR] [--message TEXT]");
            return ExitCode::from(2);
        }
    };
    match run(addr, message) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn parse_options() -> Result<(SocketAddr, Option<String>), String> {
    let mut addr = std::env::var("METAL_IO_ADDR").ok();
    let mut message = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--message" {
            message = Some(args.next().ok_or("--message needs a text")?);
        } else {
            addr = Some(arg);
        }
    }

    let addr = addr.unwrap_or_else(|| "127.0.0.1:9000".to_string());
    let addr = addr
        .parse()
        .map_err(|_| format!("not a socket address: {addr}"))?;
    Ok((addr, message))
}

fn run(addr: SocketAddr, message: Option<String>) -> io::Result<()> {
    let mut poll = Poll::new()?;
    let mut events = Events::with_capacity(16);

    let mut stream = TcpStream::connect(addr)?;
    poll.registry()
        .register(&mut stream, STREAM, Interest::READABLE | Interest::WRITABLE)?;
    wait_connected(&mut poll, &mut events, &stream)?;
    println!("connected to {addr}");

    // Lines to send arrive on a channel; the sender wakes the loop.
    let waker = Arc::new(Waker::new(poll.registry(), INPUT)?);
    let (lines, input) = mpsc::channel::<Vec<u8>>();
    match message {
        Some(text) => {
            lines.send(format!("{text}\n").into_bytes()).ok();
            drop(lines);
        }
        None => {
            let waker = Arc::clone(&waker);
            thread::spawn(move || read_stdin(lines, waker));
        }
    }

    let mut outgoing = Vec::new();
    let mut input_done = false;
    let mut write_shut = false;
    let mut echoed = Vec::new();
    loop {
        // Take whatever input has arrived.
        while !input_done {
            match input.try_recv() {
                Ok(line) => outgoing.extend_from_slice(&line),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => input_done = true,
            }
        }

        flush(&mut stream, &mut outgoing)?;
        if input_done && outgoing.is_empty() && !write_shut {
            stream.shutdown(Shutdown::Write)?;
            write_shut = true;
        }

        if receive(&mut stream, &mut echoed)? {
            if !write_shut {
                return Err(io::Error::other("server closed the connection early"));
            }
            println!("server closed the connection");
            return Ok(());
        }

        match poll.poll(&mut events, None) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Waits for the outcome of the connect: a writable event, after which
/// either an error is pending or the stream has a peer.
fn wait_connected(poll: &mut Poll, events: &mut Events, stream: &TcpStream) -> io::Result<()> {
    loop {
        poll.poll(events, Some(CONNECT_TIMEOUT))?;
        if events.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "connection not established in time",
            ));
        }
        if let Some(e) = stream.take_error()? {
            return Err(e);
        }
        match stream.peer_addr() {
            Ok(_) => return Ok(()),
            // Not connected yet: the event was spurious.
            Err(e) if e.kind() == io::ErrorKind::NotConnected => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Writes `outgoing` until it is empty or the socket would block.
fn flush(stream: &mut TcpStream, outgoing: &mut Vec<u8>) -> io::Result<()> {
    while !outgoing.is_empty() {
        match stream.write(outgoing) {
            Ok(n) => {
                outgoing.drain(..n);
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Reads until the socket would block, printing every complete echoed
/// line. Returns `true` at end of stream.
fn receive(stream: &mut TcpStream, echoed: &mut Vec<u8>) -> io::Result<bool> {
    let mut buf = [0; 4096];
    let eof = loop {
        match stream.read(&mut buf) {
            Ok(0) => break true,
            Ok(n) => echoed.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break false,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    };

    while let Some(end) = echoed.iter().position(|&b| b == b'\n') {
        let line: Vec<u8> = echoed.drain(..=end).collect();
        println!("echo: {}", String::from_utf8_lossy(&line).trim_end());
    }
    if eof && !echoed.is_empty() {
        println!("echo: {}", String::from_utf8_lossy(echoed));
        echoed.clear();
    }
    Ok(eof)
}

/// Sends each line of standard input to the event loop, waking it.
fn read_stdin(lines: mpsc::Sender<Vec<u8>>, waker: Arc<Waker>) {
    for line in io::stdin().lock().split(b'\n') {
        let Ok(mut line) = line else { break };
        line.push(b'\n');
        if lines.send(line).is_err() || waker.wake().is_err() {
            return;
        }
    }
    // Dropping the sender tells the loop that input has ended.
    drop(lines);
    let _ = waker.wake();
}
