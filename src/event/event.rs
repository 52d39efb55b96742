//! A single readiness event.

use std::fmt;

use crate::{sys, Token};

/// Readiness reported by the OS for one registered source.
///
/// An `Event` is seen by reference, while iterating over
/// [`Events`](crate::Events); clone it to keep it past the next call to
/// [`Poll::poll`](crate::Poll::poll). It carries the [`Token`] given at
/// registration and the kinds of readiness the OS reported. Only
/// [`is_readable`] and [`is_writable`] are reported everywhere; the other
/// predicates are hints whose precision differs per platform, as each one's
/// table shows. See the readiness contract on [`Poll`](crate::Poll).
///
/// The alternate `Debug` form (`{:#?}`) also decodes the raw OS flags by
/// name, which helps when logging events in an event loop.
///
/// [`is_readable`]: Event::is_readable
/// [`is_writable`]: Event::is_writable
///
/// # Examples
///
#[cfg_attr(feature = "os-poll", doc = "```")]
#[cfg_attr(not(feature = "os-poll"), doc = "```ignore")]
/// use std::time::Duration;
/// use metal_io::event::Event;
/// use metal_io::{Events, Poll, Token, Waker};
///
/// # fn main() -> std::io::Result<()> {
/// let mut poll = Poll::new()?;
/// let mut events = Events::with_capacity(8);
/// let waker = Waker::new(poll.registry(), Token(3))?;
/// waker.wake()?;
/// poll.poll(&mut events, Some(Duration::from_secs(5)))?;
///
/// // The buffer is reused by the next call, so clone the events to keep.
/// let kept: Vec<Event> = events.iter().cloned().collect();
/// poll.poll(&mut events, Some(Duration::from_millis(1)))?;
/// assert!(kept.iter().any(|e| e.token() == Token(3) && e.is_readable()));
/// println!("{kept:#?}");
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
#[repr(transparent)]
pub struct Event {
    inner: sys::Event,
}

impl Event {
    /// Returns the token of the source this event belongs to.
    ///
    /// # Examples
    ///
    #[cfg_attr(feature = "os-poll", doc = "```")]
    #[cfg_attr(not(feature = "os-poll"), doc = "```ignore")]
    /// use std::time::Duration;
    /// use metal_io::{Events, Poll, Token, Waker};
    ///
    /// const WAKE: Token = Token(42);
    ///
    /// # fn main() -> std::io::Result<()> {
    /// # let mut poll = Poll::new()?;
    /// # let mut events = Events::with_capacity(8);
    /// let waker = Waker::new(poll.registry(), WAKE)?;
    /// waker.wake()?;
    /// poll.poll(&mut events, Some(Duration::from_secs(5)))?;
    ///
    /// // The token tells which source an event is for.
    /// let mut woken = false;
    /// for event in &events {
    ///     match event.token() {
    ///         WAKE => woken = true,
    ///         other => panic!("no source has {other:?}"),
    ///     }
    /// }
    /// assert!(woken);
    /// # Ok(())
    /// # }
    /// ```
    pub fn token(&self) -> Token {
        sys::event::token(&self.inner)
    }

    /// Returns true if the source is ready to read, to accept, or has
    /// reached the end of its input.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use std::io::{Read, Write};
    /// use std::time::Duration;
    /// use metal_io::net::TcpStream;
    /// use metal_io::{Events, Interest, Poll, Token};
    ///
    /// const ID: Token = Token(0);
    ///
    /// # fn main() -> std::io::Result<()> {
    /// # let mut poll = Poll::new()?;
    /// # let mut events = Events::with_capacity(8);
    /// # let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    /// # let addr = listener.local_addr()?;
    /// # let mut client = std::net::TcpStream::connect(addr)?;
    /// # let (server, _) = listener.accept()?;
    /// # server.set_nonblocking(true)?;
    /// // `client` and `server` are the two ends of a std TCP connection.
    /// let mut server = TcpStream::from_std(server);
    /// poll.registry().register(&mut server, ID, Interest::READABLE)?;
    /// client.write_all(b"hi")?;
    ///
    /// let mut seen = false;
    /// for _ in 0..10 {
    ///     poll.poll(&mut events, Some(Duration::from_secs(5)))?;
    ///     seen = events.iter().any(|e| e.token() == ID && e.is_readable());
    ///     if seen {
    ///         break;
    ///     }
    /// }
    /// assert!(seen);
    /// assert_eq!(server.read(&mut [0; 8])?, 2);
    /// # Ok(())
    /// # }
    /// ```
    pub fn is_readable(&self) -> bool {
        sys::event::is_readable(&self.inner)
    }

    /// Returns true if the source is ready to write, or a connect finished.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use std::time::Duration;
    /// use metal_io::net::TcpStream;
    /// use metal_io::{Events, Interest, Poll, Token};
    ///
    /// const ID: Token = Token(0);
    ///
    /// # fn main() -> std::io::Result<()> {
    /// # let mut poll = Poll::new()?;
    /// # let mut events = Events::with_capacity(8);
    /// # let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    /// # let addr = listener.local_addr()?;
    /// let mut stream = TcpStream::connect(addr)?;
    /// poll.registry().register(&mut stream, ID, Interest::WRITABLE)?;
    ///
    /// // A connecting stream turns writable once the connect is done.
    /// let mut seen = false;
    /// for _ in 0..10 {
    ///     poll.poll(&mut events, Some(Duration::from_secs(5)))?;
    ///     seen = events.iter().any(|e| e.token() == ID && e.is_writable());
    ///     if seen {
    ///         break;
    ///     }
    /// }
    /// assert!(seen);
    /// assert_eq!(stream.peer_addr()?, addr);
    /// # Ok(())
    /// # }
    /// ```
    pub fn is_writable(&self) -> bool {
        sys::event::is_writable(&self.inner)
    }

    /// Returns true if the OS reported an error condition on the source.
    ///
    /// The error itself is read with the source's `take_error` (for
    /// sockets `SO_ERROR`).
    ///
    /// | Backend | Flags checked |
    /// |---|---|
    /// | epoll | `EPOLLERR` |
    /// | kqueue | `EV_ERROR`, or `EV_EOF` with a non-zero `fflags` |
    /// | poll(2) | `POLLERR`, `POLLNVAL` |
    /// | IOCP | `AFD_POLL_CONNECT_FAIL` and error statuses |
    ///
    /// This is a hint: it may miss an error (read `take_error` when an
    /// operation fails), and never reports one that did not happen.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use std::io::ErrorKind;
    /// use std::time::Duration;
    /// use metal_io::net::TcpStream;
    /// use metal_io::{Events, Interest, Poll, Token};
    ///
    /// # fn main() -> std::io::Result<()> {
    /// # let mut poll = Poll::new()?;
    /// # let mut events = Events::with_capacity(8);
    /// // Nobody listens on this port once the listener is dropped.
    /// let addr = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    /// let mut stream = match TcpStream::connect(addr) {
    ///     Ok(stream) => stream,
    ///     // Some systems refuse at once, without an event.
    ///     Err(e) if e.kind() == ErrorKind::ConnectionRefused => return Ok(()),
    ///     Err(e) => return Err(e),
    /// };
    /// poll.registry().register(&mut stream, Token(0), Interest::WRITABLE)?;
    ///
    /// let mut event = None;
    /// for _ in 0..10 {
    ///     poll.poll(&mut events, Some(Duration::from_secs(5)))?;
    ///     event = events.iter().find(|e| e.token() == Token(0)).cloned();
    ///     if event.is_some() {
    ///         break;
    ///     }
    /// }
    /// if event.expect("the connect is reported").is_error() {
    ///     // The flag says that something failed; `take_error` says what.
    ///     let err = stream.take_error()?.expect("an error is pending");
    ///     assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn is_error(&self) -> bool {
        sys::event::is_error(&self.inner)
    }

    /// Returns true if the read side of the source is closed: the peer shut
    /// down its writing half, or a pipe's write end was dropped.
    ///
    /// | Backend | Flags checked |
    /// |---|---|
    /// | epoll | `EPOLLHUP`, or `EPOLLIN` with `EPOLLRDHUP` |
    /// | kqueue | `EV_EOF` on `EVFILT_READ` |
    /// | poll(2) | `POLLHUP`, or `POLLIN` with `POLLRDHUP` where it exists |
    /// | IOCP | `AFD_POLL_DISCONNECT`, `AFD_POLL_ABORT`, `AFD_POLL_CONNECT_FAIL` |
    ///
    /// This is a hint: it may miss a close (a read returning `0` is the
    /// proof), and never reports a close that did not happen.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use std::io::Read;
    /// use std::net::Shutdown;
    /// use std::time::Duration;
    /// use metal_io::net::TcpStream;
    /// use metal_io::{Events, Interest, Poll, Token};
    ///
    /// const ID: Token = Token(0);
    ///
    /// # fn main() -> std::io::Result<()> {
    /// # let mut poll = Poll::new()?;
    /// # let mut events = Events::with_capacity(8);
    /// # let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    /// # let addr = listener.local_addr()?;
    /// # let client = std::net::TcpStream::connect(addr)?;
    /// # let (server, _) = listener.accept()?;
    /// # server.set_nonblocking(true)?;
    /// // `client` and `server` are the two ends of a std TCP connection.
    /// let mut server = TcpStream::from_std(server);
    /// poll.registry().register(&mut server, ID, Interest::READABLE)?;
    /// client.shutdown(Shutdown::Write)?;
    ///
    /// let mut seen = false;
    /// for _ in 0..10 {
    ///     poll.poll(&mut events, Some(Duration::from_secs(5)))?;
    ///     seen = events.iter().any(|e| e.token() == ID && e.is_read_closed());
    ///     if seen {
    ///         break;
    ///     }
    /// }
    /// assert!(seen);
    /// assert_eq!(server.read(&mut [0; 8])?, 0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn is_read_closed(&self) -> bool {
        sys::event::is_read_closed(&self.inner)
    }

    /// Returns true if the write side of the source is closed: the peer is
    /// gone, or a pipe's read end was dropped.
    ///
    /// | Backend | Flags checked |
    /// |---|---|
    /// | epoll | `EPOLLHUP`; `EPOLLOUT` with `EPOLLERR`; `EPOLLERR` alone |
    /// | kqueue | `EV_EOF` on `EVFILT_WRITE` |
    /// | poll(2) | `POLLHUP`; `POLLOUT` with `POLLERR`; `POLLERR` alone |
    /// | IOCP | `AFD_POLL_ABORT`, `AFD_POLL_LOCAL_CLOSE`, `AFD_POLL_CONNECT_FAIL` |
    ///
    /// `EPOLLERR` or `POLLERR` alone is how Linux reports a pipe whose read
    /// end is gone.
    ///
    /// This is a hint: it may miss a close (a write failing with
    /// `BrokenPipe` is the proof), and never reports a close that did not
    /// happen.
    ///
    /// # Examples
    ///
    /// A pipe shows it most plainly; how a TCP peer that went away is
    /// reported differs more between platforms.
    ///
    #[cfg_attr(all(unix, feature = "os-ext"), doc = "```")]
    #[cfg_attr(not(all(unix, feature = "os-ext")), doc = "```ignore")]
    /// use std::io::{ErrorKind, Write};
    /// use std::time::Duration;
    /// use metal_io::unix::pipe;
    /// use metal_io::{Events, Interest, Poll, Token};
    ///
    /// const ID: Token = Token(0);
    ///
    /// # fn main() -> std::io::Result<()> {
    /// # let mut poll = Poll::new()?;
    /// # let mut events = Events::with_capacity(8);
    /// let (mut sender, receiver) = pipe::new()?;
    /// poll.registry().register(&mut sender, ID, Interest::WRITABLE)?;
    /// drop(receiver);
    ///
    /// let mut closed = false;
    /// for _ in 0..10 {
    ///     poll.poll(&mut events, Some(Duration::from_secs(5)))?;
    ///     let mut ours = events.iter().filter(|e| e.token() == ID);
    ///     closed = ours.any(|e| e.is_write_closed());
    ///     if closed {
    ///         break;
    ///     }
    /// }
    /// assert!(closed);
    /// let err = sender.write(b"x").unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::BrokenPipe);
    /// # Ok(())
    /// # }
    /// ```
    pub fn is_write_closed(&self) -> bool {
        sys::event::is_write_closed(&self.inner)
    }

    /// Returns true if priority (out-of-band) data is ready.
    ///
    /// | Backend | Flags checked |
    /// |---|---|
    /// | epoll | `EPOLLPRI` |
    /// | poll(2) | `POLLPRI` |
    /// | kqueue, IOCP | never reported |
    ///
    /// This is a hint: it may miss priority data, and never reports data
    /// that is not there.
    ///
    /// # Examples
    ///
    #[cfg_attr(feature = "os-poll", doc = "```")]
    #[cfg_attr(not(feature = "os-poll"), doc = "```ignore")]
    /// use std::time::Duration;
    /// use metal_io::{Events, Poll, Token, Waker};
    ///
    /// # fn main() -> std::io::Result<()> {
    /// # let mut poll = Poll::new()?;
    /// # let mut events = Events::with_capacity(8);
    /// let waker = Waker::new(poll.registry(), Token(0))?;
    /// waker.wake()?;
    /// poll.poll(&mut events, Some(Duration::from_secs(5)))?;
    /// let event = events.iter().find(|e| e.token() == Token(0));
    /// let event = event.expect("the wake is reported");
    ///
    /// // A wake carries no data at all, so certainly no priority data.
    /// assert!(!event.is_priority());
    /// # Ok(())
    /// # }
    /// ```
    pub fn is_priority(&self) -> bool {
        sys::event::is_priority(&self.inner)
    }

    /// Returns true if a POSIX AIO operation completed (`EVFILT_AIO`).
    ///
    /// Only kqueue on DragonFly, FreeBSD, iOS and macOS reports it; it is
    /// always false elsewhere.
    ///
    /// # Examples
    ///
    #[cfg_attr(feature = "os-poll", doc = "```")]
    #[cfg_attr(not(feature = "os-poll"), doc = "```ignore")]
    /// use std::time::Duration;
    /// use metal_io::{Events, Poll, Token, Waker};
    ///
    /// # fn main() -> std::io::Result<()> {
    /// # let mut poll = Poll::new()?;
    /// # let mut events = Events::with_capacity(8);
    /// let waker = Waker::new(poll.registry(), Token(0))?;
    /// waker.wake()?;
    /// poll.poll(&mut events, Some(Duration::from_secs(5)))?;
    /// let event = events.iter().find(|e| e.token() == Token(0));
    /// let event = event.expect("the wake is reported");
    ///
    /// // Only an `EVFILT_AIO` registration reports AIO; a wake never does.
    /// assert!(!event.is_aio());
    /// # Ok(())
    /// # }
    /// ```
    pub fn is_aio(&self) -> bool {
        sys::event::is_aio(&self.inner)
    }

    /// Returns true if an `lio_listio(2)` batch completed (`EVFILT_LIO`).
    ///
    /// Only kqueue on FreeBSD reports it; it is always false elsewhere.
    ///
    /// # Examples
    ///
    #[cfg_attr(feature = "os-poll", doc = "```")]
    #[cfg_attr(not(feature = "os-poll"), doc = "```ignore")]
    /// use std::time::Duration;
    /// use metal_io::{Events, Poll, Token, Waker};
    ///
    /// # fn main() -> std::io::Result<()> {
    /// # let mut poll = Poll::new()?;
    /// # let mut events = Events::with_capacity(8);
    /// let waker = Waker::new(poll.registry(), Token(0))?;
    /// waker.wake()?;
    /// poll.poll(&mut events, Some(Duration::from_secs(5)))?;
    /// let event = events.iter().find(|e| e.token() == Token(0));
    /// let event = event.expect("the wake is reported");
    ///
    /// // Only an `EVFILT_LIO` registration reports LIO; a wake never does.
    /// assert!(!event.is_lio());
    /// # Ok(())
    /// # }
    /// ```
    pub fn is_lio(&self) -> bool {
        sys::event::is_lio(&self.inner)
    }

    /// Views a backend event as a public one.
    pub(crate) fn from_sys_event_ref(event: &sys::Event) -> &Event {
        // SAFETY: `Event` is `repr(transparent)` over `sys::Event`, so both
        // references have the same layout, and the lifetime is carried over.
        unsafe { &*(event as *const sys::Event).cast::<Event>() }
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let alternate = f.alternate();
        let mut d = f.debug_struct("Event");
        d.field("token", &self.token())
            .field("readable", &self.is_readable())
            .field("writable", &self.is_writable())
            .field("error", &self.is_error())
            .field("read_closed", &self.is_read_closed())
            .field("write_closed", &self.is_write_closed())
            .field("priority", &self.is_priority())
            .field("aio", &self.is_aio())
            .field("lio", &self.is_lio());
        if alternate {
            d.field("details", &sys::event::Details(&self.inner));
        }
        d.finish()
    }
}
