//! Non-blocking TCP, UDP and Unix-domain sockets.
//!
//! Every type here wraps the matching std socket, is non-blocking from the
//! moment metal-io creates it, and implements [`Source`](crate::event::Source)
//! so it can be registered with a [`Poll`](crate::Poll). An operation that
//! would have to wait fails with [`ErrorKind::WouldBlock`] instead; wait
//! for the next event and try again, as the
//! [readiness contract](crate::Poll#the-readiness-contract) describes.
//!
//! | Type | Socket | Platforms |
//! |---|---|---|
//! | [`TcpListener`] | TCP, listening | all |
//! | [`TcpStream`] | TCP, connected | all |
//! | [`UdpSocket`] | UDP | all |
//! | [`UnixListener`] | Unix-domain stream, listening | Unix |
//! | [`UnixStream`] | Unix-domain stream, connected | Unix |
//! | [`UnixDatagram`] | Unix-domain datagram | Unix |
//!
//! Sockets created by metal-io are also close-on-exec, and writing to a
//! connection whose peer has gone away fails with an error (such as
//! `ErrorKind::BrokenPipe` or `ErrorKind::ConnectionReset`) rather than
//! raising `SIGPIPE`. Apple systems have no per-call flag for that, so there
//! it holds for sockets with `SO_NOSIGPIPE` set, which metal-io sets on every
//! socket it creates or accepts; a socket from `from_std` keeps whatever its
//! creator set.
//!
//! # Datagrams and short buffers
//!
//! A datagram ([`UdpSocket`], [`UnixDatagram`]) is received whole or not at
//! all: what does not fit in the buffer passed to a receive call is gone.
//! Unix systems fill the buffer and drop the rest silently, so a result equal
//! to the buffer's length may mean the datagram was cut short. Windows fails
//! the call with `WSAEMSGSIZE` instead. metal-io passes either outcome through
//! unchanged; receive into a buffer as large as the largest datagram
//! expected (65,507 bytes covers any UDP payload over IPv4).
//!
//! # Examples
//!
//! A socket says when it would have to wait, instead of waiting:
//!
#![cfg_attr(feature = "os-poll", doc = "```")]
#![cfg_attr(not(feature = "os-poll"), doc = "```ignore")]
//! use std::io::ErrorKind;
//! use metal_io::net::UdpSocket;
//!
//! let socket = UdpSocket::bind("127.0.0.1:0".parse().unwrap())?;
//! let err = socket.recv_from(&mut [0; 16]).unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::WouldBlock);
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! [`ErrorKind::WouldBlock`]: std::io::ErrorKind::WouldBlock

/// Implements, for a socket type whose `inner` field is an `IoSource` of
/// the std type `$std`: the conversions to and from the OS's socket handle
/// (descriptors on Unix, sockets on Windows) and back into `$std`, `Source`
/// and `Debug`.
macro_rules! impl_os_handle {
    ($ty:ident, $std:ty) => {
        impl From<$ty> for $std {
            /// Unwraps the std socket. It stays non-blocking; deregister the
            /// socket first if it was registered.
            fn from(socket: $ty) -> $std {
                socket.inner.into_inner()
            }
        }

        #[cfg(unix)]
        $crate::macros::impl_fd_conversions!(
            /// Takes ownership of a socket descriptor.
            ///
            /// The descriptor must be a socket of the right kind, and should
            /// already be in non-blocking mode: this conversion changes
            /// nothing about it.
            $ty, $std => $ty::from_std
        );

        #[cfg(windows)]
        impl std::os::windows::io::AsRawSocket for $ty {
            fn as_raw_socket(&self) -> std::os::windows::io::RawSocket {
                std::os::windows::io::AsRawSocket::as_raw_socket(&*self.inner)
            }
        }

        #[cfg(windows)]
        impl std::os::windows::io::AsSocket for $ty {
            fn as_socket(&self) -> std::os::windows::io::BorrowedSocket<'_> {
                std::os::windows::io::AsSocket::as_socket(&*self.inner)
            }
        }

        #[cfg(windows)]
        impl std::os::windows::io::IntoRawSocket for $ty {
            fn into_raw_socket(self) -> std::os::windows::io::RawSocket {
                std::os::windows::io::IntoRawSocket::into_raw_socket(self.inner.into_inner())
            }
        }

        #[cfg(windows)]
        impl From<$ty> for std::os::windows::io::OwnedSocket {
            fn from(socket: $ty) -> std::os::windows::io::OwnedSocket {
                socket.inner.into_inner().into()
            }
        }

        /// Takes ownership of a socket handle.
        ///
        /// The handle must be a socket of the right kind, and should
        /// already be in non-blocking mode: this conversion changes
        /// nothing about it.
        #[cfg(windows)]
        impl std::os::windows::io::FromRawSocket for $ty {
            unsafe fn from_raw_socket(socket: std::os::windows::io::RawSocket) -> $ty {
                // SAFETY: the caller guarantees that `socket` is an open
                // socket handle that it owns and hands over to us.
                $ty::from_std(unsafe {
                    <$std as std::os::windows::io::FromRawSocket>::from_raw_socket(socket)
                })
            }
        }

        /// Takes ownership of a socket handle.
        ///
        /// The handle must be a socket of the right kind, and should
        /// already be in non-blocking mode: this conversion changes
        /// nothing about it.
        #[cfg(windows)]
        impl From<std::os::windows::io::OwnedSocket> for $ty {
            fn from(socket: std::os::windows::io::OwnedSocket) -> $ty {
                $ty::from_std(<$std>::from(socket))
            }
        }

        $crate::macros::impl_source_via_inner!($ty);

        impl std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Debug::fmt(&self.inner, f)
            }
        }
    };
}

mod tcp;
pub use self::tcp::{TcpListener, TcpStream};

mod udp;
pub use self::udp::UdpSocket;

#[cfg(unix)]
mod uds;
#[cfg(unix)]
#[cfg_attr(docsrs, doc(cfg(unix)))]
pub use self::uds::{UnixListener, UnixStream};
// Emscripten's Unix-domain sockets are stream-only.
#[cfg(all(unix, not(target_os = "emscripten")))]
#[cfg_attr(docsrs, doc(cfg(unix)))]
pub use self::uds::UnixDatagram;
