//! `UnixStream`: a non-blocking Unix-domain stream connection.

use std::io;
use std::net::Shutdown;
use std::os::unix::net::{self, SocketAddr};
use std::path::Path;

use crate::io_source::IoSource;
use crate::sys;

/// A non-blocking Unix-domain stream connection.
///
/// Reads and writes fail with `WouldBlock` instead of waiting. Register the
/// stream for [`Interest::READABLE`](crate::Interest::READABLE) and/or
/// [`Interest::WRITABLE`](crate::Interest::WRITABLE), and after each event
/// read or write until `WouldBlock`, as the
/// [readiness contract](crate::Poll#the-readiness-contract) requires.
///
/// [`Read`] and [`Write`] are implemented for `UnixStream` and for
/// `&UnixStream`, so one thread can read while another writes.
///
/// # Examples
///
#[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
#[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
/// use std::io::{Read, Write};
/// use std::time::Duration;
/// use metal_io::net::UnixStream;
/// use metal_io::{Events, Interest, Poll, Token};
///
/// # fn main() -> std::io::Result<()> {
/// let mut poll = Poll::new()?;
/// let mut events = Events::with_capacity(8);
///
/// let (mut a, mut b) = UnixStream::pair()?;
/// poll.registry().register(&mut b, Token(0), Interest::READABLE)?;
///
/// a.write_all(b"hello")?;
/// let mut buf = [0; 5];
/// loop {
///     match b.read_exact(&mut buf) {
///         Ok(()) => break,
///         Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
///             poll.poll(&mut events, Some(Duration::from_secs(5)))?;
///         }
///         Err(e) => return Err(e),
///     }
/// }
/// assert_eq!(&buf, b"hello");
/// # Ok(())
/// # }
/// ```
///
/// [`Read`]: io::Read
/// [`Write`]: io::Write
pub struct UnixStream {
    inner: IoSource<net::UnixStream>,
}

impl UnixStream {
    /// Creates a non-blocking socket and connects it to the listener at
    /// `path`.
    ///
    /// # Errors
    ///
    /// - `ErrorKind::WouldBlock` when the listener's backlog is full; no
    ///   connection was made.
    /// - `ErrorKind::NotFound` if nothing exists at `path`.
    /// - `ErrorKind::ConnectionRefused` if nobody listens at `path`.
    /// - `ErrorKind::InvalidInput` if `path` is too long for a socket
    ///   address or contains a NUL byte.
    /// - Other OS errors are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use std::io::{ErrorKind, Read, Write};
    /// use metal_io::net::{UnixListener, UnixStream};
    ///
    /// # let pid = std::process::id();
    /// # let name = format!("metal-io-doc-stream-connect-{pid}");
    /// # let dir = std::env::temp_dir().join(name);
    /// # let _ = std::fs::remove_dir_all(&dir);
    /// # std::fs::create_dir_all(&dir)?;
    /// let path = dir.join("server.sock");
    /// let err = UnixStream::connect(&path).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::NotFound);
    ///
    /// let listener = UnixListener::bind(&path)?;
    /// let mut client = UnixStream::connect(&path)?;
    /// let (mut server, _) = listener.accept()?;
    /// server.write_all(b"welcome")?;
    /// let mut buf = [0; 7];
    /// client.read_exact(&mut buf)?;
    /// assert_eq!(&buf, b"welcome");
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn connect<P: AsRef<Path>>(path: P) -> io::Result<UnixStream> {
        let addr = SocketAddr::from_pathname(path)?;
        UnixStream::connect_addr(&addr)
    }

    /// Creates a non-blocking socket and connects it to the listener at
    /// `address`: a path, or an abstract name on Linux and Android.
    ///
    /// # Errors
    ///
    /// - `ErrorKind::WouldBlock` when the listener's backlog is full; no
    ///   connection was made.
    /// - `ErrorKind::ConnectionRefused` if nobody listens at `address`.
    /// - Other OS errors are passed through unchanged.
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
    /// use std::os::unix::net::SocketAddr;
    /// use metal_io::net::{UnixListener, UnixStream};
    ///
    /// let name = format!("metal-io-doc-connect-{}", std::process::id());
    /// let addr = SocketAddr::from_abstract_name(name.as_bytes())?;
    /// let _listener = UnixListener::bind_addr(&addr)?;
    /// let stream = UnixStream::connect_addr(&addr)?;
    /// assert_eq!(stream.peer_addr()?.as_abstract_name(), Some(name.as_bytes()));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn connect_addr(address: &SocketAddr) -> io::Result<UnixStream> {
        sys::uds::connect(address).map(UnixStream::from_std)
    }

    /// Wraps a std stream.
    ///
    /// Nothing about the socket is changed: the caller puts it in
    /// non-blocking mode first (`set_nonblocking(true)`), or operations on
    /// it block the event loop.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use std::io::{ErrorKind, Read, Write};
    /// use metal_io::net::UnixStream;
    ///
    /// let (a, mut b) = std::os::unix::net::UnixStream::pair()?;
    /// a.set_nonblocking(true)?;
    /// let mut a = UnixStream::from_std(a);
    ///
    /// let mut buf = [0; 2];
    /// assert_eq!(a.read(&mut buf).unwrap_err().kind(), ErrorKind::WouldBlock);
    /// b.write_all(b"ok")?;
    /// a.read_exact(&mut buf)?;
    /// assert_eq!(&buf, b"ok");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn from_std(stream: net::UnixStream) -> UnixStream {
        UnixStream {
            inner: IoSource::new(stream),
        }
    }

    /// Creates a pair of connected, unnamed sockets (`socketpair(2)`), both
    /// non-blocking and close-on-exec.
    ///
    /// # Errors
    ///
    /// OS errors (such as `EMFILE`) are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use std::io::{Read, Write};
    /// use metal_io::net::UnixStream;
    ///
    /// let (mut a, mut b) = UnixStream::pair()?;
    /// a.write_all(b"hi")?;
    /// let mut buf = [0; 2];
    /// b.read_exact(&mut buf)?;
    /// assert_eq!(&buf, b"hi");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[cfg(not(target_os = "emscripten"))]
    pub fn pair() -> io::Result<(UnixStream, UnixStream)> {
        let (a, b) = sys::uds::stream_pair()?;
        Ok((UnixStream::from_std(a), UnixStream::from_std(b)))
    }

    /// Returns the address of the local end.
    ///
    /// # Errors
    ///
    /// OS errors from `getsockname(2)` are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use metal_io::net::{UnixListener, UnixStream};
    ///
    /// # let pid = std::process::id();
    /// # let name = format!("metal-io-doc-stream-local-addr-{pid}");
    /// # let dir = std::env::temp_dir().join(name);
    /// # let _ = std::fs::remove_dir_all(&dir);
    /// # std::fs::create_dir_all(&dir)?;
    /// let path = dir.join("server.sock");
    /// let listener = UnixListener::bind(&path)?;
    /// let client = UnixStream::connect(&path)?;
    /// let (server, _) = listener.accept()?;
    ///
    /// // The accepted end has the listener's address; the client never
    /// // bound its socket, so it has none.
    /// assert_eq!(server.local_addr()?.as_pathname(), Some(path.as_path()));
    /// assert!(client.local_addr()?.is_unnamed());
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }

    /// Returns the address of the peer.
    ///
    /// # Errors
    ///
    /// OS errors from `getpeername(2)` are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use metal_io::net::{UnixListener, UnixStream};
    ///
    /// # let pid = std::process::id();
    /// # let name = format!("metal-io-doc-stream-peer-addr-{pid}");
    /// # let dir = std::env::temp_dir().join(name);
    /// # let _ = std::fs::remove_dir_all(&dir);
    /// # std::fs::create_dir_all(&dir)?;
    /// let path = dir.join("server.sock");
    /// let listener = UnixListener::bind(&path)?;
    /// let client = UnixStream::connect(&path)?;
    /// let (server, _) = listener.accept()?;
    ///
    /// assert_eq!(client.peer_addr()?.as_pathname(), Some(path.as_path()));
    /// // The client is unbound, so the server sees a peer with no name.
    /// assert!(server.peer_addr()?.is_unnamed());
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.peer_addr()
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
    /// use metal_io::net::UnixStream;
    ///
    /// let (a, b) = UnixStream::pair()?;
    ///
    /// // A healthy connection has no pending error on either end.
    /// assert!(a.take_error()?.is_none());
    /// assert!(b.take_error()?.is_none());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.inner.take_error()
    }

    /// Shuts down the read half, the write half, or both halves of the
    /// connection (`shutdown(2)`).
    ///
    /// After `Shutdown::Write` the peer reads end-of-file once it has read
    /// everything sent before.
    ///
    /// # Errors
    ///
    /// - `ErrorKind::NotConnected` if the socket is not connected.
    /// - Other OS errors are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use std::io::Read;
    /// use std::net::Shutdown;
    /// use metal_io::net::UnixStream;
    ///
    /// let (a, mut b) = UnixStream::pair()?;
    /// a.shutdown(Shutdown::Write)?;
    ///
    /// // The peer now reads end-of-file rather than `WouldBlock`.
    /// let mut buf = [0; 8];
    /// assert_eq!(b.read(&mut buf)?, 0);
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
    /// use std::io::{self, Write};
    /// use std::os::fd::AsRawFd;
    /// use metal_io::net::UnixStream;
    ///
    /// let (a, mut b) = UnixStream::pair()?;
    /// b.write_all(b"hello")?;
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
    /// assert_eq!(&buf[..n], b"hello");
    /// # Ok::<(), io::Error>(())
    /// ```
    pub fn try_io<F, T>(&self, f: F) -> io::Result<T>
    where
        F: FnOnce() -> io::Result<T>,
    {
        self.inner.do_io(|_| f())
    }
}

crate::macros::impl_read_via_io_source!(UnixStream);

crate::macros::impl_write_via_io_source!(
    UnixStream,
    /// Sends `buf` (`send(2)`). A peer that has gone away makes this
    /// fail with `BrokenPipe` rather than raise `SIGPIPE` (see [the module
    /// docs](crate::net) for Apple systems).
    write: sys::uds::write,
    /// Sends `bufs` in one `sendmsg(2)`; a gone peer gives an error, as
    /// with `write`.
    write_vectored: sys::uds::write_vectored,
);

impl_os_handle!(UnixStream, net::UnixStream);
