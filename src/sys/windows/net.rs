//! Socket plumbing for the TCP and UDP helpers on Windows: starting
//! Winsock, creating a socket, and writing a socket address.
//!
//! Strategy: std creates, binds and accepts sockets that child processes do
//! not inherit (`WSA_FLAG_NO_HANDLE_INHERIT`), so listeners, UDP sockets
//! and accepted streams come from std and are then switched to
//! non-blocking mode (`ioctlsocket` with `FIONBIO`, through std). Only an
//! outgoing TCP connection is made here, because std's `connect` waits for
//! the handshake: [`socket`] makes a socket with `WSASocketW`, with the same
//! flags std uses, for the caller to switch and connect.
//!
//! Risks: Winsock must be started before the first socket call. std starts
//! it when it first makes a socket; [`socket`] starts it itself
//! (`WSAStartup`, once per process and never undone), for a program whose
//! first socket is an outgoing connection.

use std::net::SocketAddr;
use std::os::windows::io::{FromRawSocket, OwnedSocket, RawSocket};
use std::sync::Once;
use std::{io, mem, ptr};

use windows_sys::Win32::Networking::WinSock::{
    WSASocketW, WSAStartup, AF_INET, AF_INET6, IN6_ADDR, IN6_ADDR_0, INVALID_SOCKET, IN_ADDR,
    IN_ADDR_0, SOCKADDR, SOCKADDR_IN, SOCKADDR_IN6, SOCKADDR_IN6_0, WSADATA,
    WSA_FLAG_NO_HANDLE_INHERIT, WSA_FLAG_OVERLAPPED,
};

/// Creates a socket of `kind` and `protocol` for `addr`'s family
/// (`WSASocketW`): overlapped and not inherited by child processes, as std
/// makes them. It is still in blocking mode.
pub(crate) fn socket(addr: &SocketAddr, kind: i32, protocol: i32) -> io::Result<OwnedSocket> {
    start_winsock();
    let family = match addr {
        SocketAddr::V4(_) => AF_INET,
        SocketAddr::V6(_) => AF_INET6,
    };
    let flags = WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT;
    // SAFETY: no protocol-info structure is passed; Winsock checks the
    // family, type and protocol.
    let socket = unsafe { WSASocketW(i32::from(family), kind, protocol, ptr::null(), 0, flags) };
    if socket == INVALID_SOCKET {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: the socket was just created and nothing else owns it.
    Ok(unsafe { OwnedSocket::from_raw_socket(socket as RawSocket) })
}

/// Starts Winsock once per process (`WSAStartup`, version 2.2).
fn start_winsock() {
    static START: Once = Once::new();
    START.call_once(|| {
        // SAFETY: all-zero bits are a valid `WSADATA` (integers, byte
        // arrays and a pointer that is only ever written).
        let mut data: WSADATA = unsafe { mem::zeroed() };
        // SAFETY: `data` is a live local the call fills in. A failure
        // shows up as the error of the socket call that follows.
        unsafe { WSAStartup(0x0202, &mut data) };
    });
}

/// A socket address in the layout Winsock takes.
#[repr(C)]
pub(crate) union RawAddr {
    v4: SOCKADDR_IN,
    v6: SOCKADDR_IN6,
}

impl RawAddr {
    /// Writes `addr` in Winsock's layout; returns it and its length.
    pub(crate) fn new(addr: &SocketAddr) -> (RawAddr, i32) {
        match addr {
            SocketAddr::V4(addr) => {
                let raw = SOCKADDR_IN {
                    sin_family: AF_INET,
                    sin_port: addr.port().to_be(),
                    sin_addr: IN_ADDR {
                        S_un: IN_ADDR_0 {
                            S_addr: u32::from_ne_bytes(addr.ip().octets()),
                        },
                    },
                    sin_zero: [0; 8],
                };
                (RawAddr { v4: raw }, mem::size_of::<SOCKADDR_IN>() as i32)
            }
            SocketAddr::V6(addr) => {
                let raw = SOCKADDR_IN6 {
                    sin6_family: AF_INET6,
                    sin6_port: addr.port().to_be(),
                    sin6_flowinfo: addr.flowinfo(),
                    sin6_addr: IN6_ADDR {
                        u: IN6_ADDR_0 {
                            Byte: addr.ip().octets(),
                        },
                    },
                    Anonymous: SOCKADDR_IN6_0 {
                        sin6_scope_id: addr.scope_id(),
                    },
                };
                (RawAddr { v6: raw }, mem::size_of::<SOCKADDR_IN6>() as i32)
            }
        }
    }

    pub(crate) fn as_ptr(&self) -> *const SOCKADDR {
        (self as *const RawAddr).cast()
    }
}
