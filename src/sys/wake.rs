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
//! [`Wakeup::guard_wait`] does all of the loop's side around a backend's
//! wait, so every selector follows the protocol the same way.

use std::io;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;
#[cfg(debug_assertions)]
use std::{collections::BTreeSet, num::NonZeroU32, sync::MutexGuard};

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

/// What [`Wakeup::guard_wait`] needs of a backend's event buffer.
pub(crate) trait EventBuffer {
    /// One raw event.
    type Event;

    fn len(&self) -> usize;

    fn capacity(&self) -> usize;

    fn push(&mut self, event: Self::Event);
}

impl<E> EventBuffer for Vec<E> {
    type Event = E;

    #[inline]
    fn len(&self) -> usize {
        Vec::len(self)
    }

    #[inline]
    fn capacity(&self) -> usize {
        Vec::capacity(self)
    }

    #[inline]
    fn push(&mut self, event: E) {
        Vec::push(self, event)
    }
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
    /// Names the `Poll` this state belongs to, for the misuse check that
    /// debug builds make on I/O sources.
    #[cfg(debug_assertions)]
    id: PollId,
}

/// Names one `Poll` among those alive, for I/O sources to remember which
/// `Poll` they are registered with. Debug builds only: release builds skip
/// that misuse check, as the style of this crate asks of checks that cost
/// memory or time on every source.
///
/// Four bytes, so that an I/O type is a descriptor and an id (eight bytes
/// for a socket) rather than a descriptor and a pointer; and copying or
/// comparing one touches no shared memory, so registering stays free of
/// atomic operations. Ids come from a counter and are not reused while
/// their `Poll` lives: the set of live ids is only locked when a `Poll` is
/// created or dropped, and when a source registered with one `Poll` is
/// registered with another.
#[cfg(debug_assertions)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PollId(NonZeroU32);

/// The ids handed out so far.
#[cfg(debug_assertions)]
struct Ids {
    /// The next id to hand out, if it is free.
    next: u32,
    /// The ids of the `Poll`s alive now.
    live: BTreeSet<NonZeroU32>,
}

#[cfg(debug_assertions)]
static IDS: Mutex<Ids> = Mutex::new(Ids {
    next: 1,
    live: BTreeSet::new(),
});

#[cfg(debug_assertions)]
fn ids() -> MutexGuard<'static, Ids> {
    // Each update leaves the counter and the set valid whatever a
    // panicking holder was doing, so a poisoned lock is used as it is.
    IDS.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(debug_assertions)]
impl PollId {
    /// Takes an id no live `Poll` has.
    ///
    /// Limitation: the counter wraps after 2^32 `Poll`s, and an id may
    /// then name a new `Poll` while a source still remembers it from a
    /// dropped one it was never deregistered from. While the new `Poll`
    /// lives, registering that source with any other `Poll` is refused
    /// with `AlreadyExists`, although it is registered with none. Only the
    /// misuse check is affected, never an event.
    fn take() -> PollId {
        let mut ids = ids();
        loop {
            let candidate = NonZeroU32::new(ids.next);
            ids.next = ids.next.wrapping_add(1);
            if let Some(id) = candidate {
                if ids.live.insert(id) {
                    return PollId(id);
                }
            }
        }
    }

    /// Returns true while the `Poll` this id names is alive.
    #[cfg_attr(
        not(any(feature = "net", all(unix, feature = "os-ext"))),
        allow(dead_code)
    )]
    pub(crate) fn is_alive(self) -> bool {
        ids().live.contains(&self.0)
    }
}

#[cfg(debug_assertions)]
impl<S> Drop for Wakeup<S> {
    fn drop(&mut self) {
        ids().live.remove(&self.id.0);
    }
}

impl<S: Signal> Wakeup<S> {
    pub(crate) fn new() -> Wakeup<S> {
        Wakeup {
            state: AtomicU8::new(0),
            token: AtomicUsize::new(0),
            signal: OnceLock::new(),
            live: Mutex::new(0),
            #[cfg(debug_assertions)]
            id: PollId::take(),
        }
    }

    /// Returns the id of the `Poll` this state belongs to.
    #[cfg(debug_assertions)]
    #[cfg_attr(
        not(any(feature = "net", all(unix, feature = "os-ext"))),
        allow(dead_code)
    )]
    #[inline]
    pub(crate) fn id(&self) -> PollId {
        self.id
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
        loop {
            // The word is read with an update that changes nothing, never
            // with a plain load. Being a release in the word's order of
            // updates, it makes this thread's earlier writes visible to
            // the loop once the loop takes the pending wake, even when
            // this wake coalesces with it. A plain load could see
            // `PENDING` just before the loop takes it, while the loop
            // misses the data this wake announces and then blocks with no
            // wake left to report. On x86 the compiler turns this update
            // into a fence and a load, so concurrent wakes do not fight
            // over the cache line.
            let state = self.state.fetch_or(0, Ordering::AcqRel);
            if state & PENDING != 0 {
                // Coalesced with a wake the loop has not yet taken.
                return Ok(());
            }

            let signal = state & POLLING != 0;
            let new = state | PENDING | if signal { SIGNALLED } else { 0 };
            let swapped =
                self.state
                    .compare_exchange(state, new, Ordering::AcqRel, Ordering::Relaxed);
            match swapped {
                Ok(_) if signal => return self.signal().signal(),
                Ok(_) => return Ok(()),
                // Another thread changed the word: read it again, with the
                // update above, since a failed exchange is only a load.
                Err(_) => {}
            }
        }
    }

    /// Runs one wait of a selector under the protocol: the wait does not
    /// block while a wake is pending, and afterwards a pending wake that the
    /// kernel does not report by itself is added to `events` as
    /// `waker_event(token)`, if there is room. A failed wait hands over no
    /// wake: it stays pending for the next call.
    #[inline]
    pub(crate) fn guard_wait<B, W>(
        &self,
        events: &mut B,
        timeout: Option<Duration>,
        waker_event: fn(Token) -> B::Event,
        wait: W,
    ) -> io::Result<()>
    where
        B: EventBuffer,
        W: FnOnce(&mut B, Option<Duration>) -> io::Result<()>,
    {
        let mut timeout = timeout;
        if timeout != Some(Duration::ZERO) && self.before_wait() {
            timeout = Some(Duration::ZERO);
        }

        let result = wait(events, timeout);

        let room = result.is_ok() && events.len() < events.capacity();
        if let Some(token) = self.after_wait(room) {
            events.push(waker_event(token));
        }
        result
    }

    /// Marks the loop as about to wait; returns true if a wake is already
    /// pending, in which case the wait must not block.
    #[inline]
    pub(crate) fn before_wait(&self) -> bool {
        self.state.fetch_or(POLLING, Ordering::AcqRel) & PENDING != 0
    }

    /// Ends a wait. Returns the token of an event the loop must add, if
    /// any. With `room` false the buffer is full (or the wait failed), so a
    /// pending wake stays pending for the next call.
    #[inline]
    pub(crate) fn after_wait(&self, room: bool) -> Option<Token> {
        if !room {
            // `SIGNALLED` goes too: the kernel's event for that signal may
            // be in this full buffer already, and then the next wait would
            // not report it again, while a wake that coalesces with the
            // pending one from now on makes no signal of its own. The next
            // call adds the event itself, at worst a duplicate.
            self.state
                .fetch_and(!(POLLING | SIGNALLED), Ordering::AcqRel);
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
        self.signal
            .get()
            .expect("a waker exists, so its signal does")
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    use super::*;

    /// Stands in for a selector: says whether creating a signal fails.
    #[derive(Default)]
    struct FakeSelector {
        fail: AtomicBool,
    }

    /// Counts signals instead of making system calls. `DELIVERS` picks
    /// whether it behaves like the eventfd (true) or like a signal whose
    /// event the loop adds itself (false).
    #[derive(Debug)]
    struct FakeSignal<const DELIVERS: bool> {
        signals: AtomicUsize,
        token: AtomicUsize,
    }

    impl<const DELIVERS: bool> Signal for FakeSignal<DELIVERS> {
        type Selector = FakeSelector;

        const DELIVERS_EVENT: bool = DELIVERS;

        fn new(selector: &FakeSelector, token: Token) -> io::Result<Self> {
            if selector.fail.load(Ordering::Relaxed) {
                return Err(io::Error::other("fake signal failure"));
            }
            Ok(FakeSignal {
                signals: AtomicUsize::new(0),
                token: AtomicUsize::new(token.0),
            })
        }

        fn retoken(&self, _: &FakeSelector, token: Token) -> io::Result<()> {
            self.token.store(token.0, Ordering::Relaxed);
            Ok(())
        }

        fn signal(&self) -> io::Result<()> {
            self.signals.fetch_add(1, Ordering::Relaxed);
            Ok(())
        }
    }

    const TOKEN: Token = Token(7);

    /// Returns a wake-up state with one waker for `TOKEN`.
    fn with_waker<const D: bool>() -> Wakeup<FakeSignal<D>> {
        let wakeup = Wakeup::new();
        wakeup
            .add_waker(&FakeSelector::default(), TOKEN)
            .expect("the fake signal cannot fail");
        wakeup
    }

    fn signals<const D: bool>(wakeup: &Wakeup<FakeSignal<D>>) -> usize {
        wakeup.signal().signals.load(Ordering::Relaxed)
    }

    #[test]
    fn wake_while_not_polling_makes_no_signal_call() {
        let wakeup = with_waker::<true>();
        wakeup.wake().unwrap();
        assert_eq!(signals(&wakeup), 0);

        // The loop must not block, and adds the event itself.
        assert!(wakeup.before_wait());
        assert_eq!(wakeup.after_wait(true), Some(TOKEN));
        assert_eq!(signals(&wakeup), 0);
    }

    #[test]
    fn wake_after_handover_is_not_reported_again() {
        let wakeup = with_waker::<true>();
        wakeup.wake().unwrap();
        assert!(wakeup.before_wait());
        assert_eq!(wakeup.after_wait(true), Some(TOKEN));

        assert!(!wakeup.before_wait());
        assert_eq!(wakeup.after_wait(true), None);
    }

    #[test]
    fn wake_while_polling_signals_exactly_once() {
        let wakeup = with_waker::<true>();
        assert!(!wakeup.before_wait());
        for _ in 0..5 {
            wakeup.wake().unwrap();
        }
        assert_eq!(signals(&wakeup), 1);

        // The selector reports the signal's own event: nothing to add.
        assert_eq!(wakeup.after_wait(true), None);

        // The next blocking wait signals again.
        assert!(!wakeup.before_wait());
        wakeup.wake().unwrap();
        assert_eq!(signals(&wakeup), 2);
        assert_eq!(wakeup.after_wait(true), None);
    }

    #[test]
    fn signal_without_own_event_is_added_by_the_loop() {
        let wakeup = with_waker::<false>();
        assert!(!wakeup.before_wait());
        wakeup.wake().unwrap();
        wakeup.wake().unwrap();
        assert_eq!(signals(&wakeup), 1);
        assert_eq!(wakeup.after_wait(true), Some(TOKEN));
        assert!(!wakeup.before_wait());
        assert_eq!(wakeup.after_wait(true), None);
    }

    #[test]
    fn wakes_coalesce_until_the_loop_looks() {
        let wakeup = with_waker::<false>();
        for _ in 0..10 {
            wakeup.wake().unwrap();
        }
        assert!(wakeup.before_wait());
        assert_eq!(wakeup.after_wait(true), Some(TOKEN));
        assert_eq!(wakeup.after_wait(true), None);
        assert_eq!(signals(&wakeup), 0);
    }

    #[test]
    fn after_wait_with_no_room_keeps_the_wake_pending() {
        let wakeup = with_waker::<false>();
        wakeup.wake().unwrap();
        assert!(wakeup.before_wait());
        assert_eq!(wakeup.after_wait(false), None);

        assert!(wakeup.before_wait(), "the wake must still be pending");
        assert_eq!(wakeup.after_wait(true), Some(TOKEN));
    }

    #[test]
    fn signalled_wake_in_a_full_buffer_is_reported_by_the_loop() {
        // The kernel's event may have been in the full buffer; a wake that
        // coalesces afterwards must still produce an event.
        let wakeup = with_waker::<true>();
        assert!(!wakeup.before_wait());
        wakeup.wake().unwrap();
        assert_eq!(wakeup.after_wait(false), None);

        wakeup.wake().unwrap();
        assert_eq!(signals(&wakeup), 1, "the loop is not blocked");
        assert!(wakeup.before_wait());
        assert_eq!(wakeup.after_wait(true), Some(TOKEN));
    }

    #[test]
    #[cfg(debug_assertions)]
    fn poll_ids_are_distinct_and_die_with_their_state() {
        let first = with_waker::<true>();
        let second = Wakeup::<FakeSignal<true>>::new();
        assert_ne!(first.id(), second.id());

        let id = second.id();
        assert!(id.is_alive());
        drop(second);
        assert!(!id.is_alive());
        assert!(first.id().is_alive());
    }

    #[test]
    fn second_token_is_refused_while_a_waker_lives() {
        let selector = FakeSelector::default();
        let wakeup = Wakeup::<FakeSignal<true>>::new();
        wakeup.add_waker(&selector, TOKEN).unwrap();

        let err = wakeup.add_waker(&selector, Token(8)).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        wakeup.add_waker(&selector, TOKEN).unwrap();

        // Once both are dropped another token is accepted.
        wakeup.drop_waker();
        wakeup.drop_waker();
        wakeup.add_waker(&selector, Token(8)).unwrap();
        assert_eq!(wakeup.signal().token.load(Ordering::Relaxed), 8);

        wakeup.wake().unwrap();
        assert!(wakeup.before_wait());
        assert_eq!(wakeup.after_wait(true), Some(Token(8)));
    }

    #[test]
    fn failed_signal_creation_counts_no_waker() {
        let selector = FakeSelector::default();
        selector.fail.store(true, Ordering::Relaxed);
        let wakeup = Wakeup::<FakeSignal<true>>::new();
        assert!(wakeup.add_waker(&selector, TOKEN).is_err());

        // Nothing is left behind: any token works afterwards.
        selector.fail.store(false, Ordering::Relaxed);
        wakeup.add_waker(&selector, Token(9)).unwrap();
        assert_eq!(*wakeup.live.lock().unwrap(), 1);
    }
}
