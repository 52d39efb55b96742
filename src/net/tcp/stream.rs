//! `TcpStream`: a non-blocking TCP connection.

use std::io;
use std::net::{self, Shutdown, SocketAddr};

use crate::io_source::IoSource;
use crate::sys;

/// A non-blocking TCP connection between a local and a remote socket.
///
/// Reads and writes fail with `WouldBlock` instead of waiting. Register the
/// stream for [`Interest::READABLE`](crate::Interest::READABLE) and/or
/// [`Interest::WRITABLE`](crate::Interest::WRITABLE), and after each event
/// read or write until `WouldBlock`, as the
/// [readiness contract](crate::Poll#the-readiness-contract) requires.
///
/// [`Read`] and [`Write`] are implemented for `TcpStream` and for
/// `&TcpStream`, so one thread can read while another writes.
///
/// # Examples
///
#[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
#[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
/// use std::io::Write;
/// use std::time::Duration;
/// use metal_io::net::TcpStream;
/// use metal_io::{Events, Interest, Poll, Token};
///
/// # fn main() -> std::io::Result<()> {
/// let server = std::net::TcpListener::bind("127.0.0.1:0")?;
///
/// let mut poll = Poll::new()?;
/// let mut events = Events::with_capacity(8);
///
/// let mut stream = TcpStream::connect(server.local_addr()?)?;
/// poll.registry().register(&mut stream, Token(0), Interest::WRITABLE)?;
///
/// // The connection is established once the stream is writable and has a
/// // peer address.
/// loop {
///     poll.poll(&mut events, Some(Duration::from_secs(5)))?;
///     if let Some(e) = stream.take_error()? {
///         return Err(e);
///     }
///     if stream.peer_addr().is_ok() {
///         break;
///     }
/// }
/// stream.write_all(b"hello")?;
/// # Ok(())
/// # }
/// ```
///
/// [`Read`]: io::Read
/// [`Write`]: io::Write
pub struct TcpStream {
    inner: IoSource<net::TcpStream>,
}

impl TcpStream {
    /// Creates a non-blocking socket and starts connecting it to `addr`.
    ///
    /// The call returns without waiting for the handshake, so the stream
    /// is usually not connected yet. Register it for
    /// [`Interest::WRITABLE`](crate::Interest::WRITABLE) and wait for an
    /// event; then tell the outcome apart:
    ///
    /// - [`TcpStream::take_error`] returns `Some(error)` (such as
    ///   `ConnectionRefused`) when the attempt failed;
    /// - [`TcpStream::peer_addr`] succeeds once the connection is
    ///   established; `ErrorKind::NotConnected` means it is still pending
    ///   (the event was spurious) or failed.
    ///
    /// A failed attempt may also be reported with a readable,
    /// [error](crate::event::Event::is_error) or
    /// [write-closed](crate::event::Event::is_write_closed) event; the
    /// checks above are what count.
    ///
    /// # Errors
    ///
    /// An error returned here means the attempt could not even start:
    ///
    /// - `ErrorKind::AddrNotAvailable` when no local port is free.
    /// - `ErrorKind::ConnectionRefused`, on systems that know at once that
    ///   nothing listens at a loopback `addr`.
    /// - Other OS errors are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use metal_io::net::{TcpListener, TcpStream};
    ///
    /// let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap())?;
    /// let stream = TcpStream::connect(listener.local_addr()?)?;
    /// assert_eq!(stream.local_addr()?.ip(), listener.local_addr()?.ip());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn connect(addr: SocketAddr) -> io::Result<TcpStream> {
        sys::tcp::connect(addr).map(TcpStream::from_std)
    }

    /// Wraps a std stream.
    ///
    /// Nothing about the socket is changed: the caller puts it in
    /// non-blocking mode first (`set_nonblocking(true)`), or operations on
    /// it block the event loop. The stream should be connected already;
    /// no connect is started.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use metal_io::net::TcpStream;
    ///
    /// let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    /// let std_stream = std::net::TcpStream::connect(listener.local_addr()?)?;
    /// std_stream.set_nonblocking(true)?;
    /// let stream = TcpStream::from_std(std_stream);
    /// assert_eq!(stream.peer_addr()?, listener.local_addr()?);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn from_std(stream: net::TcpStream) -> TcpStream {
        TcpStream {
            inner: IoSource::new(stream),
        }
    }

    /// Returns the address of the remote peer.
    ///
    /// # Errors
    ///
    /// - `ErrorKind::NotConnected` while a connect is still in progress, or
    ///   after it failed.
    /// - Other OS errors from `getpeername(2)` are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use std::io::ErrorKind;
    /// use std::time::Duration;
    /// use metal_io::net::{TcpListener, TcpStream};
    /// use metal_io::{Events, Interest, Poll, Token};
    ///
    /// # fn main() -> std::io::Result<()> {
    /// # let mut poll = Poll::new()?;
    /// # let mut events = Events::with_capacity(8);
    /// let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap())?;
    /// let mut stream = TcpStream::connect(listener.local_addr()?)?;
    /// poll.registry().register(&mut stream, Token(0), Interest::WRITABLE)?;
    ///
    /// // `NotConnected` means the handshake is still going on.
    /// let mut tries = 0;
    /// let peer = loop {
    ///     match stream.peer_addr() {
    ///         Ok(addr) => break addr,
    ///         Err(e) if e.kind() == ErrorKind::NotConnected && tries < 10 => {
    ///             tries += 1;
    ///             poll.poll(&mut events, Some(Duration::from_secs(1)))?;
    ///         }
    ///         Err(e) => return Err(e),
    ///     }
    /// };
    /// assert_eq!(peer, listener.local_addr()?);
    /// # Ok(())
    /// # }
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.peer_addr()
    }

    /// Returns the local address of this socket.
    ///
    /// # Errors
    ///
    /// OS errors from `getsockname(2)` are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use std::net::Ipv4Addr;
    /// use metal_io::net::{TcpListener, TcpStream};
    ///
    /// let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap())?;
    /// let stream = TcpStream::connect(listener.local_addr()?)?;
    /// // Connecting gave the stream a local port of its own.
    /// let addr = stream.local_addr()?;
    /// assert_eq!(addr.ip(), Ipv4Addr::LOCALHOST);
    /// assert_ne!(addr.port(), 0);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }

    /// Shuts down the read half, the write half, or both halves of the
    /// connection (`shutdown(2)`).
    ///
    /// After `Shutdown::Write` the peer reads end-of-file once it has read
    /// everything sent before. After `Shutdown::Read` reads return 0 bytes.
    ///
    /// # Errors
    ///
    /// - `ErrorKind::NotConnected` if the socket is not connected (on some
    ///   systems also after the peer has closed).
    /// - Other OS errors are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use std::io::Write;
    /// use std::net::Shutdown;
    /// use metal_io::net::TcpStream;
    ///
    /// let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    /// let std_stream = std::net::TcpStream::connect(listener.local_addr()?)?;
    /// std_stream.set_nonblocking(true)?;
    /// let mut stream = TcpStream::from_std(std_stream);
    ///
    /// stream.shutdown(Shutdown::Write)?;
    /// let err = stream.write(b"late").unwrap_err();
    /// #[cfg(unix)]
    /// assert_eq!(err.kind(), std::io::ErrorKind::BrokenPipe);
    /// // Windows fails with `WSAESHUTDOWN`, which std gives no kind of its own.
    /// #[cfg(windows)]
    /// assert_eq!(err.raw_os_error(), Some(10058));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.inner.shutdown(how)
    }

    /// Sets `TCP_NODELAY`: when `true`, small writes are sent at once
    /// instead of being gathered while earlier data is unacknowledged
    /// (Nagle's algorithm).
    ///
    /// # Errors
    ///
    /// OS errors from `setsockopt(2)` are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use metal_io::net::{TcpListener, TcpStream};
    ///
    /// let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap())?;
    /// let stream = TcpStream::connect(listener.local_addr()?)?;
    /// stream.set_nodelay(true)?;
    /// assert!(stream.nodelay()?);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.inner.set_nodelay(nodelay)
    }

    /// Returns the value of `TCP_NODELAY`.
    ///
    /// # Errors
    ///
    /// OS errors from `getsockopt(2)` are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use metal_io::net::{TcpListener, TcpStream};
    ///
    /// let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap())?;
    /// let stream = TcpStream::connect(listener.local_addr()?)?;
    /// // Nagle's algorithm is on until the option is set.
    /// assert!(!stream.nodelay()?);
    /// stream.set_nodelay(true)?;
    /// assert!(stream.nodelay()?);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn nodelay(&self) -> io::Result<bool> {
        self.inner.nodelay()
    }

    /// Sets the `IP_TTL` option: the time-to-live of every packet sent on
    /// this socket.
    ///
    /// # Errors
    ///
    /// - `ErrorKind::InvalidInput` for a value the OS rejects (above 255).
    /// - Other OS errors are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use metal_io::net::{TcpListener, TcpStream};
    ///
    /// let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap())?;
    /// let stream = TcpStream::connect(listener.local_addr()?)?;
    /// stream.set_ttl(64)?;
    /// assert_eq!(stream.ttl()?, 64);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.inner.set_ttl(ttl)
    }

    /// Returns the value of the `IP_TTL` option.
    ///
    /// # Errors
    ///
    /// OS errors from `getsockopt(2)` are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use metal_io::net::{TcpListener, TcpStream};
    ///
    /// let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap())?;
    /// let stream = TcpStream::connect(listener.local_addr()?)?;
    /// // The default differs between systems (often 64 or 128).
    /// assert!((1..=255).contains(&stream.ttl()?));
    /// stream.set_ttl(32)?;
    /// assert_eq!(stream.ttl()?, 32);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn ttl(&self) -> io::Result<u32> {
        self.inner.ttl()
    }

    /// Returns and clears the socket's pending error (`SO_ERROR`).
    ///
    /// After a writable event on a stream from [`TcpStream::connect`], a
    /// `Some` here is the reason the connection failed. `Ok(None)` means no
    /// error was pending.
    ///
    /// # Errors
    ///
    /// OS errors from `getsockopt(2)` itself are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use metal_io::net::TcpStream;
    ///
    /// let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    /// let std_stream = std::net::TcpStream::connect(listener.local_addr()?)?;
    /// std_stream.set_nonblocking(true)?;
    /// let stream = TcpStream::from_std(std_stream);
    /// // A healthy connection has no pending error.
    /// assert!(stream.take_error()?.is_none());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.inner.take_error()
    }

    /// Reads received data without removing it from the socket's queue
    /// (`recv(2)` with `MSG_PEEK`), so the next read returns it again.
    ///
    /// # Errors
    ///
    /// - `ErrorKind::WouldBlock` when no data has arrived.
    /// - Other OS errors are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use std::io::{ErrorKind, Read, Write};
    /// use std::time::Duration;
    /// use metal_io::net::TcpStream;
    /// use metal_io::{Events, Interest, Poll, Token};
    ///
    /// # fn main() -> std::io::Result<()> {
    /// # let mut poll = Poll::new()?;
    /// # let mut events = Events::with_capacity(8);
    /// # let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    /// # let std_stream = std::net::TcpStream::connect(listener.local_addr()?)?;
    /// # std_stream.set_nonblocking(true)?;
    /// # let mut stream = TcpStream::from_std(std_stream);
    /// # let (mut peer, _) = listener.accept()?;
    /// // `stream` and `peer` are the two ends of one connection.
    /// poll.registry().register(&mut stream, Token(0), Interest::READABLE)?;
    /// peer.write_all(b"hello")?;
    ///
    /// let mut buf = [0; 16];
    /// let mut tries = 0;
    /// let n = loop {
    ///     match stream.peek(&mut buf) {
    ///         Ok(n) => break n,
    ///         Err(e) if e.kind() == ErrorKind::WouldBlock && tries < 10 => {
    ///             tries += 1;
    ///             poll.poll(&mut events, Some(Duration::from_secs(1)))?;
    ///         }
    ///         Err(e) => return Err(e),
    ///     }
    /// };
    /// assert_eq!(&buf[..n], b"hello");
    ///
    /// // The bytes stay queued, so a read returns them again.
    /// let mut again = [0; 16];
    /// assert_eq!(stream.read(&mut again)?, n);
    /// assert_eq!(&again[..n], b"hello");
    /// # Ok(())
    /// # }
    /// ```
    pub fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.do_io(|inner| inner.peek(buf))
    }

    /// Runs `f`, an I/O operation of the caller's on this socket, in the
    /// way metal-io runs its own.
    ///
    /// Use it for system calls metal-io does not wrap (for example
    /// `recvmsg(2)` with options). `f` must return the operation's result
    /// unchanged, and `WouldBlock` when the operation would block: backends
    /// that emulate edge-triggered readiness re-arm the socket on seeing
    /// it. Without this wrapper such a backend may never report the socket
    /// ready again.
    ///
    /// # Errors
    ///
    /// Whatever `f` returns.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(unix, feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(
        not(all(unix, feature = "os-poll", feature = "net")),
        doc = "```ignore"
    )]
    /// use std::io::{self, Write};
    /// use std::os::fd::AsRawFd;
    /// use std::time::Duration;
    /// use metal_io::net::TcpStream;
    /// use metal_io::{Events, Interest, Poll, Token};
    ///
    /// # fn main() -> io::Result<()> {
    /// let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    /// let mut stream = TcpStream::connect(listener.local_addr()?)?;
    /// let (mut peer, _) = listener.accept()?;
    /// peer.write_all(b"hello")?;
    ///
    /// let mut poll = Poll::new()?;
    /// let mut events = Events::with_capacity(8);
    /// poll.registry().register(&mut stream, Token(0), Interest::READABLE)?;
    ///
    /// let mut buf = [0; 16];
    /// let n = loop {
    ///     let result = stream.try_io(|| {
    ///         let fd = stream.as_raw_fd();
    ///         // SAFETY: `buf` is writable for `buf.len()` bytes and `fd`
    ///         // stays open while `stream` is borrowed.
    ///         let n = unsafe { libc::recv(fd, buf.as_mut_ptr().cast(), buf.len(), 0) };
    ///         if n < 0 {
    ///             Err(io::Error::last_os_error())
    ///         } else {
    ///             Ok(n as usize)
    ///         }
    ///     });
    ///     match result {
    ///         Ok(n) => break n,
    ///         Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
    ///             poll.poll(&mut events, Some(Duration::from_secs(5)))?;
    ///         }
    ///         Err(e) => return Err(e),
    ///     }
    /// };
    /// assert_eq!(&buf[..n], b"hello");
    /// # Ok(())
    /// # }
    /// ```
    pub fn try_io<F, T>(&self, f: F) -> io::Result<T>
    where
        F: FnOnce() -> io::Result<T>,
    {
        self.inner.do_io(|_| f())
    }
}

crate::macros::impl_read_via_io_source!(TcpStream);

crate::macros::impl_write_via_io_source!(
    TcpStream,
    /// Sends `buf` (`send(2)` on Unix). A peer that has gone away makes
    /// this fail with `BrokenPipe` or `ConnectionReset` rather than raise
    /// `SIGPIPE` (see [the module docs](crate::net) for Apple systems).
    write: sys::tcp::write,
    /// Sends `bufs` in one system call (`sendmsg(2)` on Unix, so that a
    /// gone peer gives an error rather than `SIGPIPE`).
    write_vectored: sys::tcp::write_vectored,
);

impl_os_handle!(TcpStream, net::TcpStream);
