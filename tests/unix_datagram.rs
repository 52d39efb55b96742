#![cfg(all(unix, feature = "os-poll", feature = "net"))]

mod util;

use std::io;
use std::net::Shutdown;

use metal_io::net::UnixDatagram;
use metal_io::{Interest, Token};

use util::{
    assert_error_kind, assert_registration_misuse_is_reported, assert_would_block, expect_event,
    expect_no_events, expect_readable_only_for, init_with_poll, TempDir,
};

const ID1: Token = Token(1);
const ID2: Token = Token(2);

/// Receives datagrams until `WouldBlock`.
#[track_caller]
fn recv_all(socket: &UnixDatagram) -> Vec<Vec<u8>> {
    let mut buf = [0; 1024];
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
fn pair_exchanges_datagrams() {
    let (mut poll, mut events) = init_with_poll();
    let (a, mut b) = UnixDatagram::pair().unwrap();
    poll.registry()
        .register(&mut b, ID1, Interest::READABLE)
        .unwrap();

    assert_eq!(a.send(b"one").unwrap(), 3);
    assert_eq!(a.send(b"two!").unwrap(), 4);
    expect_event(&mut poll, &mut events, ID1, Interest::READABLE);
    assert_eq!(recv_all(&b), [b"one".to_vec(), b"two!".to_vec()]);
    assert!(a.local_addr().unwrap().is_unnamed());
    assert!(a.peer_addr().unwrap().is_unnamed());
}

#[test]
fn readable_is_edge_triggered() {
    let (mut poll, mut events) = init_with_poll();
    let (a, mut b) = UnixDatagram::pair().unwrap();
    poll.registry()
        .register(&mut b, ID1, Interest::READABLE)
        .unwrap();

    a.send(b"first").unwrap();
    expect_event(&mut poll, &mut events, ID1, Interest::READABLE);
    assert_eq!(recv_all(&b).len(), 1);
    expect_no_events(&mut poll, &mut events);

    a.send(b"second").unwrap();
    expect_event(&mut poll, &mut events, ID1, Interest::READABLE);
    assert_eq!(recv_all(&b), [b"second".to_vec()]);
}

#[test]
fn bound_sockets_exchange_by_path() {
    let (mut poll, mut events) = init_with_poll();
    let dir = TempDir::new();
    let path_a = dir.path("a.sock");
    let path_b = dir.path("b.sock");
    let a = UnixDatagram::bind(&path_a).unwrap();
    let mut b = UnixDatagram::bind(&path_b).unwrap();
    assert_eq!(b.local_addr().unwrap().as_pathname(), Some(&*path_b));
    poll.registry()
        .register(&mut b, ID1, Interest::READABLE)
        .unwrap();

    assert_eq!(a.send_to(b"to b", &path_b).unwrap(), 4);
    expect_event(&mut poll, &mut events, ID1, Interest::READABLE);
    let mut buf = [0; 16];
    let (n, from) = b.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"to b");
    assert_eq!(from.as_pathname(), Some(&*path_a));
    assert_would_block(b.recv_from(&mut buf));
}

#[test]
fn unbound_socket_sends_with_an_unnamed_address() {
    let (mut poll, mut events) = init_with_poll();
    let dir = TempDir::new();
    let path = dir.path("receiver.sock");
    let mut receiver = UnixDatagram::bind(&path).unwrap();
    poll.registry()
        .register(&mut receiver, ID1, Interest::READABLE)
        .unwrap();

    let sender = UnixDatagram::unbound().unwrap();
    assert!(sender.local_addr().unwrap().is_unnamed());
    sender.send_to(b"anonymous", &path).unwrap();
    expect_event(&mut poll, &mut events, ID1, Interest::READABLE);
    let mut buf = [0; 16];
    let (n, from) = receiver.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"anonymous");
    // An unbound sender has no path to report.
    assert!(from.as_pathname().is_none());
}

#[test]
fn connect_sets_the_peer() {
    let (mut poll, mut events) = init_with_poll();
    let dir = TempDir::new();
    let path = dir.path("peer.sock");
    let mut peer = UnixDatagram::bind(&path).unwrap();
    poll.registry()
        .register(&mut peer, ID1, Interest::READABLE)
        .unwrap();

    let socket = UnixDatagram::unbound().unwrap();
    assert_error_kind(socket.peer_addr(), io::ErrorKind::NotConnected);
    socket.connect(&path).unwrap();
    assert_eq!(socket.peer_addr().unwrap().as_pathname(), Some(&*path));

    socket.send(b"connected").unwrap();
    expect_event(&mut poll, &mut events, ID1, Interest::READABLE);
    assert_eq!(recv_all(&peer), [b"connected".to_vec()]);
}

#[test]
fn connect_to_a_missing_path_is_not_found() {
    let dir = TempDir::new();
    let socket = UnixDatagram::unbound().unwrap();
    assert_error_kind(
        socket.connect(dir.path("missing.sock")),
        io::ErrorKind::NotFound,
    );
}

#[test]
fn send_to_a_closed_peer_is_refused() {
    let (a, b) = UnixDatagram::pair().unwrap();
    drop(b);
    assert_error_kind(a.send(b"gone"), io::ErrorKind::ConnectionRefused);
}

#[test]
fn bind_to_an_existing_path_is_addr_in_use() {
    let dir = TempDir::new();
    let path = dir.path("taken.sock");
    let _first = UnixDatagram::bind(&path).unwrap();
    assert_error_kind(UnixDatagram::bind(&path), io::ErrorKind::AddrInUse);
}

#[test]
#[cfg(any(target_os = "linux", target_os = "android"))]
fn bind_to_an_abstract_address() {
    #[cfg(target_os = "android")]
    use std::os::android::net::SocketAddrExt;
    #[cfg(target_os = "linux")]
    use std::os::linux::net::SocketAddrExt;
    use std::os::unix::net::SocketAddr;

    let (mut poll, mut events) = init_with_poll();
    let name = format!("metal-io-datagram-{}", std::process::id());
    let addr = SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
    let mut receiver = UnixDatagram::bind_addr(&addr).unwrap();
    assert_eq!(
        receiver.local_addr().unwrap().as_abstract_name(),
        Some(name.as_bytes())
    );
    poll.registry()
        .register(&mut receiver, ID1, Interest::READABLE)
        .unwrap();

    // std's `send_to_addr` reaches an abstract address.
    let sender = std::os::unix::net::UnixDatagram::unbound().unwrap();
    sender.send_to_addr(b"abstract", &addr).unwrap();
    expect_event(&mut poll, &mut events, ID1, Interest::READABLE);
    assert_eq!(recv_all(&receiver), [b"abstract".to_vec()]);
}

#[test]
fn receive_calls_would_block_without_data() {
    let (a, _b) = UnixDatagram::pair().unwrap();
    let mut buf = [0; 8];
    assert_would_block(a.recv(&mut buf));
    assert_would_block(a.recv_from(&mut buf));
}

#[test]
fn shutdown_stops_sending() {
    let (a, b) = UnixDatagram::pair().unwrap();
    a.shutdown(Shutdown::Write).unwrap();
    assert_error_kind(a.send(b"late"), io::ErrorKind::BrokenPipe);
    b.send(b"still arrives").unwrap();
    assert_eq!(recv_all(&a), [b"still arrives".to_vec()]);
}

#[test]
fn take_error_is_none_on_a_fresh_socket() {
    let socket = UnixDatagram::unbound().unwrap();
    assert!(socket.take_error().unwrap().is_none());
}

#[test]
fn sockets_are_nonblocking_and_close_on_exec() {
    let dir = TempDir::new();
    let bound = UnixDatagram::bind(dir.path("flags.sock")).unwrap();
    let unbound = UnixDatagram::unbound().unwrap();
    let (a, b) = UnixDatagram::pair().unwrap();
    for socket in [&bound, &unbound, &a, &b] {
        util::assert_nonblocking(socket);
        util::assert_close_on_exec(socket);
    }
}

#[test]
fn deregister_stops_events() {
    let (mut poll, mut events) = init_with_poll();
    let (a, mut b) = UnixDatagram::pair().unwrap();
    poll.registry()
        .register(&mut b, ID1, Interest::READABLE)
        .unwrap();
    poll.registry().deregister(&mut b).unwrap();

    a.send(b"unheard").unwrap();
    expect_no_events(&mut poll, &mut events);
    assert_eq!(recv_all(&b).len(), 1);
}

#[test]
fn reregister_replaces_token_and_interest() {
    let (mut poll, mut events) = init_with_poll();
    let (a, mut b) = UnixDatagram::pair().unwrap();
    poll.registry()
        .register(&mut b, ID1, Interest::WRITABLE)
        .unwrap();
    expect_event(&mut poll, &mut events, ID1, Interest::WRITABLE);
    poll.registry()
        .reregister(&mut b, ID2, Interest::READABLE)
        .unwrap();

    a.send(b"moved").unwrap();
    expect_readable_only_for(&mut poll, &mut events, ID2);
}

#[test]
fn registration_misuse_is_reported() {
    let mut socket = UnixDatagram::unbound().unwrap();
    assert_registration_misuse_is_reported(&mut socket, ID1);
}

#[test]
fn try_io_runs_a_raw_send() {
    use std::os::fd::AsRawFd;

    let (a, b) = UnixDatagram::pair().unwrap();
    let n = a
        .try_io(|| {
            let data = b"raw";
            // SAFETY: `data` is readable for its length and the descriptor
            // stays open while `a` is borrowed.
            let n = unsafe { libc::send(a.as_raw_fd(), data.as_ptr().cast(), data.len(), 0) };
            if n < 0 {
                Err(io::Error::last_os_error())
            } else {
                Ok(n as usize)
            }
        })
        .unwrap();
    assert_eq!(n, 3);
    assert_eq!(recv_all(&b), [b"raw".to_vec()]);
}

#[test]
fn from_std_wraps_a_socket() {
    let (std_a, std_b) = std::os::unix::net::UnixDatagram::pair().unwrap();
    std_b.set_nonblocking(true).unwrap();
    let b = UnixDatagram::from_std(std_b);
    std_a.send(b"std").unwrap();
    assert_eq!(recv_all(&b), [b"std".to_vec()]);
}

#[test]
fn converts_to_std_and_descriptors() {
    use std::os::fd::{AsFd, AsRawFd, FromRawFd, IntoRawFd, OwnedFd};

    let (a, b) = UnixDatagram::pair().unwrap();
    assert_eq!(a.as_fd().as_raw_fd(), a.as_raw_fd());

    let a = UnixDatagram::from(OwnedFd::from(a));
    let raw = a.into_raw_fd();
    // SAFETY: `raw` came from `into_raw_fd` just above, so it is an open
    // socket that nothing else owns.
    let a = unsafe { UnixDatagram::from_raw_fd(raw) };

    let std_a: std::os::unix::net::UnixDatagram = a.into();
    std_a.send(b"converted").unwrap();
    assert_eq!(recv_all(&b), [b"converted".to_vec()]);
}

#[test]
fn debug_names_the_socket() {
    let socket = UnixDatagram::unbound().unwrap();
    let text = format!("{socket:?}");
    assert!(text.contains("UnixDatagram"), "{text}");
}
