#![cfg(all(feature = "os-poll", feature = "net"))]

mod util;

use std::io::{self, IoSlice, IoSliceMut, Read, Write};
use std::net::Shutdown;
use std::time::{Duration, Instant};

use metal_io::net::TcpStream;
use metal_io::{Events, Interest, Poll, Token};

use util::{
    any_local_address, any_local_ipv6_address, assert_error_kind, assert_would_block, expect_event,
    expect_no_events, expect_readable_only_for, init_with_poll, read_until_would_block, tcp_pair,
    Readiness, EVENT_TIMEOUT,
};

const ID1: Token = Token(1);
const ID2: Token = Token(2);

/// Reads exactly `len` bytes from a registered stream, polling between
/// attempts, within [`EVENT_TIMEOUT`].
#[track_caller]
fn read_exactly(
    poll: &mut Poll,
    events: &mut Events,
    stream: &mut TcpStream,
    len: usize,
) -> Vec<u8> {
    let deadline = Instant::now() + EVENT_TIMEOUT;
    let mut data = vec![0; len];
    let mut filled = 0;
    while filled < len {
        match stream.read(&mut data[filled..]) {
            Ok(0) => panic!("unexpected end of stream after {filled} bytes"),
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                let left = deadline.saturating_duration_since(Instant::now());
                assert!(!left.is_zero(), "only {filled} of {len} bytes arrived");
                poll.poll(events, Some(left)).unwrap();
            }
            Err(e) => panic!("read failed: {e}"),
        }
    }
    data
}

/// Writes to `stream` until it fails, polling between attempts, and returns
/// the error. Panics if no error comes within [`EVENT_TIMEOUT`].
#[track_caller]
fn write_until_error(
    poll: &mut Poll,
    events: &mut Events,
    mut write: impl FnMut() -> io::Result<usize>,
) -> io::Error {
    let deadline = Instant::now() + EVENT_TIMEOUT;
    loop {
        match write() {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => return e,
        }
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "writes to a gone peer kept succeeding");
        poll.poll(events, Some(left.min(Duration::from_millis(100))))
            .unwrap();
    }
}

#[track_caller]
fn assert_gone_peer_error(err: &io::Error) {
    // Windows reports a connection it dropped itself as aborted.
    assert!(
        matches!(
            err.kind(),
            io::ErrorKind::BrokenPipe
                | io::ErrorKind::ConnectionReset
                | io::ErrorKind::ConnectionAborted
        ),
        "expected BrokenPipe, ConnectionReset or ConnectionAborted, got {err:?}"
    );
}

#[test]
fn connect_is_reported_writable_with_a_peer_address() {
    let (mut poll, mut events) = init_with_poll();
    let listener = std::net::TcpListener::bind(any_local_address()).unwrap();
    let addr = listener.local_addr().unwrap();

    let mut stream = TcpStream::connect(addr).unwrap();
    poll.registry()
        .register(&mut stream, ID1, Interest::WRITABLE)
        .unwrap();
    expect_event(&mut poll, &mut events, ID1, Interest::WRITABLE);

    assert!(stream.take_error().unwrap().is_none());
    assert_eq!(stream.peer_addr().unwrap(), addr);
    assert_eq!(stream.local_addr().unwrap().ip(), addr.ip());
}

#[test]
fn connect_over_ipv6() {
    let (mut poll, mut events) = init_with_poll();
    let listener = match std::net::TcpListener::bind(any_local_ipv6_address()) {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("skipped: this host has no IPv6 loopback ({e})");
            return;
        }
    };
    let addr = listener.local_addr().unwrap();

    let mut stream = TcpStream::connect(addr).unwrap();
    poll.registry()
        .register(&mut stream, ID1, Interest::WRITABLE)
        .unwrap();
    expect_event(&mut poll, &mut events, ID1, Interest::WRITABLE);
    assert_eq!(stream.peer_addr().unwrap(), addr);
}

#[test]
fn connect_to_a_closed_port_reports_the_failure() {
    let (mut poll, mut events) = init_with_poll();
    // Bind and drop a listener to find a port nobody listens on.
    let addr = {
        let listener = std::net::TcpListener::bind(any_local_address()).unwrap();
        listener.local_addr().unwrap()
    };

    let mut stream = match TcpStream::connect(addr) {
        Ok(stream) => stream,
        // Some systems know at once that the port is closed.
        Err(e) => {
            assert_eq!(e.kind(), io::ErrorKind::ConnectionRefused);
            return;
        }
    };
    poll.registry()
        .register(&mut stream, ID1, Interest::READABLE | Interest::WRITABLE)
        .unwrap();

    // The failure arrives as an event; which flags it carries differs by
    // platform, so wait for any event for the token.
    let deadline = Instant::now() + EVENT_TIMEOUT;
    'wait: loop {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "no event for the failed connect");
        poll.poll(&mut events, Some(left)).unwrap();
        for event in events.iter() {
            if event.token() == ID1 {
                break 'wait;
            }
        }
    }

    let err = stream.take_error().unwrap().expect("no pending error");
    assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused);
    assert_error_kind(stream.peer_addr(), io::ErrorKind::NotConnected);
}

#[test]
fn readable_is_edge_triggered() {
    let (mut poll, mut events) = init_with_poll();
    let (mut client, mut server) = tcp_pair();
    poll.registry()
        .register(&mut server, ID1, Interest::READABLE)
        .unwrap();

    client.write_all(b"first").unwrap();
    expect_event(&mut poll, &mut events, ID1, Interest::READABLE);
    assert_eq!(read_until_would_block(&mut server), b"first");

    // Drained: no new event until new data arrives.
    expect_no_events(&mut poll, &mut events);

    client.write_all(b"second").unwrap();
    expect_event(&mut poll, &mut events, ID1, Interest::READABLE);
    assert_eq!(read_until_would_block(&mut server), b"second");
}

#[test]
fn writable_again_after_the_send_buffer_drains() {
    let (mut poll, mut events) = init_with_poll();
    let (mut client, mut server) = tcp_pair();
    poll.registry()
        .register(&mut client, ID1, Interest::WRITABLE)
        .unwrap();
    expect_event(&mut poll, &mut events, ID1, Interest::WRITABLE);

    // Fill the send buffer (and the peer's receive buffer).
    let written = util::write_until_would_block(&mut client);
    assert!(written > 0);

    // Draining the peer makes room, which is a new writable edge.
    let deadline = Instant::now() + EVENT_TIMEOUT;
    let mut read = 0;
    let mut buf = vec![0; 64 * 1024];
    let mut writable = false;
    while !writable {
        match server.read(&mut buf) {
            Ok(0) => panic!("unexpected end of stream"),
            Ok(n) => read += n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => panic!("read failed: {e}"),
        }
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "no writable event after reading {read}");
        poll.poll(&mut events, Some(Duration::from_millis(10).min(left)))
            .unwrap();
        writable = events.iter().any(|e| e.token() == ID1 && e.is_writable());
    }
    assert!(read > 0);
}

#[test]
fn peer_shutdown_write_is_reported_read_closed() {
    let (mut poll, mut events) = init_with_poll();
    let (client, mut server) = tcp_pair();
    poll.registry()
        .register(&mut server, ID1, Interest::READABLE)
        .unwrap();

    client.shutdown(Shutdown::Write).unwrap();
    expect_event(&mut poll, &mut events, ID1, Readiness::ReadClosed);
    assert_eq!(server.read(&mut [0; 16]).unwrap(), 0);
}

#[test]
fn peer_drop_is_reported_read_closed() {
    let (mut poll, mut events) = init_with_poll();
    let (client, mut server) = tcp_pair();
    poll.registry()
        .register(&mut server, ID1, Interest::READABLE)
        .unwrap();

    drop(client);
    expect_event(&mut poll, &mut events, ID1, Readiness::ReadClosed);
    assert_eq!(server.read(&mut [0; 16]).unwrap(), 0);
}

#[test]
fn reset_connection_is_reported_write_closed() {
    let (mut poll, mut events) = init_with_poll();
    let (mut client, server) = tcp_pair();
    poll.registry()
        .register(&mut client, ID1, Interest::READABLE | Interest::WRITABLE)
        .unwrap();

    // Data sent to a closed socket makes the peer answer with a reset,
    // which closes both directions. Write until the reset is felt, noting
    // whether an event already said so.
    drop(server);
    let deadline = Instant::now() + EVENT_TIMEOUT;
    let mut write_closed = false;
    loop {
        match client.write(b"x") {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => {
                assert_gone_peer_error(&e);
                break;
            }
        }
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "writes to a gone peer kept succeeding");
        poll.poll(&mut events, Some(left.min(Duration::from_millis(100))))
            .unwrap();
        write_closed |= events
            .iter()
            .any(|e| e.token() == ID1 && e.is_write_closed());
    }

    if !write_closed {
        expect_event(&mut poll, &mut events, ID1, Readiness::WriteClosed);
    }
}

#[test]
fn write_to_a_gone_peer_fails() {
    let (mut poll, mut events) = init_with_poll();
    let (mut client, server) = tcp_pair();
    poll.registry()
        .register(&mut client, ID1, Interest::READABLE | Interest::WRITABLE)
        .unwrap();
    drop(server);

    let err = write_until_error(&mut poll, &mut events, || client.write(b"hello"));
    assert_gone_peer_error(&err);
}

#[test]
fn vectored_write_to_a_gone_peer_fails() {
    let (mut poll, mut events) = init_with_poll();
    let (mut client, server) = tcp_pair();
    poll.registry()
        .register(&mut client, ID1, Interest::READABLE | Interest::WRITABLE)
        .unwrap();
    drop(server);

    let bufs = [IoSlice::new(b"hel"), IoSlice::new(b"lo")];
    let err = write_until_error(&mut poll, &mut events, || client.write_vectored(&bufs));
    assert_gone_peer_error(&err);
}

#[test]
#[cfg(unix)]
fn writes_to_a_gone_peer_never_raise_sigpipe() {
    util::with_default_sigpipe_in_child("writes_to_a_gone_peer_never_raise_sigpipe", || {
        let (mut poll, mut events) = init_with_poll();
        let (mut client, server) = tcp_pair();
        poll.registry()
            .register(&mut client, ID1, Interest::READABLE | Interest::WRITABLE)
            .unwrap();
        drop(server);

        let err = write_until_error(&mut poll, &mut events, || client.write(b"x"));
        assert_gone_peer_error(&err);

        // Once the connection is broken, both kinds of write keep failing.
        let err = client.write(b"x").unwrap_err();
        assert_gone_peer_error(&err);
        let err = client.write_vectored(&[IoSlice::new(b"x")]).unwrap_err();
        assert_gone_peer_error(&err);
    });
}

#[test]
fn shutdown_write_gives_the_peer_end_of_stream() {
    let (mut poll, mut events) = init_with_poll();
    let (mut client, mut server) = tcp_pair();
    poll.registry()
        .register(&mut server, ID1, Interest::READABLE)
        .unwrap();

    client.write_all(b"last words").unwrap();
    client.shutdown(Shutdown::Write).unwrap();
    #[cfg(unix)]
    assert_error_kind(client.write(b"more"), io::ErrorKind::BrokenPipe);
    // Windows fails with `WSAESHUTDOWN`, which std gives no kind of its own.
    #[cfg(windows)]
    assert_eq!(
        client.write(b"more").unwrap_err().raw_os_error(),
        Some(10058)
    );

    let data = read_exactly(&mut poll, &mut events, &mut server, 10);
    assert_eq!(data, b"last words");
    expect_event(&mut poll, &mut events, ID1, Readiness::ReadClosed);
    assert_eq!(server.read(&mut [0; 8]).unwrap(), 0);
}

#[test]
fn reregister_replaces_token_and_interest() {
    let (mut poll, mut events) = init_with_poll();
    let (mut client, mut server) = tcp_pair();
    poll.registry()
        .register(&mut server, ID1, Interest::WRITABLE)
        .unwrap();
    expect_event(&mut poll, &mut events, ID1, Interest::WRITABLE);

    poll.registry()
        .reregister(&mut server, ID2, Interest::READABLE)
        .unwrap();
    client.write_all(b"ping").unwrap();

    expect_readable_only_for(&mut poll, &mut events, ID2);
    assert_eq!(read_until_would_block(&mut server), b"ping");
}

#[test]
fn deregister_stops_events() {
    let (mut poll, mut events) = init_with_poll();
    let (mut client, mut server) = tcp_pair();
    poll.registry()
        .register(&mut server, ID1, Interest::READABLE)
        .unwrap();
    poll.registry().deregister(&mut server).unwrap();

    client.write_all(b"unheard").unwrap();
    expect_no_events(&mut poll, &mut events);

    // The data is still there to read.
    let data = read_until_would_block(&mut server);
    assert_eq!(data, b"unheard");
}

#[test]
fn register_twice_is_already_exists() {
    let (poll, _) = init_with_poll();
    let (mut client, _server) = tcp_pair();
    poll.registry()
        .register(&mut client, ID1, Interest::READABLE)
        .unwrap();
    assert_error_kind(
        poll.registry()
            .register(&mut client, ID2, Interest::READABLE),
        io::ErrorKind::AlreadyExists,
    );
}

#[test]
#[cfg_attr(
    not(debug_assertions),
    ignore = "release builds skip the second-Poll check, as Registry::register documents"
)]
fn register_with_a_second_poll_is_already_exists() {
    let (poll1, _) = init_with_poll();
    let (poll2, _) = init_with_poll();
    let (mut client, _server) = tcp_pair();
    poll1
        .registry()
        .register(&mut client, ID1, Interest::READABLE)
        .unwrap();
    assert_error_kind(
        poll2
            .registry()
            .register(&mut client, ID1, Interest::READABLE),
        io::ErrorKind::AlreadyExists,
    );
    assert_error_kind(
        poll2
            .registry()
            .reregister(&mut client, ID1, Interest::READABLE),
        io::ErrorKind::AlreadyExists,
    );

    // Once the first poll is gone, the socket may move.
    drop(poll1);
    poll2
        .registry()
        .register(&mut client, ID1, Interest::READABLE)
        .unwrap();
}

#[test]
fn reregister_or_deregister_unregistered_is_not_found() {
    let (poll, _) = init_with_poll();
    let (mut client, _server) = tcp_pair();
    assert_error_kind(
        poll.registry()
            .reregister(&mut client, ID1, Interest::READABLE),
        io::ErrorKind::NotFound,
    );
    assert_error_kind(
        poll.registry().deregister(&mut client),
        io::ErrorKind::NotFound,
    );
}

#[test]
#[cfg(unix)]
fn streams_are_nonblocking_and_close_on_exec() {
    let listener = metal_io::net::TcpListener::bind(any_local_address()).unwrap();
    let stream = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    util::assert_nonblocking(&stream);
    util::assert_close_on_exec(&stream);

    let (client, server) = tcp_pair();
    for stream in [&client, &server] {
        util::assert_nonblocking(stream);
        util::assert_close_on_exec(stream);
    }
}

#[test]
fn read_would_block_without_data() {
    let (_client, mut server) = tcp_pair();
    assert_would_block(server.read(&mut [0; 8]));
    assert_would_block(server.peek(&mut [0; 8]));
}

#[test]
fn nodelay_round_trips() {
    let (client, _server) = tcp_pair();
    client.set_nodelay(true).unwrap();
    assert!(client.nodelay().unwrap());
    client.set_nodelay(false).unwrap();
    assert!(!client.nodelay().unwrap());
}

#[test]
fn ttl_round_trips() {
    let (client, _server) = tcp_pair();
    client.set_ttl(7).unwrap();
    assert_eq!(client.ttl().unwrap(), 7);
    client.set_ttl(200).unwrap();
    assert_eq!(client.ttl().unwrap(), 200);
}

#[test]
fn take_error_is_none_on_a_healthy_stream() {
    let (client, server) = tcp_pair();
    assert!(client.take_error().unwrap().is_none());
    assert!(server.take_error().unwrap().is_none());
}

#[test]
fn addresses_match_between_the_ends() {
    let (client, server) = tcp_pair();
    assert_eq!(client.local_addr().unwrap(), server.peer_addr().unwrap());
    assert_eq!(client.peer_addr().unwrap(), server.local_addr().unwrap());
}

#[test]
fn vectored_read_and_write() {
    let (mut poll, mut events) = init_with_poll();
    let (mut client, mut server) = tcp_pair();
    poll.registry()
        .register(&mut server, ID1, Interest::READABLE)
        .unwrap();

    let bufs = [
        IoSlice::new(b"one "),
        IoSlice::new(b"two "),
        IoSlice::new(b"three"),
    ];
    let n = client.write_vectored(&bufs).unwrap();
    assert_eq!(n, 13);

    expect_event(&mut poll, &mut events, ID1, Interest::READABLE);
    let (mut a, mut b) = ([0; 4], [0; 16]);
    let mut bufs = [IoSliceMut::new(&mut a), IoSliceMut::new(&mut b)];
    let n = server.read_vectored(&mut bufs).unwrap();
    assert_eq!(n, 13);
    assert_eq!(&a, b"one ");
    assert_eq!(&b[..9], b"two three");
}

#[test]
fn read_and_write_through_shared_references() {
    let (mut poll, mut events) = init_with_poll();
    let (client, mut server) = tcp_pair();
    poll.registry()
        .register(&mut server, ID1, Interest::READABLE)
        .unwrap();

    (&client).write_all(b"shared").unwrap();
    (&client).flush().unwrap();
    expect_event(&mut poll, &mut events, ID1, Interest::READABLE);
    let mut buf = [0; 6];
    (&server).read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"shared");
}

#[test]
fn peek_leaves_data_queued() {
    let (mut poll, mut events) = init_with_poll();
    let (mut client, mut server) = tcp_pair();
    poll.registry()
        .register(&mut server, ID1, Interest::READABLE)
        .unwrap();

    client.write_all(b"peekaboo").unwrap();
    expect_event(&mut poll, &mut events, ID1, Interest::READABLE);
    let mut buf = [0; 4];
    assert_eq!(server.peek(&mut buf).unwrap(), 4);
    assert_eq!(&buf, b"peek");
    assert_eq!(read_until_would_block(&mut server), b"peekaboo");
}

#[test]
fn try_io_passes_the_result_through() {
    let (client, _server) = tcp_pair();
    assert_eq!(client.try_io(|| Ok(42)).unwrap(), 42);
    assert_would_block(
        client.try_io(|| -> io::Result<()> { Err(io::ErrorKind::WouldBlock.into()) }),
    );
    assert_error_kind(
        client.try_io(|| -> io::Result<()> { Err(io::ErrorKind::Other.into()) }),
        io::ErrorKind::Other,
    );
}

#[test]
#[cfg(unix)]
fn try_io_runs_a_raw_receive() {
    use std::os::fd::AsRawFd;

    let (mut poll, mut events) = init_with_poll();
    let (mut client, mut server) = tcp_pair();
    poll.registry()
        .register(&mut server, ID1, Interest::READABLE)
        .unwrap();

    let mut buf = [0; 8];
    let recv = |buf: &mut [u8]| {
        server.try_io(|| {
            // SAFETY: `buf` is writable for `buf.len()` bytes and the
            // descriptor stays open while `server` is borrowed.
            let n =
                unsafe { libc::recv(server.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), 0) };
            if n < 0 {
                Err(io::Error::last_os_error())
            } else {
                Ok(n as usize)
            }
        })
    };
    assert_would_block(recv(&mut buf));

    client.write_all(b"raw").unwrap();
    expect_event(&mut poll, &mut events, ID1, Interest::READABLE);
    assert_eq!(recv(&mut buf).unwrap(), 3);
    assert_eq!(&buf[..3], b"raw");
}

#[test]
fn from_std_wraps_a_connected_stream() {
    let (mut poll, mut events) = init_with_poll();
    let listener = std::net::TcpListener::bind(any_local_address()).unwrap();
    let std_stream = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    std_stream.set_nonblocking(true).unwrap();
    let (mut peer, _) = listener.accept().unwrap();

    let mut stream = TcpStream::from_std(std_stream);
    poll.registry()
        .register(&mut stream, ID1, Interest::READABLE)
        .unwrap();
    peer.write_all(b"from std").unwrap();
    expect_event(&mut poll, &mut events, ID1, Interest::READABLE);
    assert_eq!(read_until_would_block(&mut stream), b"from std");
}

#[test]
fn converts_into_a_std_stream() {
    let (client, mut server) = tcp_pair();
    let client_addr = client.local_addr().unwrap();

    let mut std_client: std::net::TcpStream = client.into();
    assert_eq!(std_client.local_addr().unwrap(), client_addr);
    std_client.write_all(b"std").unwrap();

    let (mut poll, mut events) = init_with_poll();
    poll.registry()
        .register(&mut server, ID1, Interest::READABLE)
        .unwrap();
    let data = read_exactly(&mut poll, &mut events, &mut server, 3);
    assert_eq!(data, b"std");
}

#[test]
#[cfg(unix)]
fn converts_to_and_from_descriptors() {
    use std::os::fd::{AsFd, AsRawFd, FromRawFd, IntoRawFd, OwnedFd};

    let (client, _server) = tcp_pair();
    let addr = client.local_addr().unwrap();
    let raw = client.as_raw_fd();
    assert_eq!(client.as_fd().as_raw_fd(), raw);

    let owned = OwnedFd::from(client);
    assert_eq!(owned.as_raw_fd(), raw);
    let client = TcpStream::from(owned);
    assert_eq!(client.local_addr().unwrap(), addr);

    let raw = client.into_raw_fd();
    // SAFETY: `raw` came from `into_raw_fd` just above, so it is an open
    // socket that nothing else owns.
    let client = unsafe { TcpStream::from_raw_fd(raw) };
    assert_eq!(client.local_addr().unwrap(), addr);
}

#[test]
fn debug_names_the_socket() {
    let (client, _server) = tcp_pair();
    let text = format!("{client:?}");
    assert!(text.contains("TcpStream"), "{text}");
}
