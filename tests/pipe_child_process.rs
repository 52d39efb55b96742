//! Pipes taken over from child processes.
//!
//! These tests live apart from `pipe.rs` because a child that exits can
//! interrupt a wait on any thread of the test process (the wait then fails
//! with `Interrupted`, as `Poll::poll` documents), which would disturb
//! unrelated tests running alongside.

#![cfg(all(unix, feature = "os-ext"))]

mod util;

use std::io::{self, Read, Write};
use std::process::{Command, Stdio};
use std::time::Instant;

use metal_io::unix::pipe::{Receiver, Sender};
use metal_io::{Interest, Token};

use util::{assert_blocking, assert_nonblocking, init_with_poll, EVENT_TIMEOUT};

const RECEIVER: Token = Token(1);

#[test]
fn child_stdin_and_stdout_convert_and_keep_their_mode() {
    let (mut poll, mut events) = init_with_poll();
    let mut child = Command::new("cat")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("unable to run cat");

    // std creates these blocking, and the conversion leaves them so.
    let mut sender = Sender::from(child.stdin.take().unwrap());
    let mut receiver = Receiver::from(child.stdout.take().unwrap());
    assert_blocking(&sender);
    assert_blocking(&receiver);
    sender.set_nonblocking(true).unwrap();
    receiver.set_nonblocking(true).unwrap();
    assert_nonblocking(&sender);
    assert_nonblocking(&receiver);

    poll.registry()
        .register(&mut receiver, RECEIVER, Interest::READABLE)
        .unwrap();
    sender.write_all(b"echo").unwrap();
    drop(sender);

    // `cat` echoes and exits once its input is closed.
    let deadline = Instant::now() + EVENT_TIMEOUT;
    let mut output = Vec::new();
    let mut buf = [0; 64];
    loop {
        assert!(Instant::now() < deadline, "cat did not finish in time");
        match receiver.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => output.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                match poll.poll(&mut events, Some(EVENT_TIMEOUT)) {
                    Ok(()) => {}
                    // The child's exit may interrupt the wait.
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => panic!("poll failed: {e}"),
                }
            }
            Err(e) => panic!("read failed: {e}"),
        }
    }
    assert_eq!(output, b"echo");
    assert!(child.wait().unwrap().success());
}

#[test]
fn child_stderr_converts_to_receiver() {
    let mut child = Command::new("sh")
        .args(["-c", "printf oops >&2"])
        .stderr(Stdio::piped())
        .spawn()
        .expect("unable to run sh");
    let mut receiver = Receiver::from(child.stderr.take().unwrap());
    assert_blocking(&receiver);

    // Blocking, so this reads until the child exits.
    let mut output = String::new();
    receiver.read_to_string(&mut output).unwrap();
    assert_eq!(output, "oops");
    assert!(child.wait().unwrap().success());
}
