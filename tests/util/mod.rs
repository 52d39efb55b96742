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
        poll.poll(events, Some(left)).expect("unable to poll");
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
    poll.poll(events, Some(NO_EVENT_TIMEOUT)).expect("unable to poll");
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
    assert_ne!(flags & libc::FD_CLOEXEC, 0, "descriptor is not close-on-exec");
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
