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
