//! The reusable buffer that `Poll::poll` fills.

use std::fmt;

use crate::event::Event;
use crate::sys;

/// A reusable buffer of readiness events, filled by
/// [`Poll::poll`](crate::Poll::poll).
///
/// The buffer's capacity is fixed at creation and bounds how many events a
/// single call to `poll` returns; events beyond it stay with the OS and are
/// returned by the next call, so none are lost. `poll` clears the buffer
/// before filling it.
///
/// # Examples
///
#[cfg_attr(feature = "os-poll", doc = "```")]
#[cfg_attr(not(feature = "os-poll"), doc = "```ignore")]
/// use std::time::Duration;
/// use metal_io::{Events, Poll};
///
/// # fn main() -> std::io::Result<()> {
/// let mut poll = Poll::new()?;
/// let mut events = Events::with_capacity(256);
///
/// // Nothing is registered, so this times out with no events.
/// poll.poll(&mut events, Some(Duration::from_millis(1)))?;
/// assert!(events.is_empty());
/// for event in &events {
///     println!("{:?}", event.token());
/// }
/// # Ok(())
/// # }
/// ```
pub struct Events {
    inner: sys::Events,
}

/// An iterator over the events in an [`Events`] buffer.
///
/// Created by [`Events::iter`] or by iterating over `&Events`.
///
/// # Examples
///
#[cfg_attr(feature = "os-poll", doc = "```")]
#[cfg_attr(not(feature = "os-poll"), doc = "```ignore")]
/// use std::time::Duration;
/// use metal_io::event::Iter;
/// use metal_io::{Events, Poll, Token, Waker};
///
/// # fn main() -> std::io::Result<()> {
/// let mut poll = Poll::new()?;
/// let mut events = Events::with_capacity(8);
/// let waker = Waker::new(poll.registry(), Token(1))?;
/// waker.wake()?;
/// poll.poll(&mut events, Some(Duration::from_secs(5)))?;
///
/// // The iterator knows how many events it has left to give.
/// let mut iter: Iter<'_> = events.iter();
/// assert_eq!(iter.len(), events.iter().count());
/// let first = iter.next().expect("the wake is reported");
/// assert_eq!(first.token(), Token(1));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Iter<'a> {
    events: &'a Events,
    next: usize,
}

impl Events {
    /// Returns a buffer with room for `capacity` events.
    ///
    /// The memory is allocated here, once; polling never allocates.
    /// A buffer of capacity zero can be created, but
    /// [`Poll::poll`](crate::Poll::poll) rejects it with
    /// [`ErrorKind::InvalidInput`](std::io::ErrorKind::InvalidInput), since
    /// it could never return an event.
    ///
    /// # Examples
    ///
    /// ```
    /// use metal_io::Events;
    ///
    /// let events = Events::with_capacity(1024);
    /// assert_eq!(events.capacity(), 1024);
    /// ```
    pub fn with_capacity(capacity: usize) -> Events {
        Events {
            inner: sys::Events::with_capacity(capacity),
        }
    }

    /// Returns the most events one call to `poll` can return.
    ///
    /// # Examples
    ///
    /// Two sources are ready, but a buffer with room for one event takes
    /// them over two calls:
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use std::time::Duration;
    /// use metal_io::net::UdpSocket;
    /// use metal_io::{Events, Interest, Poll, Token, Waker};
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let mut poll = Poll::new()?;
    /// let mut events = Events::with_capacity(1);
    /// let waker = Waker::new(poll.registry(), Token(0))?;
    /// let mut socket = UdpSocket::bind("127.0.0.1:0".parse().unwrap())?;
    /// poll.registry().register(&mut socket, Token(1), Interest::WRITABLE)?;
    /// waker.wake()?;
    ///
    /// let mut seen = Vec::new();
    /// for _ in 0..10 {
    ///     poll.poll(&mut events, Some(Duration::from_secs(5)))?;
    ///     assert!(events.iter().count() <= events.capacity());
    ///     seen.extend(events.iter().map(|e| e.token()));
    ///     if seen.contains(&Token(0)) && seen.contains(&Token(1)) {
    ///         break;
    ///     }
    /// }
    /// assert!(seen.contains(&Token(0)) && seen.contains(&Token(1)));
    /// # Ok(())
    /// # }
    /// ```
    pub fn capacity(&self) -> usize {
        self.inner.capacity()
    }

    /// Returns true if the buffer holds no events.
    ///
    /// # Examples
    ///
    /// ```
    /// use metal_io::Events;
    ///
    /// assert!(Events::with_capacity(8).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// Returns an iterator over the events in the buffer.
    ///
    /// # Examples
    ///
    /// ```
    /// use metal_io::Events;
    ///
    /// let events = Events::with_capacity(8);
    /// assert_eq!(events.iter().count(), 0);
    /// ```
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            events: self,
            next: 0,
        }
    }

    /// Removes every event from the buffer, keeping its capacity.
    ///
    /// `poll` does this itself, so calling it is only needed to drop events
    /// that will not be handled.
    ///
    /// # Examples
    ///
    #[cfg_attr(feature = "os-poll", doc = "```")]
    #[cfg_attr(not(feature = "os-poll"), doc = "```ignore")]
    /// use std::time::Duration;
    /// use metal_io::{Events, Poll, Token, Waker};
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let mut poll = Poll::new()?;
    /// let mut events = Events::with_capacity(8);
    /// let waker = Waker::new(poll.registry(), Token(0))?;
    /// waker.wake()?;
    /// poll.poll(&mut events, Some(Duration::from_secs(5)))?;
    /// assert!(!events.is_empty());
    ///
    /// // Drop the events unhandled; the room for them stays.
    /// events.clear();
    /// assert!(events.is_empty());
    /// assert_eq!(events.capacity(), 8);
    /// # Ok(())
    /// # }
    /// ```
    pub fn clear(&mut self) {
        self.inner.clear();
    }

    /// Gives the backend access to the buffer it fills.
    pub(crate) fn sys(&mut self) -> &mut sys::Events {
        &mut self.inner
    }
}

impl<'a> IntoIterator for &'a Events {
    type Item = &'a Event;
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl<'a> Iterator for Iter<'a> {
    type Item = &'a Event;

    fn next(&mut self) -> Option<&'a Event> {
        let event = self.events.inner.get(self.next)?;
        self.next += 1;
        Some(Event::from_sys_event_ref(event))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.events.inner.len() - self.next;
        (left, Some(left))
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl std::iter::FusedIterator for Iter<'_> {}

impl fmt::Debug for Events {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}
