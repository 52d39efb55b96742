//! Unix-domain sockets: `socket(2)`, `socketpair(2)`, `bind(2)`,
//! `listen(2)`, `connect(2)` and `accept4(2)` with `AF_UNIX`.
//!
//! Strategy: sockets are created non-blocking and close-on-exec (see
//! [`super::net`]) and handed to the public types as std sockets. Addresses
//! travel as std's `SocketAddr` and are converted to rustix's
//! `SocketAddrUnix` for `bind(2)` and `connect(2)`: a path, an abstract name
//! (Linux and Android), or unnamed. An unnamed address given to `bind` asks
//! Linux and Android to pick a free abstract name ("autobind"); elsewhere it
//! is refused.
//!
//! Risks: an accepted connection costs a second system call,
//! `getpeername(2)`, because std's address type can only be built by std;
//! if that call fails the connection is closed and the error returned.

use std::io::{self, IoSlice};
use std::os::fd::AsFd;
use std::os::unix::net::{SocketAddr, UnixDatagram, UnixListener, UnixStream};

use rustix::net::{AddressFamily, SocketAddrUnix, SocketType};

#[cfg(target_os = "android")]
use std::os::android::net::SocketAddrExt;
#[cfg(target_os = "linux")]
use std::os::linux::net::SocketAddrExt;

use super::net::{pair, socket, LISTEN_BACKLOG};

/// Creates a listening stream socket bound to `addr`.
pub(crate) fn bind_listener(addr: &SocketAddr) -> io::Result<UnixListener> {
    let addr = to_rustix(addr)?;
    let fd = socket(AddressFamily::UNIX, SocketType::STREAM)?;
    rustix::net::bind(&fd, &addr)?;
    rustix::net::listen(&fd, LISTEN_BACKLOG)?;
    Ok(UnixListener::from(fd))
}

/// Accepts one pending connection as a non-blocking, close-on-exec stream.
///
/// The peer's address is read back with `getpeername(2)` rather than taken
/// from `accept4(2)`: std has no constructor for every form an address can
/// take (an unnamed one in particular), but its `peer_addr` decodes them
/// all.
pub(crate) fn accept(listener: &UnixListener) -> io::Result<(UnixStream, SocketAddr)> {
    let (fd, _) = super::net::accept(listener.as_fd())?;
    let stream = UnixStream::from(fd);
    let addr = stream.peer_addr()?;
    Ok((stream, addr))
}

/// Creates a stream socket and connects it to `addr`.
///
/// A Unix-domain connect completes at once or fails; `EAGAIN` (the
/// listener's backlog is full) comes back as `WouldBlock`.
pub(crate) fn connect(addr: &SocketAddr) -> io::Result<UnixStream> {
    let addr = to_rustix(addr)?;
    let fd = socket(AddressFamily::UNIX, SocketType::STREAM)?;
    match rustix::net::connect(&fd, &addr) {
        Ok(()) | Err(rustix::io::Errno::INPROGRESS) => {}
        Err(e) => return Err(e.into()),
    }
    Ok(UnixStream::from(fd))
}

/// Creates a connected pair of stream sockets.
pub(crate) fn stream_pair() -> io::Result<(UnixStream, UnixStream)> {
    let (a, b) = pair(AddressFamily::UNIX, SocketType::STREAM)?;
    Ok((UnixStream::from(a), UnixStream::from(b)))
}

/// Creates a datagram socket bound to `addr`.
pub(crate) fn bind_datagram(addr: &SocketAddr) -> io::Result<UnixDatagram> {
    let addr = to_rustix(addr)?;
    let fd = socket(AddressFamily::UNIX, SocketType::DGRAM)?;
    rustix::net::bind(&fd, &addr)?;
    Ok(UnixDatagram::from(fd))
}

/// Creates a datagram socket bound to no address.
pub(crate) fn unbound_datagram() -> io::Result<UnixDatagram> {
    let fd = socket(AddressFamily::UNIX, SocketType::DGRAM)?;
    Ok(UnixDatagram::from(fd))
}

/// Creates a connected pair of datagram sockets.
pub(crate) fn datagram_pair() -> io::Result<(UnixDatagram, UnixDatagram)> {
    let (a, b) = pair(AddressFamily::UNIX, SocketType::DGRAM)?;
    Ok((UnixDatagram::from(a), UnixDatagram::from(b)))
}

/// Sends `buf` on a connected stream without raising `SIGPIPE`.
pub(crate) fn write(stream: &UnixStream, buf: &[u8]) -> io::Result<usize> {
    super::net::send(stream, buf)
}

/// Sends `bufs` on a connected stream without raising `SIGPIPE`.
pub(crate) fn write_vectored(stream: &UnixStream, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
    super::net::send_vectored(stream, bufs)
}

/// Converts std's address into the form `bind(2)` and `connect(2)` take.
fn to_rustix(addr: &SocketAddr) -> io::Result<SocketAddrUnix> {
    if let Some(path) = addr.as_pathname() {
        return Ok(SocketAddrUnix::new(path)?);
    }

    #[cfg(any(target_os = "android", target_os = "linux"))]
    {
        match addr.as_abstract_name() {
            Some(name) => Ok(SocketAddrUnix::new_abstract_name(name)?),
            None => Ok(SocketAddrUnix::new_unnamed()),
        }
    }

    #[cfg(not(any(target_os = "android", target_os = "linux")))]
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        "unnamed unix socket address cannot be bound or connected to",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_converts() {
        let addr = SocketAddr::from_pathname("/tmp/metal-io.sock").unwrap();
        let converted = to_rustix(&addr).unwrap();
        assert_eq!(converted.path_bytes(), Some(&b"/tmp/metal-io.sock"[..]));
    }

    #[test]
    #[cfg(any(target_os = "android", target_os = "linux"))]
    fn abstract_name_converts() {
        let addr = SocketAddr::from_abstract_name(b"metal-io-test").unwrap();
        let converted = to_rustix(&addr).unwrap();
        assert_eq!(converted.abstract_name(), Some(&b"metal-io-test"[..]));
    }

    #[test]
    #[cfg(any(target_os = "android", target_os = "linux"))]
    fn unnamed_converts() {
        let addr = UnixDatagram::unbound().unwrap().local_addr().unwrap();
        assert!(addr.is_unnamed());
        assert!(to_rustix(&addr).unwrap().is_unnamed());
    }

    #[test]
    #[cfg(not(any(target_os = "android", target_os = "linux")))]
    fn unnamed_is_refused() {
        let addr = UnixDatagram::unbound().unwrap().local_addr().unwrap();
        let err = to_rustix(&addr).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }
}
