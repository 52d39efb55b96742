//! `UnixListener`: a non-blocking socket that accepts Unix-domain stream
//! connections.

use std::io;
use std::os::unix::net::{self, SocketAddr};
use std::path::Path;

use crate::io_source::IoSource;
use crate::net::UnixStream;
use crate::sys;

/// A non-blocking Unix-domain stream socket listening for connections.
///
/// Register it with [`Interest::READABLE`](crate::Interest::READABLE): a
/// readable event means connections are waiting. Accept them with
/// [`UnixListener::accept`] until it fails with `WouldBlock`, as the
/// [readiness contract](crate::Poll#the-readiness-contract) requires.
///
/// Dropping a listener bound to a path does not remove the socket file;
/// remove it before binding the same path again.
///
/// # Examples
///
#[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
#[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
/// use std::time::Duration;
/// use metal_io::net::{UnixListener, UnixStream};
/// use metal_io::{Events, Interest, Poll, Token};
///
/// # fn main() -> std::io::Result<()> {
/// # let dir = std::env::temp_dir().join(format!("metal-io-doc-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir)?;
/// let path = dir.join("listener.sock");
/// # let _ = std::fs::remove_file(&path);
/// let mut poll = Poll::new()?;
/// let mut events = Events::with_capacity(8);
///
/// let mut listener = UnixListener::bind(&path)?;
/// poll.registry().register(&mut listener, Token(0), Interest::READABLE)?;
///
/// let _client = UnixStream::connect(&path)?;
/// let (_stream, _peer) = loop {
///     match listener.accept() {
///         Ok(accepted) => break accepted,
///         Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
///             poll.poll(&mut events, Some(Duration::from_secs(5)))?;
///         }
///         Err(e) => return Err(e),
///     }
/// };
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok(())
/// # }
/// ```
pub struct UnixListener {
    inner: IoSource<net::UnixListener>,
}

impl UnixListener {
    /// Creates a Unix-domain stream socket bound to `path` and listening
    /// for connections.
    ///
    /// # Errors
    ///
    /// - `ErrorKind::AddrInUse` if a file exists at `path` (a socket left
    ///   behind by an earlier listener included).
    /// - `ErrorKind::InvalidInput` if `path` is too long for a socket
    ///   address or contains a NUL byte.
    /// - Other OS errors are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use std::io::ErrorKind;
    /// use metal_io::net::UnixListener;
    ///
    /// # let pid = std::process::id();
    /// # let name = format!("metal-io-doc-listener-bind-{pid}");
    /// # let dir = std::env::temp_dir().join(name);
    /// # let _ = std::fs::remove_dir_all(&dir);
    /// # std::fs::create_dir_all(&dir)?;
    /// let path = dir.join("server.sock");
    /// let listener = UnixListener::bind(&path)?;
    ///
    /// // Dropping the listener leaves the socket file behind.
    /// drop(listener);
    /// let err = UnixListener::bind(&path).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::AddrInUse);
    ///
    /// std::fs::remove_file(&path)?;
    /// let _listener = UnixListener::bind(&path)?;
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn bind<P: AsRef<Path>>(path: P) -> io::Result<UnixListener> {
        let addr = SocketAddr::from_pathname(path)?;
        UnixListener::bind_addr(&addr)
    }

    /// Creates a Unix-domain stream socket bound to `address` and listening
    /// for connections.
    ///
    /// Besides a path, `address` may be an abstract name on Linux and
    /// Android (see `std::os::linux::net::SocketAddrExt`), which lives
    /// outside the file system and vanishes with the socket.
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
    /// use std::os::unix::net::SocketAddr;
    /// use metal_io::net::UnixListener;
    ///
    /// let name = format!("metal-io-doc-{}", std::process::id());
    /// let addr = SocketAddr::from_abstract_name(name.as_bytes())?;
    /// let listener = UnixListener::bind_addr(&addr)?;
    /// let bound = listener.local_addr()?;
    /// assert_eq!(bound.as_abstract_name(), Some(name.as_bytes()));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn bind_addr(address: &SocketAddr) -> io::Result<UnixListener> {
        sys::uds::bind_listener(address).map(UnixListener::from_std)
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
    /// use std::io::ErrorKind;
    /// use metal_io::net::UnixListener;
    ///
    /// # let pid = std::process::id();
    /// # let name = format!("metal-io-doc-listener-from-std-{pid}");
    /// # let dir = std::env::temp_dir().join(name);
    /// # let _ = std::fs::remove_dir_all(&dir);
    /// # std::fs::create_dir_all(&dir)?;
    /// let path = dir.join("server.sock");
    /// let std_listener = std::os::unix::net::UnixListener::bind(&path)?;
    /// std_listener.set_nonblocking(true)?;
    /// let listener = UnixListener::from_std(std_listener);
    ///
    /// // No client yet: accepting fails at once instead of waiting.
    /// let err = listener.accept().unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::WouldBlock);
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn from_std(listener: net::UnixListener) -> UnixListener {
        UnixListener {
            inner: IoSource::new(listener),
        }
    }

    /// Accepts a waiting connection, returning the stream and the peer's
    /// address (usually unnamed: a client rarely binds its socket).
    ///
    /// The stream is non-blocking and close-on-exec, made so atomically
    /// where the OS allows (`accept4(2)`). It is not registered.
    ///
    /// # Errors
    ///
    /// - `ErrorKind::WouldBlock` when no connection is waiting: wait for
    ///   the next readable event.
    /// - The OS errors `EMFILE`/`ENFILE` when the process or system is out
    ///   of descriptors.
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
    /// # let name = format!("metal-io-doc-listener-accept-{pid}");
    /// # let dir = std::env::temp_dir().join(name);
    /// # let _ = std::fs::remove_dir_all(&dir);
    /// # std::fs::create_dir_all(&dir)?;
    /// let path = dir.join("server.sock");
    /// let listener = UnixListener::bind(&path)?;
    /// let mut client = UnixStream::connect(&path)?;
    /// let (mut stream, _peer) = listener.accept()?;
    ///
    /// client.write_all(b"hi")?;
    /// let mut buf = [0; 2];
    /// stream.read_exact(&mut buf)?;
    /// assert_eq!(&buf, b"hi");
    ///
    /// // Only one client connected, so the next call would block.
    /// let err = listener.accept().unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::WouldBlock);
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn accept(&self) -> io::Result<(UnixStream, SocketAddr)> {
        self.inner.do_io(|inner| {
            let (stream, addr) = sys::uds::accept(inner)?;
            Ok((UnixStream::from_std(stream), addr))
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
    /// use metal_io::net::UnixListener;
    ///
    /// # let pid = std::process::id();
    /// # let name = format!("metal-io-doc-listener-local-addr-{pid}");
    /// # let dir = std::env::temp_dir().join(name);
    /// # let _ = std::fs::remove_dir_all(&dir);
    /// # std::fs::create_dir_all(&dir)?;
    /// let path = dir.join("server.sock");
    /// let listener = UnixListener::bind(&path)?;
    /// let addr = listener.local_addr()?;
    /// assert_eq!(addr.as_pathname(), Some(path.as_path()));
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
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
    /// use metal_io::net::UnixListener;
    ///
    /// # let pid = std::process::id();
    /// # let name = format!("metal-io-doc-listener-take-error-{pid}");
    /// # let dir = std::env::temp_dir().join(name);
    /// # let _ = std::fs::remove_dir_all(&dir);
    /// # std::fs::create_dir_all(&dir)?;
    /// let listener = UnixListener::bind(dir.join("server.sock"))?;
    ///
    /// // A freshly bound listener has no pending error.
    /// assert!(listener.take_error()?.is_none());
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.inner.take_error()
    }
}

impl_os_handle!(UnixListener, net::UnixListener);
