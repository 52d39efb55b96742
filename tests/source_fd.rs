#![cfg(all(unix, feature = "os-ext"))]

mod util;

use std::io::{self, Read, Write};
use std::net::Shutdown;
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;

use metal_io::unix::SourceFd;
use metal_io::{Interest, Token};

use util::{
    assert_error_kind, expect_event, expect_no_events, init_with_poll, read_until_would_block,
    write_until_would_block, Readiness,
};

const TOKEN: Token = Token(5);

/// Returns a connected, non-blocking pair of Unix stream sockets.
fn socket_pair() -> (UnixStream, UnixStream) {
    let (a, b) = UnixStream::pair().unwrap();
    a.set_nonblocking(true).unwrap();
    b.set_nonblocking(true).unwrap();
    (a, b)
}

/// Returns a descriptor number that was open and is closed now.
///
/// The number sits high in the table, where no other test's descriptors
/// land while lower numbers are free, so it stays closed.
fn closed_descriptor() -> RawFd {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a live `rlimit` for the kernel to fill in.
    assert_eq!(
        unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) },
        0
    );
    let high = limit.rlim_cur.min(4096) as RawFd - 1;

    let (a, _b) = UnixStream::pair().unwrap();
    // SAFETY: `a` keeps its descriptor open for the call, which makes a
    // new, close-on-exec descriptor that this function owns.
    let fd = unsafe { libc::fcntl(a.as_raw_fd(), libc::F_DUPFD_CLOEXEC, high) };
    assert_ne!(fd, -1, "{}", io::Error::last_os_error());
    // SAFETY: `fd` was made above and nothing else uses it.
    assert_eq!(unsafe { libc::close(fd) }, 0);
    fd
}

#[test]
#[cfg_attr(
    metal_io_force_poll,
    ignore = "the poll(2) selector cannot see a SourceFd's WouldBlock, so it reports one event per registration"
)]
fn readable_edge_repeats_only_after_would_block_and_new_data() {
    let (mut poll, mut events) = init_with_poll();
    let (mut a, mut b) = socket_pair();
    let fd = a.as_raw_fd();
    poll.registry()
        .register(&mut SourceFd(&fd), TOKEN, Interest::READABLE)
        .unwrap();

    b.write_all(b"hello").unwrap();
    expect_event(&mut poll, &mut events, TOKEN, Interest::READABLE);

    // Partly read: still readable, but no second event for the same edge.
    let mut two = [0; 2];
    a.read_exact(&mut two).unwrap();
    expect_no_events(&mut poll, &mut events);

    assert_eq!(read_until_would_block(&mut a), b"llo");
    expect_no_events(&mut poll, &mut events);

    b.write_all(b"again").unwrap();
    expect_event(&mut poll, &mut events, TOKEN, Interest::READABLE);
    assert_eq!(read_until_would_block(&mut a), b"again");
}

#[test]
#[cfg_attr(
    metal_io_force_poll,
    ignore = "the poll(2) selector cannot see a SourceFd's WouldBlock, so it reports one event per registration"
)]
fn writable_edge_repeats_after_room_is_made() {
    let (mut poll, mut events) = init_with_poll();
    let (mut a, mut b) = socket_pair();
    let fd = a.as_raw_fd();
    poll.registry()
        .register(&mut SourceFd(&fd), TOKEN, Interest::WRITABLE)
        .unwrap();
    expect_event(&mut poll, &mut events, TOKEN, Interest::WRITABLE);
    expect_no_events(&mut poll, &mut events);

    let written = write_until_would_block(&mut a);
    expect_no_events(&mut poll, &mut events);
    assert_eq!(read_until_would_block(&mut b).len(), written);
    expect_event(&mut poll, &mut events, TOKEN, Interest::WRITABLE);
}

#[test]
fn peer_shutdown_closes_read_side() {
    let (mut poll, mut events) = init_with_poll();
    let (mut a, b) = socket_pair();
    let fd = a.as_raw_fd();
    poll.registry()
        .register(&mut SourceFd(&fd), TOKEN, Interest::READABLE)
        .unwrap();

    b.shutdown(Shutdown::Write).unwrap();
    expect_event(&mut poll, &mut events, TOKEN, Readiness::ReadClosed);
    assert_eq!(a.read(&mut [0; 8]).unwrap(), 0);
}

#[test]
fn invalid_descriptor_is_ebadf() {
    let (poll, _) = init_with_poll();
    let fd: RawFd = -1;
    let err = poll
        .registry()
        .register(&mut SourceFd(&fd), TOKEN, Interest::READABLE)
        .unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::EBADF), "{err:?}");

    // Which error depends on the backend: epoll checks the descriptor
    // first (`EBADF`), the poll(2) backend finds no registration (`ENOENT`).
    let reregister = poll
        .registry()
        .reregister(&mut SourceFd(&fd), TOKEN, Interest::READABLE);
    let deregister = poll.registry().deregister(&mut SourceFd(&fd));
    for result in [reregister, deregister] {
        let err = result.unwrap_err();
        let code = err.raw_os_error();
        assert!(
            code == Some(libc::EBADF) || code == Some(libc::ENOENT),
            "{err:?}"
        );
    }
}

#[test]
fn closed_descriptor_is_ebadf() {
    let (poll, _) = init_with_poll();
    let fd = closed_descriptor();
    let err = poll
        .registry()
        .register(&mut SourceFd(&fd), TOKEN, Interest::READABLE)
        .unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::EBADF), "{err:?}");
}

#[test]
fn register_twice_is_already_exists() {
    let (poll, _) = init_with_poll();
    let (a, _b) = socket_pair();
    let fd = a.as_raw_fd();
    poll.registry()
        .register(&mut SourceFd(&fd), TOKEN, Interest::READABLE)
        .unwrap();
    assert_error_kind(
        poll.registry()
            .register(&mut SourceFd(&fd), Token(6), Interest::WRITABLE),
        io::ErrorKind::AlreadyExists,
    );
}

#[test]
fn unregistered_descriptor_is_not_found() {
    let (poll, _) = init_with_poll();
    let (a, _b) = socket_pair();
    let fd = a.as_raw_fd();
    assert_error_kind(
        poll.registry()
            .reregister(&mut SourceFd(&fd), TOKEN, Interest::READABLE),
        io::ErrorKind::NotFound,
    );
    assert_error_kind(
        poll.registry().deregister(&mut SourceFd(&fd)),
        io::ErrorKind::NotFound,
    );
}

#[test]
fn deregistered_descriptor_gives_no_events() {
    let (mut poll, mut events) = init_with_poll();
    let (a, mut b) = socket_pair();
    let fd = a.as_raw_fd();
    poll.registry()
        .register(&mut SourceFd(&fd), TOKEN, Interest::READABLE)
        .unwrap();
    b.write_all(b"pending").unwrap();
    poll.registry().deregister(&mut SourceFd(&fd)).unwrap();
    expect_no_events(&mut poll, &mut events);
}

#[test]
fn boxed_source_forwards_registration() {
    let (mut poll, mut events) = init_with_poll();
    let (a, mut b) = socket_pair();
    let fd = a.as_raw_fd();
    let mut boxed: Box<dyn metal_io::event::Source + '_> = Box::new(SourceFd(&fd));
    poll.registry()
        .register(&mut boxed, TOKEN, Interest::READABLE)
        .unwrap();
    b.write_all(b"x").unwrap();
    expect_event(&mut poll, &mut events, TOKEN, Interest::READABLE);
    poll.registry().deregister(&mut boxed).unwrap();
}

#[test]
fn debug_shows_the_descriptor() {
    let fd: RawFd = 42;
    assert_eq!(format!("{:?}", SourceFd(&fd)), "SourceFd(42)");
}
