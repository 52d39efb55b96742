#![cfg(all(feature = "os-poll", feature = "net"))]

mod util;

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Instant;

use metal_io::net::UdpSocket;
use metal_io::{Events, Interest, Poll, Token};

use util::{
    any_local_address, any_local_ipv6_address, assert_error_kind,
    assert_registration_misuse_is_reported, assert_would_block, expect_event, expect_no_events,
    expect_readable_only_for, init_with_poll, EVENT_TIMEOUT,
};

const ID1: Token = Token(1);
const ID2: Token = Token(2);

/// Largest UDP payload over IPv4, so no datagram is ever cut short.
const MAX_DATAGRAM: usize = 65_507;

fn bind() -> UdpSocket {
    UdpSocket::bind(any_local_address()).unwrap()
}

/// Binds an IPv6 loopback socket, or returns `None` on a host without one.
fn bind_ipv6() -> Option<UdpSocket> {
    match UdpSocket::bind(any_local_ipv6_address()) {
        Ok(socket) => Some(socket),
        Err(e) => {
            eprintln!("skipped: this host has no IPv6 loopback ({e})");
            None
        }
    }
}

/// Receives one datagram on a registered socket, polling between attempts,
/// within [`EVENT_TIMEOUT`].
#[track_caller]
fn recv_from_wait(
    poll: &mut Poll,
    events: &mut Events,
    socket: &UdpSocket,
) -> (Vec<u8>, SocketAddr) {
    let deadline = Instant::now() + EVENT_TIMEOUT;
    let mut buf = vec![0; MAX_DATAGRAM];
    loop {
        match socket.recv_from(&mut buf) {
            Ok((n, from)) => return (buf[..n].to_vec(), from),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => panic!("recv_from failed: {e}"),
        }
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "no datagram arrived");
        poll.poll(events, Some(left)).unwrap();
    }
}

/// Receives datagrams until `WouldBlock`.
#[track_caller]
fn recv_all(socket: &UdpSocket) -> Vec<Vec<u8>> {
    let mut buf = vec![0; MAX_DATAGRAM];
    let mut datagrams = Vec::new();
    for _ in 0..1000 {
        match socket.recv(&mut buf) {
            Ok(n) => datagrams.push(buf[..n].to_vec()),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return datagrams,
            Err(e) => panic!("recv failed: {e}"),
        }
    }
    panic!("recv never returned WouldBlock");
}

#[test]
fn bind_picks_a_port() {
    let socket = bind();
    let addr = socket.local_addr().unwrap();
    assert_eq!(addr.ip(), any_local_address().ip());
    assert_ne!(addr.port(), 0);
}

#[test]
fn send_to_and_recv_from() {
    let (mut poll, mut events) = init_with_poll();
    let sender = bind();
    let mut receiver = bind();
    poll.registry()
        .register(&mut receiver, ID1, Interest::READABLE)
        .unwrap();

    let n = sender
        .send_to(b"hello", receiver.local_addr().unwrap())
        .unwrap();
    assert_eq!(n, 5);
    let (data, from) = recv_from_wait(&mut poll, &mut events, &receiver);
    assert_eq!(data, b"hello");
    assert_eq!(from, sender.local_addr().unwrap());
}

#[test]
fn send_to_and_recv_from_over_ipv6() {
    let (mut poll, mut events) = init_with_poll();
    let Some(sender) = bind_ipv6() else { return };
    let Some(mut receiver) = bind_ipv6() else {
        return;
    };
    poll.registry()
        .register(&mut receiver, ID1, Interest::READABLE)
        .unwrap();

    sender
        .send_to(b"six", receiver.local_addr().unwrap())
        .unwrap();
    let (data, from) = recv_from_wait(&mut poll, &mut events, &receiver);
    assert_eq!(data, b"six");
    assert_eq!(from, sender.local_addr().unwrap());
}

#[test]
fn readable_is_edge_triggered() {
    let (mut poll, mut events) = init_with_poll();
    let sender = bind();
    let mut receiver = bind();
    let to = receiver.local_addr().unwrap();
    sender.connect(to).unwrap();
    poll.registry()
        .register(&mut receiver, ID1, Interest::READABLE)
        .unwrap();

    sender.send(b"one").unwrap();
    sender.send(b"two").unwrap();
    expect_event(&mut poll, &mut events, ID1, Interest::READABLE);
    let mut received = recv_all(&receiver);
    // The second datagram may trail the first event; wait for it.
    while received.len() < 2 {
        let (data, _) = recv_from_wait(&mut poll, &mut events, &receiver);
        received.push(data);
        received.extend(recv_all(&receiver));
    }
    assert_eq!(received, [b"one".to_vec(), b"two".to_vec()]);

    expect_no_events(&mut poll, &mut events);

    sender.send(b"three").unwrap();
    expect_event(&mut poll, &mut events, ID1, Interest::READABLE);
    assert_eq!(recv_all(&receiver), [b"three".to_vec()]);
}

#[test]
fn writable_after_register() {
    let (mut poll, mut events) = init_with_poll();
    let mut socket = bind();
    poll.registry()
        .register(&mut socket, ID1, Interest::WRITABLE)
        .unwrap();
    expect_event(&mut poll, &mut events, ID1, Interest::WRITABLE);
}

#[test]
fn datagram_boundaries_are_kept() {
    let (mut poll, mut events) = init_with_poll();
    let sender = bind();
    let mut receiver = bind();
    poll.registry()
        .register(&mut receiver, ID1, Interest::READABLE)
        .unwrap();

    let to = receiver.local_addr().unwrap();
    let big = vec![7u8; 4000];
    sender.send_to(b"a", to).unwrap();
    sender.send_to(&big, to).unwrap();
    sender.send_to(b"", to).unwrap();

    assert_eq!(recv_from_wait(&mut poll, &mut events, &receiver).0, b"a");
    assert_eq!(recv_from_wait(&mut poll, &mut events, &receiver).0, big);
    assert_eq!(recv_from_wait(&mut poll, &mut events, &receiver).0, b"");
}

#[test]
fn peek_from_leaves_the_datagram_queued() {
    let (mut poll, mut events) = init_with_poll();
    let sender = bind();
    let mut receiver = bind();
    poll.registry()
        .register(&mut receiver, ID1, Interest::READABLE)
        .unwrap();

    sender
        .send_to(b"peeked", receiver.local_addr().unwrap())
        .unwrap();
    expect_event(&mut poll, &mut events, ID1, Interest::READABLE);

    let mut buf = [0; 16];
    let (n, from) = receiver.peek_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"peeked");
    assert_eq!(from, sender.local_addr().unwrap());
    let (n, _) = receiver.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"peeked");
    assert_would_block(receiver.recv_from(&mut buf));
}

#[test]
fn receive_calls_would_block_without_data() {
    let socket = bind();
    let mut buf = [0; 8];
    assert_would_block(socket.recv_from(&mut buf));
    assert_would_block(socket.peek_from(&mut buf));
}

#[test]
fn connected_send_recv_and_peek() {
    let (mut poll, mut events) = init_with_poll();
    let mut a = bind();
    let b = bind();
    a.connect(b.local_addr().unwrap()).unwrap();
    b.connect(a.local_addr().unwrap()).unwrap();
    assert_eq!(a.peer_addr().unwrap(), b.local_addr().unwrap());
    poll.registry()
        .register(&mut a, ID1, Interest::READABLE)
        .unwrap();

    assert_eq!(b.send(b"connected").unwrap(), 9);
    expect_event(&mut poll, &mut events, ID1, Interest::READABLE);
    let mut buf = [0; 16];
    assert_eq!(a.peek(&mut buf).unwrap(), 9);
    assert_eq!(a.recv(&mut buf).unwrap(), 9);
    assert_eq!(&buf[..9], b"connected");
    assert_would_block(a.recv(&mut buf));
    assert_would_block(a.peek(&mut buf));
}

#[test]
fn connected_socket_drops_datagrams_from_others() {
    let (mut poll, mut events) = init_with_poll();
    let mut receiver = bind();
    let peer = bind();
    let stranger = bind();
    receiver.connect(peer.local_addr().unwrap()).unwrap();
    poll.registry()
        .register(&mut receiver, ID1, Interest::READABLE)
        .unwrap();

    let to = receiver.local_addr().unwrap();
    stranger.send_to(b"stranger", to).unwrap();
    peer.send_to(b"peer", to).unwrap();

    let (data, from) = recv_from_wait(&mut poll, &mut events, &receiver);
    assert_eq!(data, b"peer");
    assert_eq!(from, peer.local_addr().unwrap());
    assert!(recv_all(&receiver).is_empty());
}

#[test]
fn send_on_an_unconnected_socket_fails() {
    let socket = bind();
    assert_error_kind(socket.peer_addr(), io::ErrorKind::NotConnected);
    assert!(socket.send(b"nowhere").is_err());
}

#[test]
#[cfg_attr(
    not(any(target_os = "linux", target_os = "android")),
    ignore = "relies on Linux reporting ICMP port unreachable to a UDP socket"
)]
fn send_to_a_closed_port_is_reported_as_refused() {
    let (mut poll, mut events) = init_with_poll();
    let closed = bind().local_addr().unwrap();
    let mut socket = bind();
    socket.connect(closed).unwrap();
    poll.registry()
        .register(&mut socket, ID1, Interest::READABLE)
        .unwrap();

    socket.send(b"anyone?").unwrap();
    expect_event(&mut poll, &mut events, ID1, util::Readiness::Error);
    let err = socket.take_error().unwrap().expect("no pending error");
    assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused);
    assert!(socket.take_error().unwrap().is_none());
}

#[test]
fn broadcast_round_trips() {
    let socket = bind();
    assert!(!socket.broadcast().unwrap());
    socket.set_broadcast(true).unwrap();
    assert!(socket.broadcast().unwrap());
    socket.set_broadcast(false).unwrap();
    assert!(!socket.broadcast().unwrap());
}

#[test]
fn multicast_v4_options_round_trip() {
    let socket = bind();
    socket.set_multicast_loop_v4(false).unwrap();
    assert!(!socket.multicast_loop_v4().unwrap());
    socket.set_multicast_loop_v4(true).unwrap();
    assert!(socket.multicast_loop_v4().unwrap());

    socket.set_multicast_ttl_v4(9).unwrap();
    assert_eq!(socket.multicast_ttl_v4().unwrap(), 9);
}

#[test]
fn multicast_v6_options_round_trip() {
    let Some(socket) = bind_ipv6() else { return };
    socket.set_multicast_loop_v6(false).unwrap();
    assert!(!socket.multicast_loop_v6().unwrap());
    socket.set_multicast_loop_v6(true).unwrap();
    assert!(socket.multicast_loop_v6().unwrap());
}

#[test]
fn ttl_round_trips() {
    let socket = bind();
    socket.set_ttl(21).unwrap();
    assert_eq!(socket.ttl().unwrap(), 21);
}

#[test]
fn join_and_leave_a_multicast_v4_group() {
    let socket = bind();
    let group = Ipv4Addr::new(224, 0, 0, 123);
    socket
        .join_multicast_v4(&group, &Ipv4Addr::LOCALHOST)
        .unwrap();
    socket
        .leave_multicast_v4(&group, &Ipv4Addr::LOCALHOST)
        .unwrap();
    // No longer a member.
    assert!(socket
        .leave_multicast_v4(&group, &Ipv4Addr::LOCALHOST)
        .is_err());
}

#[test]
fn join_a_unicast_address_is_invalid_input() {
    let socket = bind();
    let not_a_group = Ipv4Addr::new(10, 0, 0, 1);
    assert_error_kind(
        socket.join_multicast_v4(&not_a_group, &Ipv4Addr::LOCALHOST),
        io::ErrorKind::InvalidInput,
    );
}

#[test]
fn join_and_leave_a_multicast_v6_group() {
    let Some(socket) = bind_ipv6() else { return };
    let group = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0x123);
    if let Err(e) = socket.join_multicast_v6(&group, 0) {
        eprintln!("skipped: this host has no interface for IPv6 multicast ({e})");
        return;
    }
    socket.leave_multicast_v6(&group, 0).unwrap();
    assert!(socket.leave_multicast_v6(&group, 0).is_err());
}

#[test]
fn only_v6_reads_the_option() {
    if let Some(socket) = bind_ipv6() {
        // The value is the system's default; reading it must work.
        socket.only_v6().unwrap();
    }
    // An IPv4 socket has no such option.
    assert!(bind().only_v6().is_err());
}

#[test]
fn take_error_is_none_on_a_fresh_socket() {
    assert!(bind().take_error().unwrap().is_none());
}

#[test]
#[cfg(unix)]
fn sockets_are_nonblocking_and_close_on_exec() {
    let socket = bind();
    util::assert_nonblocking(&socket);
    util::assert_close_on_exec(&socket);
}

#[test]
fn deregister_stops_events() {
    let (mut poll, mut events) = init_with_poll();
    let sender = bind();
    let mut receiver = bind();
    poll.registry()
        .register(&mut receiver, ID1, Interest::READABLE)
        .unwrap();
    poll.registry().deregister(&mut receiver).unwrap();

    sender
        .send_to(b"unheard", receiver.local_addr().unwrap())
        .unwrap();
    expect_no_events(&mut poll, &mut events);
}

#[test]
fn reregister_replaces_token_and_interest() {
    let (mut poll, mut events) = init_with_poll();
    let sender = bind();
    let mut receiver = bind();
    poll.registry()
        .register(&mut receiver, ID1, Interest::WRITABLE)
        .unwrap();
    expect_event(&mut poll, &mut events, ID1, Interest::WRITABLE);
    poll.registry()
        .reregister(&mut receiver, ID2, Interest::READABLE)
        .unwrap();

    sender
        .send_to(b"moved", receiver.local_addr().unwrap())
        .unwrap();
    expect_readable_only_for(&mut poll, &mut events, ID2);
}

#[test]
fn registration_misuse_is_reported() {
    let mut socket = bind();
    assert_registration_misuse_is_reported(&mut socket, ID1);
}

#[test]
fn try_io_passes_the_result_through() {
    let socket = bind();
    assert_eq!(socket.try_io(|| Ok("done")).unwrap(), "done");
    assert_would_block(
        socket.try_io(|| -> io::Result<()> { Err(io::ErrorKind::WouldBlock.into()) }),
    );
}

#[test]
fn from_std_wraps_a_socket() {
    let (mut poll, mut events) = init_with_poll();
    let std_socket = std::net::UdpSocket::bind(any_local_address()).unwrap();
    std_socket.set_nonblocking(true).unwrap();
    let mut socket = UdpSocket::from_std(std_socket);
    poll.registry()
        .register(&mut socket, ID1, Interest::READABLE)
        .unwrap();

    let sender = bind();
    sender
        .send_to(b"std", socket.local_addr().unwrap())
        .unwrap();
    assert_eq!(recv_from_wait(&mut poll, &mut events, &socket).0, b"std");
}

#[test]
fn converts_into_a_std_socket() {
    let socket = bind();
    let addr = socket.local_addr().unwrap();
    let std_socket: std::net::UdpSocket = socket.into();
    assert_eq!(std_socket.local_addr().unwrap(), addr);
    assert_would_block(std_socket.recv_from(&mut [0; 8]));
}

#[test]
#[cfg(unix)]
fn converts_to_and_from_descriptors() {
    use std::os::fd::{AsFd, AsRawFd, FromRawFd, IntoRawFd, OwnedFd};

    let socket = bind();
    let addr = socket.local_addr().unwrap();
    assert_eq!(socket.as_fd().as_raw_fd(), socket.as_raw_fd());

    let socket = UdpSocket::from(OwnedFd::from(socket));
    assert_eq!(socket.local_addr().unwrap(), addr);

    let raw = socket.into_raw_fd();
    // SAFETY: `raw` came from `into_raw_fd` just above, so it is an open
    // socket that nothing else owns.
    let socket = unsafe { UdpSocket::from_raw_fd(raw) };
    assert_eq!(socket.local_addr().unwrap(), addr);
}

#[test]
fn debug_names_the_socket() {
    let text = format!("{:?}", bind());
    assert!(text.contains("UdpSocket"), "{text}");
}
