//! TCP sockets on Windows: std's `bind` and `accept`, and a connect that
//! does not wait (`WSASocketW` and `connect`).
//!
//! Strategy: listeners and accepted streams come from std and are switched
//! to non-blocking mode (see [`super::net`]). Listeners do not set
//! `SO_REUSEADDR`: on Windows it lets another socket take over a port in
//! use, rather than reuse one in `TIME_WAIT`. `connect` makes a
//! non-blocking socket and starts the handshake; `connect` then fails with
//! `WSAEWOULDBLOCK`, and the outcome arrives later as a writable event (or
//! an error event, with the error in `SO_ERROR`).
//!
//! Risks: none beyond those of socket creation.

use std::io::{self, IoSlice, Write};
use std::net::{self, SocketAddr};
use std::os::windows::io::AsRawSocket;

use windows_sys::Win32::Networking::WinSock::{
    connect as wsa_connect, IPPROTO_TCP, SOCKET, SOCKET_ERROR, SOCK_STREAM, WSAEWOULDBLOCK,
};

use super::net::{socket, RawAddr};

/// Creates a non-blocking listening socket bound to `addr`.
pub(crate) fn bind(addr: SocketAddr) -> io::Result<net::TcpListener> {
    let listener = net::TcpListener::bind(addr)?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}

/// Creates a socket and starts connecting it to `addr` without waiting for
/// the handshake.
pub(crate) fn connect(addr: SocketAddr) -> io::Result<net::TcpStream> {
    let stream = net::TcpStream::from(socket(&addr, SOCK_STREAM, IPPROTO_TCP)?);
    stream.set_nonblocking(true)?;

    let (raw, len) = RawAddr::new(&addr);
    // SAFETY: `raw` is a live socket address of `len` bytes that Winsock
    // only reads during the call; the socket is open.
    let ret = unsafe { wsa_connect(stream.as_raw_socket() as SOCKET, raw.as_ptr(), len) };
    if ret == SOCKET_ERROR {
        let err = io::Error::last_os_error();
        if err.raw_os_error() != Some(WSAEWOULDBLOCK) {
            return Err(err);
        }
    }
    Ok(stream)
}

/// Accepts one pending connection as a non-blocking stream.
pub(crate) fn accept(listener: &net::TcpListener) -> io::Result<(net::TcpStream, SocketAddr)> {
    let (stream, addr) = listener.accept()?;
    stream.set_nonblocking(true)?;
    Ok((stream, addr))
}

/// Sends `buf` on a connected stream (`send`, through std). Windows has no
/// `SIGPIPE` to guard against.
pub(crate) fn write(stream: &net::TcpStream, buf: &[u8]) -> io::Result<usize> {
    let mut stream = stream;
    stream.write(buf)
}

/// Sends `bufs` on a connected stream (`WSASend`, through std).
pub(crate) fn write_vectored(stream: &net::TcpStream, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
    let mut stream = stream;
    stream.write_vectored(bufs)
}
