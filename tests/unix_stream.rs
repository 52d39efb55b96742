#![cfg(all(unix, feature = "os-poll", feature = "net"))]

mod util;

use std::io::{self, IoSlice, IoSliceMut, Read, Write};
use std::net::Shutdown;
use std::time::Instant;

use metal_io::net::{UnixListener, UnixStream};
use metal_io::{Events, Interest, Poll, Token};

use util::{
    assert_error_kind, assert_registration_misuse_is_reported, assert_would_block, expect_event,
    expect_no_events, expect_readable_only_for, init_with_poll, read_until_would_block, Readiness,
    TempDir, EVENT_TIMEOUT,
};

const ID1: Token = Token(1);
const ID2: Token = Token(2);

/// Accepts one connection on a registered listener, polling between
/// attempts, within [`EVENT_TIMEOUT`].
#[track_caller]
fn accept_one(poll: &mut Poll, events: &mut Events, listener: &UnixListener) -> UnixStream {
    let deadline = Instant::now() + EVENT_TIMEOUT;
    loop {
        match listener.accept() {
            Ok((stream, _)) => return stream,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => panic!("accept failed: {e}"),
        }
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "no connection to accept");
        poll.poll(events, Some(left)).unwrap();
    }
}

#[test]
fn pair_exchanges_data() {
    let (mut poll, mut events) = init_with_poll();
    let (mut a, mut b) = UnixStream::pair().unwrap();
    poll.registry()
        .register(&mut b, ID1, Interest::READABLE)
        .unwrap();

    a.write_all(b"over the pair").unwrap();
    expect_event(&mut poll, &mut events, ID1, Interest::READABLE);
    assert_eq!(read_until_would_block(&mut b), b"over the pair");

    assert!(a.local_addr().unwrap().is_unnamed());
    assert!(a.peer_addr().unwrap().is_unnamed());
}

#[test]
fn connect_to_a_path() {
    let (mut poll, mut events) = init_with_poll();
    let dir = TempDir::new();
    let path = dir.path("stream.sock");
    let mut listener = UnixListener::bind(&path).unwrap();
    poll.registry()
        .register(&mut listener, ID1, Interest::READABLE)
        .unwrap();

    let mut client = UnixStream::connect(&path).unwrap();
    assert_eq!(client.peer_addr().unwrap().as_pathname(), Some(&*path));
    let mut server = accept_one(&mut poll, &mut events, &listener);
    poll.registry()
        .register(&mut server, ID2, Interest::READABLE)
        .unwrap();

    client.write_all(b"by path").unwrap();
    expect_event(&mut poll, &mut events, ID2, Interest::READABLE);
    assert_eq!(read_until_would_block(&mut server), b"by path");
}

#[test]
#[cfg(any(target_os = "linux", target_os = "android"))]
fn connect_to_an_abstract_address() {
    #[cfg(target_os = "android")]
    use std::os::android::net::SocketAddrExt;
    #[cfg(target_os = "linux")]
    use std::os::linux::net::SocketAddrExt;
    use std::os::unix::net::SocketAddr;

    let (mut poll, mut events) = init_with_poll();
    let name = format!("metal-io-stream-{}", std::process::id());
    let addr = SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
    let mut listener = UnixListener::bind_addr(&addr).unwrap();
    poll.registry()
        .register(&mut listener, ID1, Interest::READABLE)
        .unwrap();

    let client = UnixStream::connect_addr(&addr).unwrap();
    assert_eq!(
        client.peer_addr().unwrap().as_abstract_name(),
        Some(name.as_bytes())
    );
    let server = accept_one(&mut poll, &mut events, &listener);
    assert_eq!(
        server.local_addr().unwrap().as_abstract_name(),
        Some(name.as_bytes())
    );
}

#[test]
fn connect_to_a_missing_path_is_not_found() {
    let dir = TempDir::new();
    assert_error_kind(
        UnixStream::connect(dir.path("missing.sock")),
        io::ErrorKind::NotFound,
    );
}

#[test]
fn connect_to_a_closed_listener_is_refused() {
    let dir = TempDir::new();
    let path = dir.path("closed.sock");
    // Dropping the listener leaves the socket file behind, with nobody
    // listening on it.
    drop(UnixListener::bind(&path).unwrap());
    assert_error_kind(UnixStream::connect(&path), io::ErrorKind::ConnectionRefused);
}

#[test]
fn connect_to_a_path_that_is_too_long_is_invalid_input() {
    let long = "x".repeat(200);
    assert_error_kind(UnixStream::connect(long), io::ErrorKind::InvalidInput);
}

#[test]
fn readable_is_edge_triggered() {
    let (mut poll, mut events) = init_with_poll();
    let (mut a, mut b) = UnixStream::pair().unwrap();
    poll.registry()
        .register(&mut b, ID1, Interest::READABLE)
        .unwrap();

    a.write_all(b"first").unwrap();
    expect_event(&mut poll, &mut events, ID1, Interest::READABLE);
    assert_eq!(read_until_would_block(&mut b), b"first");
    expect_no_events(&mut poll, &mut events);

    a.write_all(b"second").unwrap();
    expect_event(&mut poll, &mut events, ID1, Interest::READABLE);
    assert_eq!(read_until_would_block(&mut b), b"second");
}

#[test]
fn writable_again_after_the_peer_reads() {
    let (mut poll, mut events) = init_with_poll();
    let (mut a, mut b) = UnixStream::pair().unwrap();
    poll.registry()
        .register(&mut a, ID1, Interest::WRITABLE)
        .unwrap();
    expect_event(&mut poll, &mut events, ID1, Interest::WRITABLE);

    let written = util::write_until_would_block(&mut a);
    let mut read = 0;
    let mut buf = vec![0; 64 * 1024];
    while read < written {
        match b.read(&mut buf) {
            Ok(n) => read += n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) => panic!("read failed: {e}"),
        }
    }
    assert_eq!(read, written);
    expect_event(&mut poll, &mut events, ID1, Interest::WRITABLE);
}

#[test]
fn peer_shutdown_write_is_reported_read_closed() {
    let (mut poll, mut events) = init_with_poll();
    let (a, mut b) = UnixStream::pair().unwrap();
    poll.registry()
        .register(&mut b, ID1, Interest::READABLE)
        .unwrap();

    a.shutdown(Shutdown::Write).unwrap();
    expect_event(&mut poll, &mut events, ID1, Readiness::ReadClosed);
    assert_eq!(b.read(&mut [0; 8]).unwrap(), 0);
}

#[test]
fn peer_drop_is_reported_read_and_write_closed() {
    let (mut poll, mut events) = init_with_poll();
    let (a, mut b) = UnixStream::pair().unwrap();
    poll.registry()
        .register(&mut b, ID1, Interest::READABLE | Interest::WRITABLE)
        .unwrap();

    // Both flags may come in one event or in two.
    drop(a);
    let deadline = Instant::now() + EVENT_TIMEOUT;
    let (mut read_closed, mut write_closed) = (false, false);
    while !(read_closed && write_closed) {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(
            !left.is_zero(),
            "read_closed={read_closed} write_closed={write_closed}"
        );
        poll.poll(&mut events, Some(left)).unwrap();
        for event in events.iter().filter(|e| e.token() == ID1) {
            read_closed |= event.is_read_closed();
            write_closed |= event.is_write_closed();
        }
    }
    assert_eq!(b.read(&mut [0; 8]).unwrap(), 0);
}

#[test]
fn writes_to_a_gone_peer_fail_with_broken_pipe() {
    let (mut a, b) = UnixStream::pair().unwrap();
    drop(b);
    assert_error_kind(a.write(b"x"), io::ErrorKind::BrokenPipe);
    assert_error_kind(
        a.write_vectored(&[IoSlice::new(b"x"), IoSlice::new(b"y")]),
        io::ErrorKind::BrokenPipe,
    );
}

#[test]
fn writes_to_a_gone_peer_never_raise_sigpipe() {
    util::with_default_sigpipe_in_child("writes_to_a_gone_peer_never_raise_sigpipe", || {
        let (mut a, b) = UnixStream::pair().unwrap();
        drop(b);
        assert_error_kind(a.write(b"x"), io::ErrorKind::BrokenPipe);
        assert_error_kind(
            a.write_vectored(&[IoSlice::new(b"x")]),
            io::ErrorKind::BrokenPipe,
        );
    });
}

#[test]
fn shutdown_write_gives_the_peer_end_of_stream() {
    let (mut a, mut b) = UnixStream::pair().unwrap();
    a.write_all(b"bye").unwrap();
    a.shutdown(Shutdown::Write).unwrap();
    assert_error_kind(a.write(b"more"), io::ErrorKind::BrokenPipe);

    let mut buf = [0; 8];
    assert_eq!(b.read(&mut buf).unwrap(), 3);
    assert_eq!(&buf[..3], b"bye");
    assert_eq!(b.read(&mut buf).unwrap(), 0);
}

#[test]
fn vectored_read_and_write() {
    let (mut a, mut b) = UnixStream::pair().unwrap();
    let n = a
        .write_vectored(&[IoSlice::new(b"ab"), IoSlice::new(b"cdef")])
        .unwrap();
    assert_eq!(n, 6);

    let (mut x, mut y) = ([0; 3], [0; 8]);
    let n = b
        .read_vectored(&mut [IoSliceMut::new(&mut x), IoSliceMut::new(&mut y)])
        .unwrap();
    assert_eq!(n, 6);
    assert_eq!(&x, b"abc");
    assert_eq!(&y[..3], b"def");
}

#[test]
fn read_and_write_through_shared_references() {
    let (a, b) = UnixStream::pair().unwrap();
    (&a).write_all(b"shared").unwrap();
    (&a).flush().unwrap();
    let mut buf = [0; 6];
    (&b).read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"shared");
    assert_would_block((&b).read(&mut buf));
}

#[test]
fn try_io_runs_a_raw_receive() {
    use std::os::fd::AsRawFd;

    let (mut a, b) = UnixStream::pair().unwrap();
    let mut buf = [0; 8];
    let recv = |buf: &mut [u8]| {
        b.try_io(|| {
            // SAFETY: `buf` is writable for `buf.len()` bytes and the
            // descriptor stays open while `b` is borrowed.
            let n = unsafe { libc::recv(b.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), 0) };
            if n < 0 {
                Err(io::Error::last_os_error())
            } else {
                Ok(n as usize)
            }
        })
    };
    assert_would_block(recv(&mut buf));
    a.write_all(b"raw").unwrap();
    assert_eq!(recv(&mut buf).unwrap(), 3);
    assert_eq!(&buf[..3], b"raw");
}

#[test]
fn streams_are_nonblocking_and_close_on_exec() {
    let (mut poll, mut events) = init_with_poll();
    let (a, b) = UnixStream::pair().unwrap();
    let dir = TempDir::new();
    let path = dir.path("flags.sock");
    let mut listener = UnixListener::bind(&path).unwrap();
    poll.registry()
        .register(&mut listener, ID1, Interest::READABLE)
        .unwrap();
    let client = UnixStream::connect(&path).unwrap();
    let server = accept_one(&mut poll, &mut events, &listener);

    for stream in [&a, &b, &client, &server] {
        util::assert_nonblocking(stream);
        util::assert_close_on_exec(stream);
    }
}

#[test]
fn take_error_is_none_on_a_healthy_stream() {
    let (a, _b) = UnixStream::pair().unwrap();
    assert!(a.take_error().unwrap().is_none());
}

#[test]
fn deregister_stops_events() {
    let (mut poll, mut events) = init_with_poll();
    let (mut a, mut b) = UnixStream::pair().unwrap();
    poll.registry()
        .register(&mut b, ID1, Interest::READABLE)
        .unwrap();
    poll.registry().deregister(&mut b).unwrap();

    a.write_all(b"unheard").unwrap();
    expect_no_events(&mut poll, &mut events);
    assert_eq!(read_until_would_block(&mut b), b"unheard");
}

#[test]
fn reregister_replaces_token_and_interest() {
    let (mut poll, mut events) = init_with_poll();
    let (mut a, mut b) = UnixStream::pair().unwrap();
    poll.registry()
        .register(&mut b, ID1, Interest::WRITABLE)
        .unwrap();
    expect_event(&mut poll, &mut events, ID1, Interest::WRITABLE);
    poll.registry()
        .reregister(&mut b, ID2, Interest::READABLE)
        .unwrap();

    a.write_all(b"moved").unwrap();
    expect_readable_only_for(&mut poll, &mut events, ID2);
}

#[test]
fn registration_misuse_is_reported() {
    let (mut a, _b) = UnixStream::pair().unwrap();
    assert_registration_misuse_is_reported(&mut a, ID1);
}

#[test]
fn from_std_wraps_a_stream() {
    let (mut poll, mut events) = init_with_poll();
    let (std_a, mut std_b) = std::os::unix::net::UnixStream::pair().unwrap();
    std_a.set_nonblocking(true).unwrap();
    let mut a = UnixStream::from_std(std_a);
    poll.registry()
        .register(&mut a, ID1, Interest::READABLE)
        .unwrap();

    std_b.write_all(b"std").unwrap();
    expect_event(&mut poll, &mut events, ID1, Interest::READABLE);
    assert_eq!(read_until_would_block(&mut a), b"std");
}

#[test]
fn converts_to_std_and_descriptors() {
    use std::os::fd::{AsFd, AsRawFd, FromRawFd, IntoRawFd, OwnedFd};

    let (a, mut b) = UnixStream::pair().unwrap();
    assert_eq!(a.as_fd().as_raw_fd(), a.as_raw_fd());

    let a = UnixStream::from(OwnedFd::from(a));
    let raw = a.into_raw_fd();
    // SAFETY: `raw` came from `into_raw_fd` just above, so it is an open
    // socket that nothing else owns.
    let a = unsafe { UnixStream::from_raw_fd(raw) };

    let mut std_a: std::os::unix::net::UnixStream = a.into();
    std_a.write_all(b"still connected").unwrap();
    let mut buf = [0; 15];
    b.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"still connected");
}

#[test]
fn debug_names_the_socket() {
    let (a, _b) = UnixStream::pair().unwrap();
    let text = format!("{a:?}");
    assert!(text.contains("UnixStream"), "{text}");
}
