//! `TcpListener`: a non-blocking socket that accepts TCP connections.

use std::io;
use std::net::{self, SocketAddr};

use crate::io_source::IoSource;
use crate::net::TcpStream;
use crate::sys;

/// A non-blocking TCP socket listening for connections.
///
/// Register it with [`Interest::READABLE`](crate::Interest::READABLE): a
/// readable event means connections are waiting. Accept them with
/// [`TcpListener::accept`] until it fails with `WouldBlock`, as the
/// [readiness contract](crate::Poll#the-readiness-contract) requires.
///
/// # Examples
///
#[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
#[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
/// use std::time::Duration;
/// use metal_io::net::{TcpListener, TcpStream};
/// use metal_io::{Events, Interest, Poll, Token};
///
/// # fn main() -> std::io::Result<()> {
/// let mut poll = Poll::new()?;
/// let mut events = Events::with_capacity(8);
///
/// let mut listener = TcpListener::bind("127.0.0.1:0".parse().unwrap())?;
/// poll.registry().register(&mut listener, Token(0), Interest::READABLE)?;
///
/// let _client = TcpStream::connect(listener.local_addr()?)?;
///
/// // Wait for the connection, then accept everything that is waiting.
/// let mut accepted = 0;
/// while accepted == 0 {
///     poll.poll(&mut events, Some(Duration::from_secs(5)))?;
///     loop {
///         match listener.accept() {
///             Ok((_stream, _peer)) => accepted += 1,
///             Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
///             Err(e) => return Err(e),
///         }
///     }
/// }
/// assert_eq!(accepted, 1);
/// # Ok(())
/// # }
/// ```
pub struct TcpListener {
    inner: IoSource<net::TcpListener>,
}

impl TcpListener {
    /// Creates a TCP socket bound to `addr` and listening for connections.
    ///
    /// The steps are: create a non-blocking, close-on-exec socket; on Unix,
    /// set `SO_REUSEADDR`, so that a restarted server can bind the same port
    /// while connections of the previous one linger in `TIME_WAIT`; bind it;
    /// and call `listen(2)` with a backlog of 1024, which the OS may lower.
    /// Binding to port 0 lets the OS pick a free port; read it back with
    /// [`TcpListener::local_addr`].
    ///
    /// # Errors
    ///
    /// - `ErrorKind::AddrInUse` if another socket is listening on `addr`.
    /// - `ErrorKind::AddrNotAvailable` if `addr` is not an address of this
    ///   host.
    /// - `ErrorKind::PermissionDenied` for a privileged port.
    /// - Other OS errors are passed through unchanged.
    ///
    /// # Platform-specific behavior
    ///
    /// Windows does not get `SO_REUSEADDR`: there it would let another
    /// process bind the same port while this listener is using it.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use metal_io::net::TcpListener;
    ///
    /// let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap())?;
    /// assert_ne!(listener.local_addr()?.port(), 0);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
        sys::tcp::bind(addr).map(TcpListener::from_std)
    }

    /// Wraps a std listener.
    ///
    /// Nothing about the socket is changed: the caller puts it in
    /// non-blocking mode first (`set_nonblocking(true)`), or operations on
    /// it block the event loop.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use metal_io::net::TcpListener;
    ///
    /// let std_listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    /// std_listener.set_nonblocking(true)?;
    /// let listener = TcpListener::from_std(std_listener);
    /// let err = listener.accept().unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn from_std(listener: net::TcpListener) -> TcpListener {
        TcpListener {
            inner: IoSource::new(listener),
        }
    }

    /// Accepts a waiting connection, returning the stream and the peer's
    /// address.
    ///
    /// The stream is non-blocking and close-on-exec, made so atomically
    /// where the OS allows (`accept4(2)`). It is not registered: register it
    /// to hear about its readiness.
    ///
    /// # Errors
    ///
    /// - `ErrorKind::WouldBlock` when no connection is waiting: wait for
    ///   the next readable event.
    /// - `ErrorKind::ConnectionAborted` when a connection was reset before
    ///   it could be accepted; accept again.
    /// - The OS errors `EMFILE`/`ENFILE` when the process or system is out
    ///   of descriptors. The connection stays queued but no new event comes
    ///   for it: accept again once descriptors are free.
    /// - Other OS errors are passed through unchanged.
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
    /// let mut listener = TcpListener::bind("127.0.0.1:0".parse().unwrap())?;
    /// poll.registry().register(&mut listener, Token(0), Interest::READABLE)?;
    /// let client = TcpStream::connect(listener.local_addr()?)?;
    ///
    /// // Poll between attempts, giving up after ten.
    /// let mut tries = 0;
    /// let (_stream, peer) = loop {
    ///     match listener.accept() {
    ///         Ok(accepted) => break accepted,
    ///         Err(e) if e.kind() == ErrorKind::WouldBlock && tries < 10 => {
    ///             tries += 1;
    ///             poll.poll(&mut events, Some(Duration::from_secs(1)))?;
    ///         }
    ///         Err(e) => return Err(e),
    ///     }
    /// };
    /// assert_eq!(peer, client.local_addr()?);
    /// # Ok(())
    /// # }
    /// ```
    pub fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        self.inner.do_io(|inner| {
            let (stream, addr) = sys::tcp::accept(inner)?;
            Ok((TcpStream::from_std(stream), addr))
        })
    }

    /// Returns the address this listener is bound to.
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
    /// use metal_io::net::TcpListener;
    ///
    /// let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap())?;
    /// // Port 0 left the choice to the OS; the address says what it picked.
    /// let addr = listener.local_addr()?;
    /// assert_eq!(addr.ip(), Ipv4Addr::LOCALHOST);
    /// assert_ne!(addr.port(), 0);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }

    /// Sets the `IP_TTL` option: the time-to-live of packets sent from
    /// accepted sockets (on systems where they inherit it).
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
    /// use metal_io::net::TcpListener;
    ///
    /// let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap())?;
    /// listener.set_ttl(42)?;
    /// assert_eq!(listener.ttl()?, 42);
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
    /// use metal_io::net::TcpListener;
    ///
    /// let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap())?;
    /// // The default differs between systems (often 64 or 128).
    /// assert!((1..=255).contains(&listener.ttl()?));
    /// listener.set_ttl(100)?;
    /// assert_eq!(listener.ttl()?, 100);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn ttl(&self) -> io::Result<u32> {
        self.inner.ttl()
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
    /// use metal_io::net::TcpListener;
    ///
    /// let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap())?;
    /// // Nothing has gone wrong on a fresh listener.
    /// assert!(listener.take_error()?.is_none());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.inner.take_error()
    }
}

impl_os_handle!(TcpListener, net::TcpListener);
