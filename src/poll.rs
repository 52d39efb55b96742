//! `Poll` and `Registry`: waiting for readiness, and registering sources.

use std::time::Duration;
use std::{fmt, io};

use crate::event::Source;
use crate::{sys, Events, Interest, Token};

/// Waits for readiness events on registered sources.
///
/// A `Poll` owns the operating system's selector (epoll, kqueue, `poll(2)`
/// or an I/O completion port). Sources are registered through its
/// [`Registry`], and [`Poll::poll`] blocks until some of them are ready,
/// filling an [`Events`] buffer.
///
/// # The readiness contract
///
/// This is the one place it is written; the rest of the documentation
/// refers here.
///
/// - **Readiness is edge-triggered.** An event says that a source *became*
///   ready. It is not repeated while the source stays ready: after an event,
///   read (or write, or accept) until the operation fails with
///   [`ErrorKind::WouldBlock`]. Only then will a later change produce a new
///   event. Stopping early means waiting for an event that may never come.
/// - **Events may be spurious.** An event can arrive for a source that is
///   not ready after all, and the operation then returns `WouldBlock`; treat
///   that as "not ready yet", never as an error.
/// - **Only readable and writable are guaranteed everywhere.**
///   [`Event::is_readable`] and [`Event::is_writable`] are reported on every
///   platform. The other predicates (`is_error`, `is_read_closed`,
///   `is_write_closed`, `is_priority`, `is_aio`, `is_lio`) are hints whose
///   precision differs by platform; each one's documentation has a table.
///   The operation's result is the truth.
/// - **Events carry the registration's token.** After
///   [`Registry::deregister`] returns, no event carries that source's token
///   any more; after [`Registry::reregister`], events carry the new token and
///   follow the new interests.
/// - **Nothing is dropped for lack of room.** When more sources are ready
///   than `Events` has capacity, the rest are returned by later calls.
/// - **Sources must stay alive while registered.** Deregister a source
///   before closing it; a closed descriptor may be reused by the OS for an
///   unrelated source.
///
/// [`ErrorKind::WouldBlock`]: std::io::ErrorKind::WouldBlock
/// [`Event::is_readable`]: crate::event::Event::is_readable
/// [`Event::is_writable`]: crate::event::Event::is_writable
///
/// `Poll` and `Registry` are `Send + Sync`. Sources may be registered from
/// any thread, also while another thread is blocked in `poll`; the change
/// takes effect for that call.
///
/// # Platform-specific behavior
///
/// | System | Selector | Waker |
/// |---|---|---|
/// | Linux, Android, illumos | `epoll(7)` | `eventfd(2)` |
/// | macOS, iOS, FreeBSD, NetBSD, OpenBSD, DragonFly | `kqueue(2)` | `EVFILT_USER`, or a pipe |
/// | Windows | I/O completion port, AFD for sockets | completion packet |
/// | other Unix systems | `poll(2)` | pipe |
///
/// The `poll(2)` selector (also chosen by building with
/// `--cfg metal_io_force_poll`) keeps registrations in user space and
/// emulates edge-triggered readiness: a reported kind of readiness is
/// disarmed until an operation on the source returns `WouldBlock`, which
/// metal-io's I/O types notice; a `SourceFd` is re-armed only by
/// reregistering it. That selector has no kernel object, so there `Poll`
/// and `Registry` do not implement `AsRawFd` or `AsFd`.
///
/// # Examples
///
#[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
#[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
/// use std::io::{Read, Write};
/// use std::time::Duration;
/// use metal_io::net::{TcpListener, TcpStream};
/// use metal_io::{Events, Interest, Poll, Token};
///
/// # fn main() -> std::io::Result<()> {
/// let mut poll = Poll::new()?;
/// let mut events = Events::with_capacity(128);
///
/// let mut listener = TcpListener::bind("127.0.0.1:0".parse().unwrap())?;
/// poll.registry().register(&mut listener, Token(0), Interest::READABLE)?;
///
/// let mut client = TcpStream::connect(listener.local_addr()?)?;
/// poll.registry().register(&mut client, Token(1), Interest::WRITABLE)?;
///
/// // Wait until the listener has a connection to accept.
/// let (mut server, _) = loop {
///     poll.poll(&mut events, Some(Duration::from_secs(5)))?;
///     match listener.accept() {
///         Ok(accepted) => break accepted,
///         Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
///         Err(e) => return Err(e),
///     }
/// };
///
/// client.write_all(b"ping")?;
/// poll.registry().register(&mut server, Token(2), Interest::READABLE)?;
/// let mut buf = [0; 4];
/// loop {
///     match server.read_exact(&mut buf) {
///         Ok(()) => break,
///         Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
///             poll.poll(&mut events, Some(Duration::from_secs(5)))?;
///         }
///         Err(e) => return Err(e),
///     }
/// }
/// assert_eq!(&buf, b"ping");
/// # Ok(())
/// # }
/// ```
pub struct Poll {
    registry: Registry,
}

/// Registers event sources with a [`Poll`].
///
/// Obtained from [`Poll::registry`], or cloned with
/// [`Registry::try_clone`] to register from other threads. All clones
/// refer to the same `Poll`.
///
/// # Examples
///
/// A source registered through a clone on another thread belongs to the
/// same `Poll`, so the original registry can deregister it:
///
#[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
#[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
/// use std::io;
/// use std::thread;
/// use metal_io::net::TcpListener;
/// use metal_io::{Interest, Poll, Token};
///
/// # fn main() -> io::Result<()> {
/// let poll = Poll::new()?;
/// let registry = poll.registry().try_clone()?;
///
/// let handle = thread::spawn(move || -> io::Result<TcpListener> {
///     let mut listener = TcpListener::bind("127.0.0.1:0".parse().unwrap())?;
///     registry.register(&mut listener, Token(0), Interest::READABLE)?;
///     Ok(listener)
/// });
/// let mut listener = handle.join().expect("the thread panicked")?;
/// poll.registry().deregister(&mut listener)?;
/// # Ok(())
/// # }
/// ```
pub struct Registry {
    selector: sys::Selector,
}

impl Poll {
    crate::macros::cfg_os_poll! {
        /// Creates a `Poll` with a new OS selector.
        ///
        /// The selector's descriptor is close-on-exec.
        ///
        /// # Errors
        ///
        /// Errors creating the selector (`epoll_create1(2)`, `kqueue(2)`,
        /// `CreateIoCompletionPort`), such as running out of descriptors,
        /// are passed through unchanged.
        ///
        /// # Examples
        ///
        /// ```
        /// use metal_io::Poll;
        ///
        /// let poll = Poll::new()?;
        /// # drop(poll);
        /// # Ok::<(), std::io::Error>(())
        /// ```
        pub fn new() -> io::Result<Poll> {
            sys::Selector::new().map(|selector| Poll {
                registry: Registry { selector },
            })
        }
    }

    /// Returns the registry used to register sources with this `Poll`.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use metal_io::net::UdpSocket;
    /// use metal_io::{Interest, Poll, Registry, Token};
    ///
    /// let poll = Poll::new()?;
    /// let registry: &Registry = poll.registry();
    ///
    /// let mut socket = UdpSocket::bind("127.0.0.1:0".parse().unwrap())?;
    /// registry.register(&mut socket, Token(0), Interest::READABLE)?;
    /// registry.deregister(&mut socket)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Waits for readiness events, filling `events`.
    ///
    /// `events` is cleared first. The call returns when at least one event
    /// is available, when `timeout` has passed, or when the wait is
    /// interrupted. It never returns early because of a short or rounded
    /// timeout: a timeout finer than the OS's resolution is rounded *up*.
    ///
    /// - `None` waits until an event arrives.
    /// - `Some(Duration::ZERO)` checks for events without blocking.
    /// - A timeout too large for the OS (such as `Duration::MAX`) waits as
    ///   `None` does.
    ///
    /// A `Poll` can be polled by only one thread at a time, which `&mut self`
    /// enforces; registering from other threads while it waits is fine.
    /// See the [readiness contract](Poll#the-readiness-contract) for what
    /// the events mean.
    ///
    /// This maps to `epoll_pwait(2)` (or `epoll_pwait2(2)`), `kevent(2)`,
    /// `poll(2)` or `GetQueuedCompletionStatusEx`.
    ///
    /// # Errors
    ///
    /// - `ErrorKind::Interrupted` when a signal interrupts the wait. No
    ///   event or wake-up is lost: call `poll` again.
    /// - `ErrorKind::InvalidInput` when `events` has a capacity of zero.
    /// - Other OS errors are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(feature = "os-poll", doc = "```")]
    #[cfg_attr(not(feature = "os-poll"), doc = "```ignore")]
    /// use std::time::{Duration, Instant};
    /// use metal_io::{Events, Poll};
    ///
    /// let mut poll = Poll::new()?;
    /// let mut events = Events::with_capacity(16);
    ///
    /// let start = Instant::now();
    /// poll.poll(&mut events, Some(Duration::from_millis(10)))?;
    /// assert!(events.is_empty());
    /// assert!(start.elapsed() >= Duration::from_millis(10));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn poll(&mut self, events: &mut Events, timeout: Option<Duration>) -> io::Result<()> {
        if events.capacity() == 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "events buffer has zero capacity",
            ));
        }
        self.registry.selector.select(events.sys(), timeout)
    }
}

impl Registry {
    /// Registers `source` with the `Poll`, reporting `interests` with
    /// `token`.
    ///
    /// Events for the source carry `token` until it is reregistered or
    /// deregistered; see the [readiness contract](Poll#the-readiness-contract).
    /// A source is registered once: to change its token or interests use
    /// [`Registry::reregister`].
    ///
    /// A source belongs to one `Poll` at a time: deregister it before
    /// registering it with another. Debug builds refuse the second
    /// registration of metal-io's own I/O types; release builds skip that
    /// check (it would cost memory in every source), and then which `Poll`
    /// reports the source's events depends on the platform.
    ///
    /// This maps to `epoll_ctl(2)` with `EPOLL_CTL_ADD`, `kevent(2)` with
    /// `EV_ADD | EV_CLEAR`, an entry in the `poll(2)` set, or an AFD poll
    /// request on Windows.
    ///
    /// # Errors
    ///
    /// - `ErrorKind::AlreadyExists` if the source is already registered with
    ///   this `Poll` (`EEXIST`), or, in debug builds and for metal-io's own
    ///   I/O types, with another `Poll` that is still alive.
    /// - The OS error `EBADF` if the descriptor is not open.
    /// - The OS error `EPERM` on epoll if the descriptor cannot be polled
    ///   (a regular file, for instance).
    /// - Other OS errors are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use metal_io::net::TcpListener;
    /// use metal_io::{Interest, Poll, Token};
    ///
    /// let poll = Poll::new()?;
    /// let mut listener = TcpListener::bind("127.0.0.1:0".parse().unwrap())?;
    /// poll.registry().register(&mut listener, Token(0), Interest::READABLE)?;
    ///
    /// // A second registration is refused.
    /// let again = poll.registry().register(&mut listener, Token(1), Interest::READABLE);
    /// assert_eq!(again.unwrap_err().kind(), std::io::ErrorKind::AlreadyExists);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn register<S>(&self, source: &mut S, token: Token, interests: Interest) -> io::Result<()>
    where
        S: Source + ?Sized,
    {
        crate::macros::trace!(
            "registering source: token={} interest={:?}",
            token.0,
            interests
        );
        source.register(self, token, interests)
    }

    /// Replaces the token and interests of a registered source.
    ///
    /// Events from then on carry the new token and follow the new
    /// interests; readiness that is already current is reported again.
    ///
    /// This maps to `epoll_ctl(2)` with `EPOLL_CTL_MOD`, `kevent(2)` with
    /// `EV_ADD` and `EV_DELETE`, or a new AFD poll request on Windows.
    ///
    /// # Errors
    ///
    /// - `ErrorKind::NotFound` if the source is not registered (`ENOENT`).
    /// - `ErrorKind::AlreadyExists`, in debug builds, if one of metal-io's
    ///   own I/O types is registered with another live `Poll`.
    /// - Other OS errors are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use metal_io::net::TcpListener;
    /// use metal_io::{Interest, Poll, Token};
    ///
    /// let poll = Poll::new()?;
    /// let mut listener = TcpListener::bind("127.0.0.1:0".parse().unwrap())?;
    /// poll.registry().register(&mut listener, Token(0), Interest::READABLE)?;
    /// poll.registry().reregister(&mut listener, Token(5), Interest::READABLE)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn reregister<S>(&self, source: &mut S, token: Token, interests: Interest) -> io::Result<()>
    where
        S: Source + ?Sized,
    {
        crate::macros::trace!(
            "reregistering source: token={} interest={:?}",
            token.0,
            interests
        );
        source.reregister(self, token, interests)
    }

    /// Removes a source from the `Poll`.
    ///
    /// Once this returns, no event carries the source's token, not even one
    /// the OS had already queued. The source can be registered again later.
    ///
    /// This maps to `epoll_ctl(2)` with `EPOLL_CTL_DEL`, `kevent(2)` with
    /// `EV_DELETE`, or cancelling the AFD poll request on Windows.
    ///
    /// # Errors
    ///
    /// - `ErrorKind::NotFound` if the source is not registered (`ENOENT`).
    /// - `ErrorKind::AlreadyExists`, in debug builds, if one of metal-io's
    ///   own I/O types is registered with another live `Poll`.
    /// - Other OS errors are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use metal_io::net::TcpListener;
    /// use metal_io::{Interest, Poll, Token};
    ///
    /// let poll = Poll::new()?;
    /// let mut listener = TcpListener::bind("127.0.0.1:0".parse().unwrap())?;
    /// poll.registry().register(&mut listener, Token(0), Interest::READABLE)?;
    /// poll.registry().deregister(&mut listener)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn deregister<S>(&self, source: &mut S) -> io::Result<()>
    where
        S: Source + ?Sized,
    {
        crate::macros::trace!("deregistering source");
        source.deregister(self)
    }

    /// Returns a new handle to the same `Poll`, for use from another thread.
    ///
    /// # Errors
    ///
    /// Errors duplicating the selector's descriptor (`fcntl(2)` with
    /// `F_DUPFD_CLOEXEC`) are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(feature = "os-poll", doc = "```")]
    #[cfg_attr(not(feature = "os-poll"), doc = "```ignore")]
    /// use metal_io::Poll;
    ///
    /// let poll = Poll::new()?;
    /// let registry = poll.registry().try_clone()?;
    /// std::thread::spawn(move || drop(registry)).join().unwrap();
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn try_clone(&self) -> io::Result<Registry> {
        self.selector
            .try_clone()
            .map(|selector| Registry { selector })
    }

    /// Returns the backend selector.
    pub(crate) fn selector(&self) -> &sys::Selector {
        &self.selector
    }
}

impl fmt::Debug for Poll {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Poll").finish_non_exhaustive()
    }
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry").finish_non_exhaustive()
    }
}

// The descriptor of the epoll or kqueue instance. The `poll(2)` selector
// has no kernel object to hand out, so there `Poll` has no descriptor.
#[cfg(any(metal_io_epoll, metal_io_kqueue))]
mod descriptor {
    use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};

    use super::{Poll, Registry};

    impl AsRawFd for Poll {
        fn as_raw_fd(&self) -> RawFd {
            self.registry.as_raw_fd()
        }
    }

    impl AsFd for Poll {
        fn as_fd(&self) -> BorrowedFd<'_> {
            self.registry.as_fd()
        }
    }

    impl AsRawFd for Registry {
        fn as_raw_fd(&self) -> RawFd {
            self.selector.as_raw_fd()
        }
    }

    impl AsFd for Registry {
        fn as_fd(&self) -> BorrowedFd<'_> {
            self.selector.as_fd()
        }
    }
}
