#![cfg(all(feature = "os-poll", feature = "net"))]

mod util;

use std::io::{self, Write};
use std::net::SocketAddr;
use std::time::Instant;

use metal_io::net::{TcpListener, TcpStream};
use metal_io::{Events, Interest, Poll, Token};

use util::{
    any_local_address, any_local_ipv6_address, assert_error_kind,
    assert_registration_misuse_is_reported, assert_would_block, expect_event, expect_no_events,
    init_with_poll, EVENT_TIMEOUT,
};

const LISTENER: Token = Token(0);
const OTHER: Token = Token(1);

/// Accepts until `WouldBlock` and returns the accepted streams.
#[track_caller]
fn accept_all(listener: &TcpListener) -> Vec<(TcpStream, SocketAddr)> {
    let mut accepted = Vec::new();
    for _ in 0..1000 {
        match listener.accept() {
            Ok(pair) => accepted.push(pair),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return accepted,
            Err(e) => panic!("accept failed: {e}"),
        }
    }
    panic!("accept never returned WouldBlock");
}

/// Accepts `count` connections, polling between attempts, within
/// [`EVENT_TIMEOUT`].
#[track_caller]
fn accept_n(
    poll: &mut Poll,
    events: &mut Events,
    listener: &TcpListener,
    count: usize,
) -> Vec<(TcpStream, SocketAddr)> {
    let deadline = Instant::now() + EVENT_TIMEOUT;
    let mut accepted = accept_all(listener);
    while accepted.len() < count {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(
            !left.is_zero(),
            "only {} connections accepted",
            accepted.len()
        );
        poll.poll(events, Some(left)).unwrap();
        accepted.extend(accept_all(listener));
    }
    accepted
}

#[test]
fn bind_picks_a_port() {
    let listener = TcpListener::bind(any_local_address()).unwrap();
    let addr = listener.local_addr().unwrap();
    assert_eq!(addr.ip(), any_local_address().ip());
    assert_ne!(addr.port(), 0);
}

#[test]
fn bind_over_ipv6() {
    let listener = match TcpListener::bind(any_local_ipv6_address()) {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("skipped: this host has no IPv6 loopback ({e})");
            return;
        }
    };
    assert!(listener.local_addr().unwrap().is_ipv6());
}

#[test]
fn bind_to_a_listening_address_is_addr_in_use() {
    let listener = TcpListener::bind(any_local_address()).unwrap();
    let addr = listener.local_addr().unwrap();
    assert_error_kind(TcpListener::bind(addr), io::ErrorKind::AddrInUse);
}

#[test]
#[cfg(unix)]
fn bind_reuses_an_address_held_in_time_wait() {
    use std::io::Read;

    let (mut poll, mut events) = init_with_poll();
    let mut listener = TcpListener::bind(any_local_address()).unwrap();
    let addr = listener.local_addr().unwrap();
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)
        .unwrap();

    // The server side closes first, which leaves its end of the connection
    // (on the listening port) in TIME_WAIT.
    let mut client = TcpStream::connect(addr).unwrap();
    let (server, _) = accept_n(&mut poll, &mut events, &listener, 1)
        .pop()
        .unwrap();
    drop(server);
    poll.registry()
        .register(&mut client, OTHER, Interest::READABLE)
        .unwrap();
    expect_event(&mut poll, &mut events, OTHER, util::Readiness::ReadClosed);
    assert_eq!(client.read(&mut [0; 8]).unwrap(), 0);
    drop(client);
    drop(listener);

    // Without SO_REUSEADDR this bind would fail with AddrInUse.
    let again = TcpListener::bind(addr).unwrap();
    assert_eq!(again.local_addr().unwrap(), addr);
}

#[test]
fn accept_would_block_without_connections() {
    let listener = TcpListener::bind(any_local_address()).unwrap();
    assert_would_block(listener.accept());
}

#[test]
fn readable_is_edge_triggered() {
    let (mut poll, mut events) = init_with_poll();
    let mut listener = TcpListener::bind(any_local_address()).unwrap();
    let addr = listener.local_addr().unwrap();
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)
        .unwrap();

    let _first = TcpStream::connect(addr).unwrap();
    expect_event(&mut poll, &mut events, LISTENER, Interest::READABLE);
    let accepted = accept_n(&mut poll, &mut events, &listener, 1);
    assert_eq!(accepted.len(), 1);

    // Drained: no new event until another connection arrives.
    expect_no_events(&mut poll, &mut events);

    let _second = TcpStream::connect(addr).unwrap();
    expect_event(&mut poll, &mut events, LISTENER, Interest::READABLE);
    assert_eq!(accept_n(&mut poll, &mut events, &listener, 1).len(), 1);
}

#[test]
fn accepts_every_waiting_connection() {
    let (mut poll, mut events) = init_with_poll();
    let mut listener = TcpListener::bind(any_local_address()).unwrap();
    let addr = listener.local_addr().unwrap();
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)
        .unwrap();

    let clients: Vec<TcpStream> = (0..5).map(|_| TcpStream::connect(addr).unwrap()).collect();
    let accepted = accept_n(&mut poll, &mut events, &listener, clients.len());
    assert_eq!(accepted.len(), clients.len());

    // Each accepted peer address is one of the clients' local addresses.
    let mut client_addrs: Vec<SocketAddr> =
        clients.iter().map(|c| c.local_addr().unwrap()).collect();
    let mut peer_addrs: Vec<SocketAddr> = accepted.iter().map(|(_, addr)| *addr).collect();
    client_addrs.sort();
    peer_addrs.sort();
    assert_eq!(client_addrs, peer_addrs);
    for (stream, addr) in &accepted {
        assert_eq!(stream.peer_addr().unwrap(), *addr);
    }
}

#[test]
fn accepted_streams_carry_data() {
    let (mut poll, mut events) = init_with_poll();
    let mut listener = TcpListener::bind(any_local_address()).unwrap();
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)
        .unwrap();
    let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (mut server, _) = accept_n(&mut poll, &mut events, &listener, 1)
        .pop()
        .unwrap();

    poll.registry()
        .register(&mut client, OTHER, Interest::READABLE)
        .unwrap();
    server.write_all(b"welcome").unwrap();
    expect_event(&mut poll, &mut events, OTHER, Interest::READABLE);
    assert_eq!(util::read_until_would_block(&mut client), b"welcome");
}

#[test]
#[cfg(unix)]
fn listener_and_accepted_streams_are_nonblocking_and_close_on_exec() {
    let (mut poll, mut events) = init_with_poll();
    let mut listener = TcpListener::bind(any_local_address()).unwrap();
    util::assert_nonblocking(&listener);
    util::assert_close_on_exec(&listener);

    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)
        .unwrap();
    let _client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (server, _) = accept_n(&mut poll, &mut events, &listener, 1)
        .pop()
        .unwrap();
    util::assert_nonblocking(&server);
    util::assert_close_on_exec(&server);
}

#[test]
fn deregister_stops_events() {
    let (mut poll, mut events) = init_with_poll();
    let mut listener = TcpListener::bind(any_local_address()).unwrap();
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)
        .unwrap();
    poll.registry().deregister(&mut listener).unwrap();

    let _client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    expect_no_events(&mut poll, &mut events);
}

#[test]
fn reregister_replaces_the_token() {
    let (mut poll, mut events) = init_with_poll();
    let mut listener = TcpListener::bind(any_local_address()).unwrap();
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)
        .unwrap();
    poll.registry()
        .reregister(&mut listener, OTHER, Interest::READABLE)
        .unwrap();

    let _client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    expect_event(&mut poll, &mut events, OTHER, Interest::READABLE);
    assert!(events.iter().all(|e| e.token() == OTHER));
}

#[test]
fn registration_misuse_is_reported() {
    let mut listener = TcpListener::bind(any_local_address()).unwrap();
    assert_registration_misuse_is_reported(&mut listener, LISTENER);
}

#[test]
fn ttl_round_trips() {
    let listener = TcpListener::bind(any_local_address()).unwrap();
    listener.set_ttl(33).unwrap();
    assert_eq!(listener.ttl().unwrap(), 33);
}

#[test]
fn take_error_is_none_on_a_fresh_listener() {
    let listener = TcpListener::bind(any_local_address()).unwrap();
    assert!(listener.take_error().unwrap().is_none());
}

#[test]
fn from_std_wraps_a_listener() {
    let (mut poll, mut events) = init_with_poll();
    let std_listener = std::net::TcpListener::bind(any_local_address()).unwrap();
    std_listener.set_nonblocking(true).unwrap();
    let mut listener = TcpListener::from_std(std_listener);
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)
        .unwrap();

    let _client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    assert_eq!(accept_n(&mut poll, &mut events, &listener, 1).len(), 1);
}

#[test]
fn converts_into_a_std_listener() {
    let listener = TcpListener::bind(any_local_address()).unwrap();
    let addr = listener.local_addr().unwrap();
    let std_listener: std::net::TcpListener = listener.into();
    assert_eq!(std_listener.local_addr().unwrap(), addr);
    // Still non-blocking.
    assert_would_block(std_listener.accept());
}

#[test]
#[cfg(unix)]
fn converts_to_and_from_descriptors() {
    use std::os::fd::{AsFd, AsRawFd, FromRawFd, IntoRawFd, OwnedFd};

    let listener = TcpListener::bind(any_local_address()).unwrap();
    let addr = listener.local_addr().unwrap();
    let raw = listener.as_raw_fd();
    assert_eq!(listener.as_fd().as_raw_fd(), raw);

    let owned = OwnedFd::from(listener);
    let listener = TcpListener::from(owned);
    assert_eq!(listener.local_addr().unwrap(), addr);

    let raw = listener.into_raw_fd();
    // SAFETY: `raw` came from `into_raw_fd` just above, so it is an open
    // socket that nothing else owns.
    let listener = unsafe { TcpListener::from_raw_fd(raw) };
    assert_eq!(listener.local_addr().unwrap(), addr);
    assert_would_block(listener.accept());
}

#[test]
fn debug_names_the_socket() {
    let listener = TcpListener::bind(any_local_address()).unwrap();
    let text = format!("{listener:?}");
    assert!(text.contains("TcpListener"), "{text}");
}
