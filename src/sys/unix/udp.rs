//! UDP sockets on Unix: `socket(2)` and `bind(2)`, plus the one option std
//! does not read.
//!
//! Strategy: a socket is created non-blocking and close-on-exec (see
//! [`super::net`]), bound, and handed to the public type as a std socket,
//! which provides every other option.
//!
//! Risks: none beyond those of socket creation.

use std::io;
use std::net::{self, SocketAddr};

use rustix::net::{sockopt, SocketType};

use super::net::{family, socket};

/// Creates a UDP socket bound to `addr`.
pub(crate) fn bind(addr: SocketAddr) -> io::Result<net::UdpSocket> {
    let fd = socket(family(&addr), SocketType::DGRAM)?;
    rustix::net::bind(&fd, &addr)?;
    Ok(net::UdpSocket::from(fd))
}

/// Reads `IPV6_V6ONLY` (`getsockopt(2)`). An IPv4 socket has no such option
/// and the OS error (`ENOPROTOOPT` on Linux) is returned.
pub(crate) fn only_v6(socket: &net::UdpSocket) -> io::Result<bool> {
    Ok(sockopt::ipv6_v6only(socket)?)
}
