//! TCP sockets on Unix: `socket(2)`, `bind(2)`, `listen(2)`, `connect(2)`
//! and `accept4(2)`.
//!
//! Strategy: sockets are created non-blocking and close-on-exec (see
//! [`super::net`]) and handed to the public types as std sockets. Listeners
//! set `SO_REUSEADDR`, so a server can bind its port again right after a
//! restart while old connections sit in `TIME_WAIT`. `connect` only starts
//! the handshake; its outcome arrives later as a writable event.
//!
//! Risks: a connect interrupted by a signal (`EINTR`) goes on in the
//! background on every Unix system, so it is treated like `EINPROGRESS`;
//! its failure, if any, is reported through `SO_ERROR` as usual.

use std::io::{self, IoSlice};
use std::net::{self, SocketAddr};
use std::os::fd::AsFd;

use rustix::io::Errno;
use rustix::net::sockopt;
use rustix::net::SocketType;

use super::net::{family, socket, LISTEN_BACKLOG};

/// Creates a listening socket bound to `addr`, with `SO_REUSEADDR` set.
pub(crate) fn bind(addr: SocketAddr) -> io::Result<net::TcpListener> {
    let fd = socket(family(&addr), SocketType::STREAM)?;
    sockopt::set_socket_reuseaddr(&fd, true)?;
    rustix::net::bind(&fd, &addr)?;
    rustix::net::listen(&fd, LISTEN_BACKLOG)?;
    Ok(net::TcpListener::from(fd))
}

/// Creates a socket and starts connecting it to `addr` without waiting for
/// the handshake.
pub(crate) fn connect(addr: SocketAddr) -> io::Result<net::TcpStream> {
    let fd = socket(family(&addr), SocketType::STREAM)?;
    match rustix::net::connect(&fd, &addr) {
        Ok(()) | Err(Errno::INPROGRESS) | Err(Errno::INTR) => {}
        Err(e) => return Err(e.into()),
    }
    Ok(net::TcpStream::from(fd))
}

/// Accepts one pending connection as a non-blocking, close-on-exec stream.
pub(crate) fn accept(listener: &net::TcpListener) -> io::Result<(net::TcpStream, SocketAddr)> {
    let (fd, addr) = super::net::accept(listener.as_fd())?;
    let stream = net::TcpStream::from(fd);

    // The kernel fills in the peer's address; asking again is a fallback
    // for a kernel that leaves it out.
    let addr = match addr.map(SocketAddr::try_from) {
        Some(Ok(addr)) => addr,
        _ => stream.peer_addr()?,
    };
    Ok((stream, addr))
}

/// Sends `buf` on a connected stream without raising `SIGPIPE`.
pub(crate) fn write(stream: &net::TcpStream, buf: &[u8]) -> io::Result<usize> {
    super::net::send(stream, buf)
}

/// Sends `bufs` on a connected stream without raising `SIGPIPE`.
pub(crate) fn write_vectored(stream: &net::TcpStream, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
    super::net::send_vectored(stream, bufs)
}
