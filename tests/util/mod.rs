//! Helpers shared by the integration tests.
//!
//! Every wait here is bounded, and the event helpers tolerate the spurious
//! events the readiness contract allows.

#![allow(dead_code, unreachable_pub)]

use std::io;
use std::net::SocketAddr;
use std::sync::Once;
use std::time::{Duration, Instant};

use metal_io::event::Event;
use metal_io::{Events, Interest, Poll, Token};

/// How long a test waits for an event that must come.
pub const EVENT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a test waits to be sure an event does not come.
pub const NO_EVENT_TIMEOUT: Duration = Duration::from_millis(50);

/// Sets up logging once per test binary, so `RUST_LOG` works in tests.
pub fn init() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        struct Stderr;
        impl log::Log for Stderr {
            fn enabled(&self, _: &log::Metadata<'_>) -> bool {
                true
            }
            fn log(&self, record: &log::Record<'_>) {
                eprintln!("{} {}: {}", record.level(), record.target(), record.args());
            }
            fn flush(&self) {}
        }
        static LOGGER: Stderr = Stderr;
        let on = std::env::var_os("RUST_LOG").is_some();
        if on && log::set_logger(&LOGGER).is_ok() {
            log::set_max_level(log::LevelFilter::Trace);
        }
    });
}

/// Returns a new `Poll` and an `Events` buffer with room for 16 events.
pub fn init_with_poll() -> (Poll, Events) {
    init();
    let poll = Poll::new().expect("unable to create poll");
    (poll, Events::with_capacity(16))
}

/// An event a test waits for: a token and the readiness it must show.
#[derive(Debug, Clone, Copy)]
pub struct ExpectEvent {
    token: Token,
    readiness: Readiness,
}

/// Readiness an expected event must include.
#[derive(Debug, Clone, Copy)]
pub enum Readiness {
    Readable,
    Writable,
    ReadWrite,
    ReadClosed,
    WriteClosed,
    Error,
}

impl ExpectEvent {
    pub fn new(token: Token, readiness: impl Into<Readiness>) -> ExpectEvent {
        ExpectEvent {
            token,
            readiness: readiness.into(),
        }
    }

    fn matches(&self, event: &Event) -> bool {
        event.token() == self.token
            && match self.readiness {
                Readiness::Readable => event.is_readable(),
                Readiness::Writable => event.is_writable(),
                Readiness::ReadWrite => event.is_readable() && event.is_writable(),
                Readiness::ReadClosed => event.is_read_closed(),
                Readiness::WriteClosed => event.is_write_closed(),
                Readiness::Error => event.is_error(),
            }
    }
}

impl From<Interest> for Readiness {
    fn from(interest: Interest) -> Readiness {
        match (interest.is_readable(), interest.is_writable()) {
            (true, true) => Readiness::ReadWrite,
            (true, false) => Readiness::Readable,
            (false, true) => Readiness::Writable,
            _ => panic!("unsupported interest for an expected event: {interest:?}"),
        }
    }
}

/// Polls until every expected event has been seen, ignoring others.
///
/// Panics after [`EVENT_TIMEOUT`] with the events still missing.
#[track_caller]
pub fn expect_events(poll: &mut Poll, events: &mut Events, mut expected: Vec<ExpectEvent>) {
    let deadline = Instant::now() + EVENT_TIMEOUT;
    while !expected.is_empty() {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "missing events: {expected:?}");
        match poll.poll(events, Some(left)) {
            Ok(()) => {}
            // A signal meant for another thread or a child process; the
            // contract says to poll again.
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => panic!("unable to poll: {e}"),
        }
        for event in events.iter() {
            if let Some(i) = expected.iter().position(|e| e.matches(event)) {
                expected.swap_remove(i);
            }
        }
    }
}

/// Polls once for [`NO_EVENT_TIMEOUT`] and asserts that no event came.
#[track_caller]
pub fn expect_no_events(poll: &mut Poll, events: &mut Events) {
    let deadline = Instant::now() + NO_EVENT_TIMEOUT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match poll.poll(events, Some(left)) {
            Ok(()) => break,
            // See `expect_events`.
            Err(e) if e.kind() == io::ErrorKind::Interrupted && !left.is_zero() => continue,
            Err(e) => panic!("unable to poll: {e}"),
        }
    }
    assert!(events.is_empty(), "unexpected events: {events:?}");
}

/// Asserts that an operation failed with `WouldBlock`.
#[track_caller]
pub fn assert_would_block<T: std::fmt::Debug>(result: io::Result<T>) {
    match result {
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
        other => panic!("expected WouldBlock, got {other:?}"),
    }
}

/// Asserts that a result is an error of `kind`.
#[track_caller]
pub fn assert_error_kind<T: std::fmt::Debug>(result: io::Result<T>, kind: io::ErrorKind) {
    match result {
        Err(e) if e.kind() == kind => {}
        other => panic!("expected an error of kind {kind:?}, got {other:?}"),
    }
}

/// Returns a loopback IPv4 address with port 0, for binding.
pub fn any_local_address() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

/// Returns a loopback IPv6 address with port 0, for binding.
pub fn any_local_ipv6_address() -> SocketAddr {
    "[::1]:0".parse().unwrap()
}

/// Asserts that a descriptor is non-blocking.
#[cfg(unix)]
#[track_caller]
pub fn assert_nonblocking<F: std::os::fd::AsFd>(fd: &F) {
    let flags = rustix_like::fcntl_getfl(fd);
    assert_ne!(flags & libc::O_NONBLOCK, 0, "descriptor is blocking");
}

/// Asserts that a descriptor is close-on-exec.
#[cfg(unix)]
#[track_caller]
pub fn assert_close_on_exec<F: std::os::fd::AsFd>(fd: &F) {
    let flags = rustix_like::fcntl_getfd(fd);
    assert_ne!(
        flags & libc::FD_CLOEXEC,
        0,
        "descriptor is not close-on-exec"
    );
}

#[cfg(unix)]
mod rustix_like {
    use std::os::fd::{AsFd, AsRawFd};

    pub fn fcntl_getfl<F: AsFd>(fd: &F) -> libc::c_int {
        // SAFETY: `F_GETFL` only reads the flags of a descriptor that the
        // borrow keeps open.
        let flags = unsafe { libc::fcntl(fd.as_fd().as_raw_fd(), libc::F_GETFL) };
        assert_ne!(flags, -1, "fcntl(F_GETFL) failed");
        flags
    }

    pub fn fcntl_getfd<F: AsFd>(fd: &F) -> libc::c_int {
        // SAFETY: as above, for `F_GETFD`.
        let flags = unsafe { libc::fcntl(fd.as_fd().as_raw_fd(), libc::F_GETFD) };
        assert_ne!(flags, -1, "fcntl(F_GETFD) failed");
        flags
    }
}

/// Creates a temporary directory for Unix socket paths; removed on drop.
pub struct TempDir(std::path::PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("metal-io-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("unable to create temporary directory");
        TempDir(dir)
    }

    pub fn path(&self, name: &str) -> std::path::PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Reads until the source returns `WouldBlock` and returns the bytes read.
///
/// Panics on end of stream, on any other error, or after a million reads.
#[track_caller]
pub fn read_until_would_block<R: io::Read>(source: &mut R) -> Vec<u8> {
    let mut data = Vec::new();
    let mut buf = [0; 4096];
    for _ in 0..1_000_000 {
        match source.read(&mut buf) {
            Ok(0) => panic!("unexpected end of stream after {} bytes", data.len()),
            Ok(n) => data.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return data,
            Err(e) => panic!("unexpected read error: {e}"),
        }
    }
    panic!("source never returned WouldBlock");
}

/// Writes until the sink returns `WouldBlock` and returns the bytes
/// written.
///
/// Panics on any other error, or after a million writes.
#[track_caller]
pub fn write_until_would_block<W: io::Write>(sink: &mut W) -> usize {
    let buf = [0x5a; 4096];
    let mut written = 0;
    for _ in 0..1_000_000 {
        match sink.write(&buf) {
            Ok(n) => written += n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return written,
            Err(e) => panic!("unexpected write error: {e}"),
        }
    }
    panic!("sink never returned WouldBlock");
}

/// Returns a connected pair of metal-io TCP streams on loopback: the
/// connecting side first, the accepted side second.
///
/// Panics if the connection is not accepted within [`EVENT_TIMEOUT`].
#[cfg(all(feature = "os-poll", feature = "net"))]
#[track_caller]
pub fn tcp_pair() -> (metal_io::net::TcpStream, metal_io::net::TcpStream) {
    let mut poll = Poll::new().expect("unable to create poll");
    let mut events = Events::with_capacity(8);
    let mut listener =
        metal_io::net::TcpListener::bind(any_local_address()).expect("unable to bind");
    poll.registry()
        .register(&mut listener, Token(0), Interest::READABLE)
        .expect("unable to register listener");
    let addr = listener.local_addr().expect("no local address");
    let client = metal_io::net::TcpStream::connect(addr).expect("unable to connect");

    let deadline = Instant::now() + EVENT_TIMEOUT;
    loop {
        match listener.accept() {
            Ok((server, _)) => return (client, server),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => panic!("unable to accept: {e}"),
        }
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "connection was not accepted in time");
        poll.poll(&mut events, Some(left)).expect("unable to poll");
    }
}

/// Runs `body` in a child process whose `SIGPIPE` disposition is the
/// default (terminate), and asserts that the child exits successfully.
///
/// `test_name` is the name of the calling `#[test]` function (a top-level
/// function of its test file): the child is this test binary, run with
/// only that test. In the child, this function runs `body` and returns.
/// Rust programs ignore `SIGPIPE` by default, which would hide a write that
/// raises it; the child puts the default back first.
#[cfg(unix)]
#[track_caller]
pub fn with_default_sigpipe_in_child(test_name: &str, body: impl FnOnce()) {
    use std::os::unix::process::ExitStatusExt;
    use std::process::{Command, Stdio};
    use std::sync::mpsc;

    const CHILD_VAR: &str = "METAL_IO_SIGPIPE_CHILD";
    if std::env::var(CHILD_VAR).as_deref() == Ok(test_name) {
        // SAFETY: setting the disposition of SIGPIPE to its default has no
        // memory-safety requirements; it only changes what the signal does.
        let previous = unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
        assert_ne!(previous, libc::SIG_ERR, "unable to reset SIGPIPE");
        body();
        return;
    }

    let exe = std::env::current_exe().expect("no test binary path");
    let child = Command::new(exe)
        .args([test_name, "--exact", "--test-threads=1", "--nocapture"])
        .env(CHILD_VAR, test_name)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("unable to start the child test process");

    // Wait on another thread so that a hung child fails the test in time.
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let output = match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(output) => output.expect("unable to wait for the child"),
        Err(_) => {
            // SAFETY: `pid` is our own child, which has not been reaped:
            // the waiting thread is still blocked in `wait`.
            unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
            panic!("child test process did not finish within 60 s");
        }
    };
    let status = output.status;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_ne!(
        status.signal(),
        Some(libc::SIGPIPE),
        "child test process was killed by SIGPIPE\n{stdout}{stderr}"
    );
    assert!(
        status.success(),
        "child test process failed: {status}\n{stdout}{stderr}"
    );
}

/// Asserts that a descriptor is in blocking mode.
#[cfg(unix)]
#[track_caller]
pub fn assert_blocking<F: std::os::fd::AsFd>(fd: &F) {
    let flags = rustix_like::fcntl_getfl(fd);
    assert_eq!(flags & libc::O_NONBLOCK, 0, "descriptor is non-blocking");
}

/// Polls until a readable event for `token` comes, asserting that every
/// event seen on the way is for `token`: after a reregistration, nothing
/// may arrive under the old token any more.
///
/// Panics after [`EVENT_TIMEOUT`] without a readable event for `token`.
#[track_caller]
pub fn expect_readable_only_for(poll: &mut Poll, events: &mut Events, token: Token) {
    let deadline = Instant::now() + EVENT_TIMEOUT;
    let mut seen_readable = false;
    while !seen_readable {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "no readable event under the new token");
        poll.poll(events, Some(left)).unwrap();
        for event in events.iter() {
            assert_eq!(event.token(), token, "event under the old token");
            seen_readable |= event.is_readable();
        }
    }
}

/// Checks the registration errors of a source that is not registered
/// anywhere yet: reregistering or deregistering it fails with `NotFound`;
/// once it is registered, registering it again with the same `Poll` fails
/// with `AlreadyExists`, and so, in debug builds (release builds skip that
/// check), does registering it with another live one.
#[track_caller]
pub fn assert_registration_misuse_is_reported<S>(source: &mut S, token: Token)
where
    S: metal_io::event::Source + ?Sized,
{
    let (poll1, _) = init_with_poll();
    let (poll2, _) = init_with_poll();

    assert_error_kind(
        poll1
            .registry()
            .reregister(source, token, Interest::READABLE),
        io::ErrorKind::NotFound,
    );
    assert_error_kind(poll1.registry().deregister(source), io::ErrorKind::NotFound);

    poll1
        .registry()
        .register(source, token, Interest::READABLE)
        .unwrap();
    assert_error_kind(
        poll1.registry().register(source, token, Interest::READABLE),
        io::ErrorKind::AlreadyExists,
    );
    if cfg!(debug_assertions) {
        assert_error_kind(
            poll2.registry().register(source, token, Interest::READABLE),
            io::ErrorKind::AlreadyExists,
        );
    }
    drop(poll2);
}

/// Polls until an event for `token` with `readiness` has been seen, ignoring
/// others: [`expect_events`] for a single event.
///
/// Panics after [`EVENT_TIMEOUT`] if it did not come.
#[track_caller]
pub fn expect_event(
    poll: &mut Poll,
    events: &mut Events,
    token: Token,
    readiness: impl Into<Readiness>,
) {
    expect_events(poll, events, vec![ExpectEvent::new(token, readiness)]);
}
