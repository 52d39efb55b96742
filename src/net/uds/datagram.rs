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
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use std::io::ErrorKind;
    /// use metal_io::net::UnixDatagram;
    ///
    /// # let pid = std::process::id();
    /// # let name = format!("metal-io-doc-dgram-bind-{pid}");
    /// # let dir = std::env::temp_dir().join(name);
    /// # let _ = std::fs::remove_dir_all(&dir);
    /// # std::fs::create_dir_all(&dir)?;
    /// let path = dir.join("server.sock");
    /// let _server = UnixDatagram::bind(&path)?;
    /// assert!(path.exists());
    ///
    /// // The path is taken for as long as the socket file exists.
    /// let err = UnixDatagram::bind(&path).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::AddrInUse);
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
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
    ///
    /// # Examples
    ///
    #[cfg_attr(
        all(target_os = "linux", feature = "os-poll", feature = "net"),
        doc = "```"
    )]
    #[cfg_attr(
        not(all(target_os = "linux", feature = "os-poll", feature = "net")),
        doc = "```ignore"
    )]
    /// use std::os::linux::net::SocketAddrExt;
    /// use std::os::unix::net::{self, SocketAddr};
    /// use metal_io::net::UnixDatagram;
    ///
    /// let name = format!("metal-io-doc-dgram-{}", std::process::id());
    /// let addr = SocketAddr::from_abstract_name(name.as_bytes())?;
    /// let server = UnixDatagram::bind_addr(&addr)?;
    /// let bound = server.local_addr()?;
    /// assert_eq!(bound.as_abstract_name(), Some(name.as_bytes()));
    ///
    /// let client = net::UnixDatagram::unbound()?;
    /// client.send_to_addr(b"ping", &addr)?;
    /// let mut buf = [0; 16];
    /// assert_eq!(server.recv(&mut buf)?, 4);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn bind_addr(address: &SocketAddr) -> io::Result<UnixDatagram> {
        sys::uds::bind_datagram(address).map(UnixDatagram::from_std)
    }

    /// Wraps a std datagram socket.
    ///
    /// Nothing about the socket is changed: the caller puts it in
    /// non-blocking mode first (`set_nonblocking(true)`), or operations on
    /// it block the event loop.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use std::io::ErrorKind;
    /// use metal_io::net::UnixDatagram;
    ///
    /// let (a, b) = std::os::unix::net::UnixDatagram::pair()?;
    /// a.set_nonblocking(true)?;
    /// let a = UnixDatagram::from_std(a);
    ///
    /// b.send(b"ping")?;
    /// let mut buf = [0; 16];
    /// assert_eq!(a.recv(&mut buf)?, 4);
    /// // The queue is empty now, and the socket does not wait.
    /// let err = a.recv(&mut buf).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::WouldBlock);
    /// # Ok::<(), std::io::Error>(())
    /// ```
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
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use metal_io::net::UnixDatagram;
    ///
    /// # let pid = std::process::id();
    /// # let name = format!("metal-io-doc-dgram-connect-{pid}");
    /// # let dir = std::env::temp_dir().join(name);
    /// # let _ = std::fs::remove_dir_all(&dir);
    /// # std::fs::create_dir_all(&dir)?;
    /// let path = dir.join("server.sock");
    /// let server = UnixDatagram::bind(&path)?;
    /// let client = UnixDatagram::unbound()?;
    /// client.connect(&path)?;
    ///
    /// client.send(b"hello")?;
    /// let mut buf = [0; 16];
    /// let n = server.recv(&mut buf)?;
    /// assert_eq!(&buf[..n], b"hello");
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
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
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use metal_io::net::UnixDatagram;
    ///
    /// let (a, b) = UnixDatagram::pair()?;
    /// assert!(a.local_addr()?.is_unnamed());
    ///
    /// a.send(b"ping")?;
    /// let mut buf = [0; 16];
    /// let n = b.recv(&mut buf)?;
    /// assert_eq!(&buf[..n], b"ping");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn pair() -> io::Result<(UnixDatagram, UnixDatagram)> {
        let (a, b) = sys::uds::datagram_pair()?;
        Ok((UnixDatagram::from_std(a), UnixDatagram::from_std(b)))
    }

    /// Returns the address this socket is bound to.
    ///
    /// # Errors
    ///
    /// OS errors from `getsockname(2)` are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use metal_io::net::UnixDatagram;
    ///
    /// # let pid = std::process::id();
    /// # let name = format!("metal-io-doc-dgram-local-addr-{pid}");
    /// # let dir = std::env::temp_dir().join(name);
    /// # let _ = std::fs::remove_dir_all(&dir);
    /// # std::fs::create_dir_all(&dir)?;
    /// let path = dir.join("socket.sock");
    /// let bound = UnixDatagram::bind(&path)?;
    /// assert_eq!(bound.local_addr()?.as_pathname(), Some(path.as_path()));
    ///
    /// let unbound = UnixDatagram::unbound()?;
    /// assert!(unbound.local_addr()?.is_unnamed());
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }

    /// Returns the address of the connected peer.
    ///
    /// # Errors
    ///
    /// - `ErrorKind::NotConnected` if the socket is not connected.
    /// - Other OS errors from `getpeername(2)` are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use std::io::ErrorKind;
    /// use metal_io::net::UnixDatagram;
    ///
    /// # let pid = std::process::id();
    /// # let name = format!("metal-io-doc-dgram-peer-addr-{pid}");
    /// # let dir = std::env::temp_dir().join(name);
    /// # let _ = std::fs::remove_dir_all(&dir);
    /// # std::fs::create_dir_all(&dir)?;
    /// let path = dir.join("server.sock");
    /// let _server = UnixDatagram::bind(&path)?;
    /// let client = UnixDatagram::unbound()?;
    /// let err = client.peer_addr().unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::NotConnected);
    ///
    /// client.connect(&path)?;
    /// assert_eq!(client.peer_addr()?.as_pathname(), Some(path.as_path()));
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.peer_addr()
    }

    /// Receives one datagram, returning its length and sender.
    ///
    /// # Errors
    ///
    /// - `ErrorKind::WouldBlock` when no datagram is waiting.
    /// - Other OS errors are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use metal_io::net::UnixDatagram;
    ///
    /// # let pid = std::process::id();
    /// # let name = format!("metal-io-doc-dgram-recv-from-{pid}");
    /// # let dir = std::env::temp_dir().join(name);
    /// # let _ = std::fs::remove_dir_all(&dir);
    /// # std::fs::create_dir_all(&dir)?;
    /// let server_path = dir.join("server.sock");
    /// let client_path = dir.join("client.sock");
    /// let server = UnixDatagram::bind(&server_path)?;
    /// let client = UnixDatagram::bind(&client_path)?;
    ///
    /// client.send_to(b"hello", &server_path)?;
    /// let mut buf = [0; 16];
    /// let (n, from) = server.recv_from(&mut buf)?;
    /// assert_eq!(&buf[..n], b"hello");
    /// assert_eq!(from.as_pathname(), Some(client_path.as_path()));
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.inner.do_io(|inner| inner.recv_from(buf))
    }

    /// Receives one datagram from the connected peer.
    ///
    /// # Errors
    ///
    /// - `ErrorKind::WouldBlock` when no datagram is waiting.
    /// - Other OS errors are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use std::io::ErrorKind;
    /// use metal_io::net::UnixDatagram;
    ///
    /// let (a, b) = UnixDatagram::pair()?;
    /// a.send(b"one")?;
    /// a.send(b"three")?;
    ///
    /// // Each call takes exactly one datagram off the queue.
    /// let mut buf = [0; 16];
    /// assert_eq!(b.recv(&mut buf)?, 3);
    /// assert_eq!(b.recv(&mut buf)?, 5);
    /// assert_eq!(&buf[..5], b"three");
    /// let err = b.recv(&mut buf).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::WouldBlock);
    /// # Ok::<(), std::io::Error>(())
    /// ```
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
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use metal_io::net::UnixDatagram;
    ///
    /// # let pid = std::process::id();
    /// # let name = format!("metal-io-doc-dgram-send-to-{pid}");
    /// # let dir = std::env::temp_dir().join(name);
    /// # let _ = std::fs::remove_dir_all(&dir);
    /// # std::fs::create_dir_all(&dir)?;
    /// let path = dir.join("server.sock");
    /// let server = UnixDatagram::bind(&path)?;
    /// let client = UnixDatagram::unbound()?;
    ///
    /// assert_eq!(client.send_to(b"hello", &path)?, 5);
    /// let mut buf = [0; 16];
    /// let n = server.recv(&mut buf)?;
    /// assert_eq!(&buf[..n], b"hello");
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
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
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use metal_io::net::UnixDatagram;
    ///
    /// let (a, b) = UnixDatagram::pair()?;
    /// assert_eq!(a.send(b"ping")?, 4);
    /// let mut buf = [0; 16];
    /// let n = b.recv(&mut buf)?;
    /// assert_eq!(&buf[..n], b"ping");
    ///
    /// // A socket with no peer has nowhere to send to.
    /// let lone = UnixDatagram::unbound()?;
    /// assert!(lone.send(b"ping").is_err());
    /// # Ok::<(), std::io::Error>(())
    /// ```
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
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use metal_io::net::UnixDatagram;
    ///
    /// let (a, b) = UnixDatagram::pair()?;
    /// a.send(b"ping")?;
    ///
    /// // Healthy sockets have no pending error.
    /// assert!(a.take_error()?.is_none());
    /// assert!(b.take_error()?.is_none());
    /// # Ok::<(), std::io::Error>(())
    /// ```
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
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use std::io::ErrorKind;
    /// use std::net::Shutdown;
    /// use metal_io::net::UnixDatagram;
    ///
    /// let (a, _b) = UnixDatagram::pair()?;
    /// a.shutdown(Shutdown::Write)?;
    ///
    /// // Sending is refused from now on.
    /// let err = a.send(b"late").unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::BrokenPipe);
    /// # Ok::<(), std::io::Error>(())
    /// ```
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
