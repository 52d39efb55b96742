#![cfg(all(unix, feature = "os-poll", feature = "net"))]

mod util;

use std::io::{self, Read, Write};
use std::os::unix::net::SocketAddr;
use std::time::Instant;

use metal_io::net::{UnixListener, UnixStream};
use metal_io::{Events, Interest, Poll, Token};

use util::{
    assert_error_kind, assert_registration_misuse_is_reported, assert_would_block, expect_event,
    expect_no_events, init_with_poll, TempDir, EVENT_TIMEOUT,
};

const LISTENER: Token = Token(0);
const OTHER: Token = Token(1);

/// Accepts `count` connections on a registered listener, polling between
/// attempts, within [`EVENT_TIMEOUT`].
#[track_caller]
fn accept_n(
    poll: &mut Poll,
    events: &mut Events,
    listener: &UnixListener,
    count: usize,
) -> Vec<(UnixStream, SocketAddr)> {
    let deadline = Instant::now() + EVENT_TIMEOUT;
    let mut accepted = Vec::new();
    while accepted.len() < count {
        match listener.accept() {
            Ok(pair) => {
                accepted.push(pair);
                continue;
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => panic!("accept failed: {e}"),
        }
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(
            !left.is_zero(),
            "only {} connections accepted",
            accepted.len()
        );
        poll.poll(events, Some(left)).unwrap();
    }
    accepted
}

#[test]
fn bind_to_a_path() {
    let dir = TempDir::new();
    let path = dir.path("bound.sock");
    let listener = UnixListener::bind(&path).unwrap();
    assert_eq!(listener.local_addr().unwrap().as_pathname(), Some(&*path));
    assert!(path.exists());
}

#[test]
fn bind_to_an_existing_path_is_addr_in_use() {
    let dir = TempDir::new();
    let path = dir.path("taken.sock");
    let _listener = UnixListener::bind(&path).unwrap();
    assert_error_kind(UnixListener::bind(&path), io::ErrorKind::AddrInUse);
}

#[test]
fn bind_to_a_path_that_is_too_long_is_invalid_input() {
    let long = "x".repeat(200);
    assert_error_kind(UnixListener::bind(long), io::ErrorKind::InvalidInput);
}

#[test]
#[cfg(any(target_os = "linux", target_os = "android"))]
fn bind_to_an_abstract_address() {
    #[cfg(target_os = "android")]
    use std::os::android::net::SocketAddrExt;
    #[cfg(target_os = "linux")]
    use std::os::linux::net::SocketAddrExt;

    let name = format!("metal-io-listener-{}", std::process::id());
    let addr = SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
    let listener = UnixListener::bind_addr(&addr).unwrap();
    let bound = listener.local_addr().unwrap();
    assert_eq!(bound.as_abstract_name(), Some(name.as_bytes()));
    assert_error_kind(UnixListener::bind_addr(&addr), io::ErrorKind::AddrInUse);
}

#[test]
#[cfg(any(target_os = "linux", target_os = "android"))]
fn bind_to_an_unnamed_address_picks_an_abstract_name() {
    #[cfg(target_os = "android")]
    use std::os::android::net::SocketAddrExt;
    #[cfg(target_os = "linux")]
    use std::os::linux::net::SocketAddrExt;

    let unnamed = std::os::unix::net::UnixDatagram::unbound()
        .unwrap()
        .local_addr()
        .unwrap();
    assert!(unnamed.is_unnamed());
    let listener = UnixListener::bind_addr(&unnamed).unwrap();
    let bound = listener.local_addr().unwrap();
    assert!(bound.as_abstract_name().is_some(), "{bound:?}");
}

#[test]
fn accept_would_block_without_connections() {
    let dir = TempDir::new();
    let listener = UnixListener::bind(dir.path("idle.sock")).unwrap();
    assert_would_block(listener.accept());
}

#[test]
fn readable_is_edge_triggered() {
    let (mut poll, mut events) = init_with_poll();
    let dir = TempDir::new();
    let path = dir.path("edge.sock");
    let mut listener = UnixListener::bind(&path).unwrap();
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)
        .unwrap();

    let _first = UnixStream::connect(&path).unwrap();
    expect_event(&mut poll, &mut events, LISTENER, Interest::READABLE);
    assert_eq!(accept_n(&mut poll, &mut events, &listener, 1).len(), 1);
    assert_would_block(listener.accept());
    expect_no_events(&mut poll, &mut events);

    let _second = UnixStream::connect(&path).unwrap();
    expect_event(&mut poll, &mut events, LISTENER, Interest::READABLE);
    assert_eq!(accept_n(&mut poll, &mut events, &listener, 1).len(), 1);
}

#[test]
fn accepts_connections_from_unnamed_peers() {
    let (mut poll, mut events) = init_with_poll();
    let dir = TempDir::new();
    let path = dir.path("peers.sock");
    let mut listener = UnixListener::bind(&path).unwrap();
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)
        .unwrap();

    let mut clients: Vec<UnixStream> = (0..3)
        .map(|_| UnixStream::connect(&path).unwrap())
        .collect();
    let accepted = accept_n(&mut poll, &mut events, &listener, clients.len());
    for (stream, addr) in &accepted {
        assert!(addr.is_unnamed(), "{addr:?}");
        assert_eq!(stream.local_addr().unwrap().as_pathname(), Some(&*path));
    }

    // Each accepted stream talks to one of the clients.
    for (i, client) in clients.iter_mut().enumerate() {
        client.write_all(&[i as u8]).unwrap();
    }
    let mut seen: Vec<u8> = accepted
        .into_iter()
        .map(|(mut stream, _)| {
            let mut byte = [0; 1];
            stream.read_exact(&mut byte).unwrap();
            byte[0]
        })
        .collect();
    seen.sort_unstable();
    assert_eq!(seen, [0, 1, 2]);
}

#[test]
fn listener_and_accepted_streams_are_nonblocking_and_close_on_exec() {
    let (mut poll, mut events) = init_with_poll();
    let dir = TempDir::new();
    let path = dir.path("flags.sock");
    let mut listener = UnixListener::bind(&path).unwrap();
    util::assert_nonblocking(&listener);
    util::assert_close_on_exec(&listener);

    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)
        .unwrap();
    let _client = UnixStream::connect(&path).unwrap();
    let (stream, _) = accept_n(&mut poll, &mut events, &listener, 1)
        .pop()
        .unwrap();
    util::assert_nonblocking(&stream);
    util::assert_close_on_exec(&stream);
}

#[test]
fn deregister_stops_events() {
    let (mut poll, mut events) = init_with_poll();
    let dir = TempDir::new();
    let path = dir.path("quiet.sock");
    let mut listener = UnixListener::bind(&path).unwrap();
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)
        .unwrap();
    poll.registry().deregister(&mut listener).unwrap();

    let _client = UnixStream::connect(&path).unwrap();
    expect_no_events(&mut poll, &mut events);
}

#[test]
fn reregister_replaces_the_token() {
    let (mut poll, mut events) = init_with_poll();
    let dir = TempDir::new();
    let path = dir.path("moved.sock");
    let mut listener = UnixListener::bind(&path).unwrap();
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)
        .unwrap();
    poll.registry()
        .reregister(&mut listener, OTHER, Interest::READABLE)
        .unwrap();

    let _client = UnixStream::connect(&path).unwrap();
    expect_event(&mut poll, &mut events, OTHER, Interest::READABLE);
    assert!(events.iter().all(|e| e.token() == OTHER));
}

#[test]
fn registration_misuse_is_reported() {
    let dir = TempDir::new();
    let mut listener = UnixListener::bind(dir.path("misuse.sock")).unwrap();
    assert_registration_misuse_is_reported(&mut listener, LISTENER);
}

#[test]
fn take_error_is_none_on_a_fresh_listener() {
    let dir = TempDir::new();
    let listener = UnixListener::bind(dir.path("fresh.sock")).unwrap();
    assert!(listener.take_error().unwrap().is_none());
}

#[test]
fn from_std_wraps_a_listener() {
    let (mut poll, mut events) = init_with_poll();
    let dir = TempDir::new();
    let path = dir.path("std.sock");
    let std_listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    std_listener.set_nonblocking(true).unwrap();
    let mut listener = UnixListener::from_std(std_listener);
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)
        .unwrap();

    let _client = std::os::unix::net::UnixStream::connect(&path).unwrap();
    assert_eq!(accept_n(&mut poll, &mut events, &listener, 1).len(), 1);
}

#[test]
fn converts_to_std_and_descriptors() {
    use std::os::fd::{AsFd, AsRawFd, FromRawFd, IntoRawFd, OwnedFd};

    let dir = TempDir::new();
    let path = dir.path("convert.sock");
    let listener = UnixListener::bind(&path).unwrap();
    assert_eq!(listener.as_fd().as_raw_fd(), listener.as_raw_fd());

    let listener = UnixListener::from(OwnedFd::from(listener));
    let raw = listener.into_raw_fd();
    // SAFETY: `raw` came from `into_raw_fd` just above, so it is an open
    // socket that nothing else owns.
    let listener = unsafe { UnixListener::from_raw_fd(raw) };
    assert_eq!(listener.local_addr().unwrap().as_pathname(), Some(&*path));

    let std_listener: std::os::unix::net::UnixListener = listener.into();
    assert_would_block(std_listener.accept());
}

#[test]
fn debug_names_the_socket() {
    let dir = TempDir::new();
    let listener = UnixListener::bind(dir.path("debug.sock")).unwrap();
    let text = format!("{listener:?}");
    assert!(text.contains("UnixListener"), "{text}");
}
