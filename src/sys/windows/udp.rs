//! UDP sockets on Windows: std's `bind`, plus the one option std does not
//! read.
//!
//! Strategy: a socket is bound by std and switched to non-blocking mode
//! (see [`super::net`]); std provides every other option.
//!
//! Risks: none beyond those of socket creation.

use std::net::{self, SocketAddr};
use std::os::windows::io::AsRawSocket;
use std::{io, mem};

use windows_sys::Win32::Networking::WinSock::{
    getsockopt, IPPROTO_IPV6, IPV6_V6ONLY, SOCKET, SOCKET_ERROR,
};

/// Creates a non-blocking UDP socket bound to `addr`.
pub(crate) fn bind(addr: SocketAddr) -> io::Result<net::UdpSocket> {
    let socket = net::UdpSocket::bind(addr)?;
    socket.set_nonblocking(true)?;
    Ok(socket)
}

/// Reads `IPV6_V6ONLY` (`getsockopt`). An IPv4 socket has no such option
/// and the OS error (`WSAEINVAL`) is returned.
pub(crate) fn only_v6(socket: &net::UdpSocket) -> io::Result<bool> {
    let mut value: u32 = 0;
    let mut len = mem::size_of::<u32>() as i32;
    // SAFETY: `value` and `len` are live locals; Winsock writes at most
    // `len` bytes into `value` and the length back into `len`.
    let ret = unsafe {
        getsockopt(
            socket.as_raw_socket() as SOCKET,
            IPPROTO_IPV6,
            IPV6_V6ONLY,
            (&mut value as *mut u32).cast(),
            &mut len,
        )
    };
    if ret == SOCKET_ERROR {
        return Err(io::Error::last_os_error());
    }
    Ok(value != 0)
}
