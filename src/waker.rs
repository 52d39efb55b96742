//! `Waker`: waking a `Poll` from another thread.

use std::io;
use std::sync::Arc;

use crate::sys::wake::Wakeup;
use crate::sys::WakerSignal;
use crate::{Registry, Token};

/// Wakes a [`Poll`](crate::Poll) blocked in [`poll`](crate::Poll::poll)
/// from any thread.
///
/// After [`wake`](Waker::wake), the next call to `poll` (or the one in
/// progress) returns an event that is readable and carries the waker's
/// token. Wakes coalesce: several wakes before the loop looks give one
/// event. No wake is lost: a wake that races with `poll` is reported either
/// by that call or by the next one.
///
/// `Waker` is `Send + Sync`; share it between threads with an
/// [`Arc`](std::sync::Arc).
///
/// A wake costs a system call only while the loop may be blocked in the
/// kernel. While the loop is running it costs one atomic operation, and the
/// loop sees the wake before it would block again.
///
/// One `Poll` takes one waker token at a time: several `Waker`s may be
/// created for it with the same token, and once every `Waker` is dropped a
/// new one may use another token.
///
/// # Platform-specific behavior
///
/// The kernel is signalled through an `eventfd(2)` on Linux, Android and
/// illumos, `EVFILT_USER` on kqueue systems that have it, a pipe on the
/// others, and a completion packet (`PostQueuedCompletionStatus`) on
/// Windows.
///
/// # Examples
///
#[cfg_attr(feature = "os-poll", doc = "```")]
#[cfg_attr(not(feature = "os-poll"), doc = "```ignore")]
/// use std::sync::Arc;
/// use std::thread;
/// use std::time::Duration;
/// use metal_io::{Events, Poll, Token, Waker};
///
/// const WAKE: Token = Token(10);
///
/// # fn main() -> std::io::Result<()> {
/// let mut poll = Poll::new()?;
/// let mut events = Events::with_capacity(8);
/// let waker = Arc::new(Waker::new(poll.registry(), WAKE)?);
///
/// let remote = Arc::clone(&waker);
/// let handle = thread::spawn(move || remote.wake().expect("wake failed"));
///
/// // The wake arrives whether it happens before or during this call.
/// poll.poll(&mut events, Some(Duration::from_secs(10)))?;
/// assert!(events.iter().any(|e| e.token() == WAKE && e.is_readable()));
/// handle.join().unwrap();
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Waker {
    wakeup: Arc<Wakeup<WakerSignal>>,
}

impl Waker {
    /// Creates a waker for the `Poll` that `registry` belongs to, reporting
    /// its wakes with `token`.
    ///
    /// # Errors
    ///
    /// - `ErrorKind::AlreadyExists` if a waker with another token is alive
    ///   for the same `Poll`.
    /// - Errors creating or registering the kernel object (for instance
    ///   `EMFILE` when out of descriptors) are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(feature = "os-poll", doc = "```")]
    #[cfg_attr(not(feature = "os-poll"), doc = "```ignore")]
    /// use std::io::ErrorKind;
    /// use metal_io::{Poll, Token, Waker};
    ///
    /// let poll = Poll::new()?;
    /// let waker = Waker::new(poll.registry(), Token(0))?;
    ///
    /// // While a waker lives, further ones must share its token.
    /// let other = Waker::new(poll.registry(), Token(1));
    /// assert_eq!(other.unwrap_err().kind(), ErrorKind::AlreadyExists);
    /// let same = Waker::new(poll.registry(), Token(0))?;
    ///
    /// // Once every waker is gone, the token is free to change.
    /// drop((waker, same));
    /// let _waker = Waker::new(poll.registry(), Token(1))?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn new(registry: &Registry, token: Token) -> io::Result<Waker> {
        let wakeup = registry.selector().wakeup();
        wakeup.add_waker(registry.selector(), token)?;
        crate::macros::trace!("creating waker: token={}", token.0);
        Ok(Waker {
            wakeup: Arc::clone(wakeup),
        })
    }

    /// Wakes the `Poll`.
    ///
    /// # Errors
    ///
    /// Only an error from the system call that signals a blocked `poll` is
    /// possible; it is passed through unchanged.
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
    ///
    /// // Wakes that come before `poll` looks are reported together.
    /// waker.wake()?;
    /// waker.wake()?;
    /// poll.poll(&mut events, Some(Duration::from_secs(5)))?;
    /// assert!(events.iter().any(|e| e.token() == Token(0)));
    ///
    /// // Once reported, they are used up.
    /// poll.poll(&mut events, Some(Duration::from_millis(10)))?;
    /// assert!(events.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn wake(&self) -> io::Result<()> {
        self.wakeup.wake()
    }
}

impl Drop for Waker {
    fn drop(&mut self) {
        self.wakeup.drop_waker();
    }
}
