//! The wake-up protocol shared by every backend.
//!
//! A [`Waker`](crate::Waker) must interrupt a `Poll::poll` that is blocked
//! in the kernel, but a system call per wake is wasted work while the loop
//! is busy running: it will look for wake-ups before it blocks again anyway.
//! [`Wakeup`] keeps one atomic word that both sides update with
//! read-modify-write operations, so that they always agree on who does what:
//!
//! - `POLLING`: the loop is in, or about to enter, a wait that may block.
//! - `PENDING`: a wake was requested and not yet handed to the caller.
//! - `SIGNALLED`: the waker also signalled the kernel, so the backend will
//!   report the waker's token by itself.
//!
//! A wake sets `PENDING`, and makes the system call only if `POLLING` was
//! set and no wake was pending. The loop sets `POLLING` before waiting and
//! does not block when `PENDING` is already set. Both updates act on one
//! atomic word, so one side always sees the other's mark: either the loop
//! sees the wake before it blocks, or the waker sees that the loop may be
//! blocked and signals the kernel. No wake-up is lost either way.
//!
//! After the wait the loop takes the word back to zero and, if a wake was
//! pending but not signalled, adds the waker's event to the buffer itself.

use std::io;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use crate::Token;

const POLLING: u8 = 0b001;
const PENDING: u8 = 0b010;
const SIGNALLED: u8 = 0b100;

/// What a backend uses to interrupt a blocked wait.
pub(crate) trait Signal: Sized + Send + Sync {
    /// The selector this signal is registered with.
    type Selector;

    /// True when a signal makes the selector report the waker's token by
    /// itself; false when the selector only wakes up and the event must be
    /// added by the loop.
    const DELIVERS_EVENT: bool;

    /// Creates the signal and registers it with `selector` under `token`.
    fn new(selector: &Self::Selector, token: Token) -> io::Result<Self>;

    /// Makes the signal report `token` from now on.
    fn retoken(&self, selector: &Self::Selector, token: Token) -> io::Result<()>;

    /// Interrupts the selector's wait: the one system call of a wake.
    fn signal(&self) -> io::Result<()>;
}

/// The state one `Poll` and its `Waker` share; see the module docs.
#[derive(Debug)]
pub(crate) struct Wakeup<S> {
    state: AtomicU8,
    /// The waker's token, valid once `signal` is set.
    token: AtomicUsize,
    signal: OnceLock<S>,
    /// How many `Waker`s are alive; only touched when one is created or
    /// dropped, never on the hot path.
    live: Mutex<usize>,
}

impl<S: Signal> Wakeup<S> {
    pub(crate) const fn new() -> Wakeup<S> {
        Wakeup {
            state: AtomicU8::new(0),
            token: AtomicUsize::new(0),
            signal: OnceLock::new(),
            live: Mutex::new(0),
        }
    }

    /// Adds a waker for `token`, creating the signal on first use.
    ///
    /// Fails with `AlreadyExists` while a waker with another token is alive.
    pub(crate) fn add_waker(&self, selector: &S::Selector, token: Token) -> io::Result<()> {
        // The lock guards a counter that is valid whatever a panicking
        // holder left behind, so a poisoned lock is used as it is.
        let mut live = self.live.lock().unwrap_or_else(|e| e.into_inner());
        let current = Token(self.token.load(Ordering::Acquire));

        match self.signal.get() {
            None => {
                let signal = S::new(selector, token)?;
                self.token.store(token.0, Ordering::Release);
                // Cannot fail: the lock is held and the cell was empty.
                let _ = self.signal.set(signal);
            }
            Some(_) if current == token => {}
            Some(_) if *live > 0 => {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    "a waker with another token is already alive for this poll",
                ));
            }
            Some(signal) => {
                signal.retoken(selector, token)?;
                self.token.store(token.0, Ordering::Release);
            }
        }

        *live += 1;
        Ok(())
    }

    /// Forgets one waker added by [`Wakeup::add_waker`].
    pub(crate) fn drop_waker(&self) {
        // See `add_waker` on poisoning.
        let mut live = self.live.lock().unwrap_or_else(|e| e.into_inner());
        *live -= 1;
    }

    /// Records a wake, signalling the kernel only when the loop may block.
    pub(crate) fn wake(&self) -> io::Result<()> {
        let mut state = self.state.load(Ordering::Acquire);
        loop {
            if state & PENDING != 0 {
                // Coalesced with a wake the loop has not yet seen.
                return Ok(());
            }

            let signal = state & POLLING != 0;
            let new = state | PENDING | if signal { SIGNALLED } else { 0 };
            match self.state.compare_exchange_weak(
                state,
                new,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) if signal => return self.signal().signal(),
                Ok(_) => return Ok(()),
                Err(actual) => state = actual,
            }
        }
    }

    /// Marks the loop as about to wait; returns true if a wake is already
    /// pending, in which case the wait must not block.
    #[inline]
    pub(crate) fn before_wait(&self) -> bool {
        self.state.fetch_or(POLLING, Ordering::AcqRel) & PENDING != 0
    }

    /// Ends a wait. Returns the token of an event the loop must add, if
    /// any. With `room` false the buffer is full, so a pending wake stays
    /// pending for the next call.
    #[inline]
    pub(crate) fn after_wait(&self, room: bool) -> Option<Token> {
        if !room {
            self.state.fetch_and(!POLLING, Ordering::AcqRel);
            return None;
        }

        let state = self.state.swap(0, Ordering::AcqRel);
        let signalled = S::DELIVERS_EVENT && state & SIGNALLED != 0;
        if state & PENDING != 0 && !signalled {
            Some(Token(self.token.load(Ordering::Acquire)))
        } else {
            None
        }
    }

    fn signal(&self) -> &S {
        // A `Waker` only exists after `add_waker` set the signal.
        self.signal.get().expect("a waker exists, so its signal does")
    }
}
