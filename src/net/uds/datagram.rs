//! `UnixDatagram`: a non-blocking Unix-domain datagram socket.

use std::io;
use std::net::Shutdown;
use std::os::unix::net::{self, SocketAddr};
use std::path::Path;

use crate::io_source::IoSource;
use crate::sys;

/// A non-blocking Unix-domain datagram socket.
///
/// Sends and receives fail with `WouldBlock` instead of waiting. Register
/// the socket for [`Interest::READABLE`](crate::Interest::READABLE) to hear
/// of arriving datagrams, and receive until `WouldBlock` after each event,
/// as the [readiness contract](crate::Poll#the-readiness-contract)
/// requires. See [the module docs](crate::net#datagrams-and-short-buffers)
/// on buffer sizes.
///
/// # Examples
///
#[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
#[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
/// use std::time::Duration;
/// use metal_io::net::UnixDatagram;
/// use metal_io::{Events, Interest, Poll, Token};
///
/// # fn main() -> std::io::Result<()> {
/// let mut poll = Poll::new()?;
/// let mut events = Events::with_capacity(8);
///
/// let (a, mut b) = UnixDatagram::pair()?;
/// poll.registry().register(&mut b, Token(0), Interest::READABLE)?;
///
/// a.send(b"ping")?;
/// let mut buf = [0; 16];
/// let n = loop {
///     match b.recv(&mut buf) {
///         Ok(n) => break n,
///         Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
///             poll.poll(&mut events, Some(Duration::from_secs(5)))?;
///         }
///         Err(e) => return Err(e),
///     }
/// };
/// assert_eq!(&buf[..n], b"ping");
/// # Ok(())
/// # }
/// ```
pub struct UnixDatagram {
    inner: IoSource<net::UnixDatagram>,
}

impl UnixDatagram {
    /// Creates a Unix-domain datagram socket bound to `path`.
    ///
    /// # Errors
    ///
    /// - `ErrorKind::AddrInUse` if a file exists at `path`.
    /// - `ErrorKind::InvalidInput` if `path` is too long for a socket
    ///   address or contains a NUL byte.
    /// - Other OS errors are passed through unchanged.
    pub fn bind<P: AsRef<Path>>(path: P) -> io::Result<UnixDatagram> {
        let addr = SocketAddr::from_pathname(path)?;
        UnixDatagram::bind_addr(&addr)
    }

    /// Creates a Unix-domain datagram socket bound to `address`: a path, or
    /// an abstract name on Linux and Android.
    ///
    /// # Errors
    ///
    /// - `ErrorKind::AddrInUse` if the address is taken.
    /// - `ErrorKind::InvalidInput` for an unnamed address on systems other
    ///   than Linux and Android.
    /// - Other OS errors are passed through unchanged.
    ///
    /// # Platform-specific behavior
    ///
    /// On Linux and Android an unnamed `address` binds the socket to an
    /// abstract name the kernel picks (autobind).
    pub fn bind_addr(address: &SocketAddr) -> io::Result<UnixDatagram> {
        sys::uds::bind_datagram(address).map(UnixDatagram::from_std)
    }

    /// Wraps a std datagram socket.
    ///
    /// Nothing about the socket is changed: the caller puts it in
    /// non-blocking mode first (`set_nonblocking(true)`), or operations on
    /// it block the event loop.
    pub fn from_std(socket: net::UnixDatagram) -> UnixDatagram {
        UnixDatagram {
            inner: IoSource::new(socket),
        }
    }

    /// Sets the socket's one peer, the socket bound at `path`: `send` goes
    /// there, and only datagrams from it are received.
    ///
    /// # Errors
    ///
    /// - `ErrorKind::NotFound` if nothing exists at `path`.
    /// - `ErrorKind::ConnectionRefused` if no socket is bound at `path`.
    /// - Other OS errors are passed through unchanged.
    pub fn connect<P: AsRef<Path>>(&self, path: P) -> io::Result<()> {
        self.inner.connect(path)
    }

    /// Creates a Unix-domain datagram socket bound to no address.
    ///
    /// It can send with [`UnixDatagram::send_to`], but nothing can be sent
    /// to it except by a peer it has connected to.
    ///
    /// # Errors
    ///
    /// OS errors (such as `EMFILE`) are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use metal_io::net::UnixDatagram;
    ///
    /// let socket = UnixDatagram::unbound()?;
    /// assert!(socket.local_addr()?.is_unnamed());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn unbound() -> io::Result<UnixDatagram> {
        sys::uds::unbound_datagram().map(UnixDatagram::from_std)
    }

    /// Creates a pair of connected, unnamed datagram sockets
    /// (`socketpair(2)`), both non-blocking and close-on-exec.
    ///
    /// # Errors
    ///
    /// OS errors (such as `EMFILE`) are passed through unchanged.
    pub fn pair() -> io::Result<(UnixDatagram, UnixDatagram)> {
        let (a, b) = sys::uds::datagram_pair()?;
        Ok((UnixDatagram::from_std(a), UnixDatagram::from_std(b)))
    }

    /// Returns the address this socket is bound to.
    ///
    /// # Errors
    ///
    /// OS errors from `getsockname(2)` are passed through unchanged.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }

    /// Returns the address of the connected peer.
    ///
    /// # Errors
    ///
    /// - `ErrorKind::NotConnected` if the socket is not connected.
    /// - Other OS errors from `getpeername(2)` are passed through unchanged.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.peer_addr()
    }

    /// Receives one datagram, returning its length and sender.
    ///
    /// # Errors
    ///
    /// - `ErrorKind::WouldBlock` when no datagram is waiting.
    /// - Other OS errors are passed through unchanged.
    pub fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.inner.do_io(|inner| inner.recv_from(buf))
    }

    /// Receives one datagram from the connected peer.
    ///
    /// # Errors
    ///
    /// - `ErrorKind::WouldBlock` when no datagram is waiting.
    /// - Other OS errors are passed through unchanged.
    pub fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.do_io(|inner| inner.recv(buf))
    }

    /// Sends one datagram to the socket bound at `path`.
    ///
    /// # Errors
    ///
    /// - `ErrorKind::WouldBlock` when the receiver's queue is full.
    /// - `ErrorKind::NotFound` or `ErrorKind::ConnectionRefused` when no
    ///   socket is bound at `path`.
    /// - Other OS errors are passed through unchanged.
    pub fn send_to<P: AsRef<Path>>(&self, buf: &[u8], path: P) -> io::Result<usize> {
        self.inner.do_io(|inner| inner.send_to(buf, path))
    }

    /// Sends one datagram to the connected peer.
    ///
    /// # Errors
    ///
    /// - `ErrorKind::WouldBlock` when the peer's queue is full.
    /// - `ErrorKind::NotConnected` (or the OS error `EDESTADDRREQ`) if the
    ///   socket is not connected.
    /// - `ErrorKind::ConnectionRefused` when the peer has been closed.
    /// - Other OS errors are passed through unchanged.
    pub fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.inner.do_io(|inner| inner.send(buf))
    }

    /// Returns and clears the socket's pending error (`SO_ERROR`).
    ///
    /// `Ok(None)` means no error was pending.
    ///
    /// # Errors
    ///
    /// OS errors from `getsockopt(2)` itself are passed through unchanged.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.inner.take_error()
    }

    /// Shuts down receiving, sending, or both (`shutdown(2)`).
    ///
    /// # Errors
    ///
    /// - `ErrorKind::NotConnected` on some systems if the socket is not
    ///   connected.
    /// - Other OS errors are passed through unchanged.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.inner.shutdown(how)
    }

    /// Runs `f`, an I/O operation of the caller's on this socket, in the
    /// way metal-io runs its own.
    ///
    /// Use it for system calls metal-io does not wrap (for example
    /// `recvmsg(2)` to receive descriptors). `f` must return the
    /// operation's result unchanged, and `WouldBlock` when the operation
    /// would block: backends that emulate edge-triggered readiness re-arm
    /// the socket on seeing it. Without this wrapper such a backend may
    /// never report the socket ready again.
    ///
    /// # Errors
    ///
    /// Whatever `f` returns.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use std::io;
    /// use std::os::fd::AsRawFd;
    /// use metal_io::net::UnixDatagram;
    ///
    /// let (a, b) = UnixDatagram::pair()?;
    /// b.send(b"ping")?;
    ///
    /// let mut buf = [0; 16];
    /// let n = a.try_io(|| {
    ///     let fd = a.as_raw_fd();
    ///     // SAFETY: `buf` is writable for `buf.len()` bytes and `fd`
    ///     // stays open while `a` is borrowed.
    ///     let n = unsafe { libc::recv(fd, buf.as_mut_ptr().cast(), buf.len(), 0) };
    ///     if n < 0 {
    ///         Err(io::Error::last_os_error())
    ///     } else {
    ///         Ok(n as usize)
    ///     }
    /// })?;
    /// assert_eq!(&buf[..n], b"ping");
    /// # Ok::<(), io::Error>(())
    /// ```
    pub fn try_io<F, T>(&self, f: F) -> io::Result<T>
    where
        F: FnOnce() -> io::Result<T>,
    {
        self.inner.do_io(|_| f())
    }
}

impl_os_handle!(UnixDatagram, net::UnixDatagram);
