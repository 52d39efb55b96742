//! Socket plumbing shared by the TCP, UDP and Unix-socket helpers:
//! `socket(2)`, `socketpair(2)` and `accept4(2)`, and a vectored send that
//! never raises `SIGPIPE`.
//!
//! Strategy: every socket metal-io creates is non-blocking and close-on-exec
//! from the system call that creates it (`SOCK_NONBLOCK | SOCK_CLOEXEC`), so
//! a `fork` and `exec` on another thread never inherits it. Systems without
//! those flags (Apple's among them) get `FD_CLOEXEC` and `FIONBIO` set right
//! after creation, plus `SO_NOSIGPIPE`, because they also lack
//! `MSG_NOSIGNAL`. Everywhere else a write to a peer that has gone away is
//! sent with `MSG_NOSIGNAL` and fails with `EPIPE` instead of killing the
//! process.
//!
//! Risks: std's stream sockets pass `MSG_NOSIGNAL` for a scalar `write` on
//! only some systems, and their `write_vectored` is a plain `writev(2)`,
//! which raises `SIGPIPE`; the stream types therefore send all their writes
//! through [`send`] and [`send_vectored`]. Sockets handed in through
//! `from_std` keep whatever flags they came with.

use std::io::{self, IoSlice};
use std::os::fd::AsFd;

use rustix::net::{AddressFamily, SendAncillaryBuffer, SendFlags};

pub(crate) use self::flags::{accept, pair, socket};

/// The backlog `listen(2)` is given. The OS may cap it lower (Linux caps it
/// at `net.core.somaxconn`).
pub(crate) const LISTEN_BACKLOG: i32 = 1024;

/// Returns the address family matching an IP socket address.
pub(crate) fn family(addr: &std::net::SocketAddr) -> AddressFamily {
    match addr {
        std::net::SocketAddr::V4(_) => AddressFamily::INET,
        std::net::SocketAddr::V6(_) => AddressFamily::INET6,
    }
}

/// Sends `buf` on a connected stream socket (`send(2)`), without raising
/// `SIGPIPE` if the peer has gone away.
pub(crate) fn send<S: AsFd>(socket: &S, buf: &[u8]) -> io::Result<usize> {
    Ok(rustix::net::send(socket.as_fd(), buf, NO_SIGPIPE)?)
}

/// Sends `bufs` on a connected stream socket with one `sendmsg(2)`, without
/// raising `SIGPIPE` if the peer has gone away.
pub(crate) fn send_vectored<S: AsFd>(socket: &S, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
    let mut control = SendAncillaryBuffer::default();
    let sent = rustix::net::sendmsg(socket.as_fd(), bufs, &mut control, NO_SIGPIPE)?;
    Ok(sent)
}

/// The send flag that keeps a broken connection from raising `SIGPIPE`.
#[cfg(not(any(target_vendor = "apple", target_os = "redox", target_os = "vita")))]
const NO_SIGPIPE: SendFlags = SendFlags::NOSIGNAL;

// Limitation: these systems have no `MSG_NOSIGNAL`. On Apple systems the
// sockets metal-io creates carry `SO_NOSIGPIPE` instead, but a socket taken
// in through `from_std` or `from_raw_fd` carries it only if its creator set
// it; a write to a gone peer on one that lacks it raises `SIGPIPE` unless
// the program ignores that signal. Redox and Vita have neither mechanism.
#[cfg(any(target_vendor = "apple", target_os = "redox", target_os = "vita"))]
const NO_SIGPIPE: SendFlags = SendFlags::empty();

/// Creation with `SOCK_NONBLOCK | SOCK_CLOEXEC` in the creating call.
#[cfg(not(any(
    target_vendor = "apple",
    target_os = "aix",
    target_os = "espidf",
    target_os = "haiku",
    target_os = "horizon",
    target_os = "nto",
    target_os = "redox",
    target_os = "vita",
)))]
mod flags {
    use std::io;
    use std::os::fd::{BorrowedFd, OwnedFd};

    use rustix::net::{AddressFamily, SocketAddrAny, SocketFlags, SocketType};

    const FLAGS: SocketFlags = SocketFlags::NONBLOCK.union(SocketFlags::CLOEXEC);

    /// Creates a non-blocking, close-on-exec socket (`socket(2)`).
    pub(crate) fn socket(family: AddressFamily, kind: SocketType) -> io::Result<OwnedFd> {
        Ok(rustix::net::socket_with(family, kind, FLAGS, None)?)
    }

    /// Creates a connected pair of non-blocking, close-on-exec sockets
    /// (`socketpair(2)`).
    pub(crate) fn pair(family: AddressFamily, kind: SocketType) -> io::Result<(OwnedFd, OwnedFd)> {
        Ok(rustix::net::socketpair(family, kind, FLAGS, None)?)
    }

    /// Accepts a connection as a non-blocking, close-on-exec socket
    /// (`accept4(2)`), with the peer's address when the OS reports one.
    pub(crate) fn accept(listener: BorrowedFd<'_>) -> io::Result<(OwnedFd, Option<SocketAddrAny>)> {
        Ok(rustix::net::acceptfrom_with(listener, FLAGS)?)
    }
}

/// Creation followed by `fcntl(2)` and `ioctl(2)`, for systems whose
/// `socket(2)` takes no flags.
#[cfg(any(
    target_vendor = "apple",
    target_os = "aix",
    target_os = "espidf",
    target_os = "haiku",
    target_os = "horizon",
    target_os = "nto",
    target_os = "redox",
    target_os = "vita",
))]
mod flags {
    use std::io;
    use std::os::fd::{BorrowedFd, OwnedFd};

    use rustix::io::FdFlags;
    use rustix::net::{AddressFamily, SocketAddrAny, SocketFlags, SocketType};

    /// Creates a socket, then makes it non-blocking and close-on-exec.
    pub(crate) fn socket(family: AddressFamily, kind: SocketType) -> io::Result<OwnedFd> {
        let fd = rustix::net::socket_with(family, kind, SocketFlags::empty(), None)?;
        prepare(fd)
    }

    /// Creates a connected pair of sockets, then prepares both.
    pub(crate) fn pair(family: AddressFamily, kind: SocketType) -> io::Result<(OwnedFd, OwnedFd)> {
        let (a, b) = rustix::net::socketpair(family, kind, SocketFlags::empty(), None)?;
        Ok((prepare(a)?, prepare(b)?))
    }

    /// Accepts a connection (`accept(2)`), then prepares the new socket.
    pub(crate) fn accept(listener: BorrowedFd<'_>) -> io::Result<(OwnedFd, Option<SocketAddrAny>)> {
        let (fd, addr) = rustix::net::acceptfrom(listener)?;
        Ok((prepare(fd)?, addr))
    }

    // Limitation: between creating the socket and setting `FD_CLOEXEC`, a
    // `fork` and `exec` on another thread leaks the descriptor into the new
    // program. These systems offer no atomic way to avoid it.
    fn prepare(fd: OwnedFd) -> io::Result<OwnedFd> {
        rustix::io::fcntl_setfd(&fd, FdFlags::CLOEXEC)?;
        rustix::io::ioctl_fionbio(&fd, true)?;

        #[cfg(target_vendor = "apple")]
        rustix::net::sockopt::set_socket_nosigpipe(&fd, true)?;

        Ok(fd)
    }
}
