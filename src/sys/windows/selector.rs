//! Selector on an I/O completion port: Windows.
//!
//! Strategy: everything the selector reports arrives as a completion packet
//! on one port (see [`super::iocp`]), and the completion key says what sent
//! it:
//!
//! - `KEY_WAKER`: a `Waker` posted it; it becomes a readable event with the
//!   waker's current token.
//! - `KEY_AFD`: a socket's AFD poll request finished (see
//!   [`super::sock_state`]). Sockets share a few AFD handles, up to
//!   `SOCKETS_PER_AFD` per handle, opened as needed and kept until the
//!   selector is dropped.
//! - any key from `KEY_PIPE_FIRST` up: an operation of a named pipe, which
//!   the selector looks up in its table of pipes (see
//!   [`super::named_pipe`]).
//!
//! Before each wait, `select` sends the requests of the sockets that
//! reported an event since its last wait, on the flags they did not
//! report, unless an operation on the socket has already sent a new one.
//! It then waits with `GetQueuedCompletionStatusEx`, taking no more
//! packets than `Events` has room for, since each packet makes at most one
//! event. A packet may make none (a cancelled request, for instance); the
//! selector then waits again for what is left of the timeout, so it never
//! returns early with nothing. The timeout is rounded up to whole
//! milliseconds; one too long for a single wait is waited in parts, and
//! one too long to add to the clock (`Duration::MAX`) waits forever.
//!
//! Risks: every request or operation in flight owns a strong count of its
//! source's state, handed back by its packet. When the selector is dropped
//! it cancels what is still in flight and takes those packets off the port
//! before closing it; whatever has not come back within a second is
//! leaked, with its handles.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
#[cfg(feature = "net")]
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};
use std::{fmt, io};

use windows_sys::Win32::System::IO::OVERLAPPED_ENTRY;

use super::afd::AFD_POLL_RECEIVE;
use super::event::{empty_status, Event, Events};
use super::iocp::{CompletionPort, INFINITE};
use crate::sys::wake::Wakeup;
use crate::sys::WakerSignal;
use crate::Token;

/// The completion key of the packets a `Waker` posts.
pub(crate) const KEY_WAKER: usize = 1;

/// The completion key of the AFD handles that socket poll requests use.
#[cfg(feature = "net")]
pub(crate) const KEY_AFD: usize = 2;

/// How many sockets share one AFD handle.
#[cfg(feature = "net")]
const SOCKETS_PER_AFD: usize = 32;

/// How many waits of `DRAIN_WAIT_MS` a dropped selector spends, at most,
/// taking back what was in flight.
const DRAIN_ROUNDS: usize = 100;
const DRAIN_WAIT_MS: u32 = 10;

/// A completion port and the wake-up state of its `Poll`.
pub(crate) struct Selector {
    inner: Arc<SelectorInner>,
    wakeup: Arc<Wakeup<WakerSignal>>,
}

/// What every clone of a selector, and every registered source, shares.
pub(crate) struct SelectorInner {
    port: CompletionPort,
    /// Requests and operations in flight, each owning a count of its
    /// source's state until its packet is taken.
    in_flight: AtomicUsize,
    waker_token: AtomicUsize,
    #[cfg(feature = "net")]
    afds: Mutex<Vec<Arc<super::afd::Afd>>>,
    /// Sockets that reported an event and wait for a request on the flags
    /// they did not report; sent before each wait.
    #[cfg(feature = "net")]
    updates: Mutex<Vec<Arc<super::sock_state::SockState>>>,
    #[cfg(feature = "os-ext")]
    pipes: super::named_pipe::PipeTable,
}

impl Selector {
    /// Creates a completion port (`CreateIoCompletionPort`).
    pub(crate) fn new() -> io::Result<Selector> {
        let port = CompletionPort::new()?;
        crate::macros::trace!("creating selector: backend=iocp port={:?}", port);
        let inner = SelectorInner {
            port,
            in_flight: AtomicUsize::new(0),
            waker_token: AtomicUsize::new(0),
            #[cfg(feature = "net")]
            afds: Mutex::new(Vec::new()),
            #[cfg(feature = "net")]
            updates: Mutex::new(Vec::new()),
            #[cfg(feature = "os-ext")]
            pipes: super::named_pipe::PipeTable::default(),
        };
        Ok(Selector {
            inner: Arc::new(inner),
            wakeup: Arc::new(Wakeup::new()),
        })
    }

    /// Returns a selector for the same port. Nothing is duplicated, so
    /// this cannot fail.
    pub(crate) fn try_clone(&self) -> io::Result<Selector> {
        Ok(Selector {
            inner: Arc::clone(&self.inner),
            wakeup: Arc::clone(&self.wakeup),
        })
    }

    /// Waits for events (`GetQueuedCompletionStatusEx`).
    pub(crate) fn select(&self, events: &mut Events, timeout: Option<Duration>) -> io::Result<()> {
        events.clear();

        self.wakeup
            .guard_wait(events, timeout, waker_event, |events, timeout| {
                self.inner.select(events, timeout)
            })
    }

    /// Returns the wake-up state shared with this selector's `Waker`.
    pub(crate) fn wakeup(&self) -> &Arc<Wakeup<WakerSignal>> {
        &self.wakeup
    }

    /// Returns the state shared with sources and the waker signal.
    pub(crate) fn inner(&self) -> &Arc<SelectorInner> {
        &self.inner
    }
}

/// The event a pending wake turns into.
fn waker_event(token: Token) -> Event {
    Event::new(token, AFD_POLL_RECEIVE)
}

impl fmt::Debug for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Selector")
            .field("port", &self.inner.port)
            .finish()
    }
}

impl SelectorInner {
    /// Returns the completion port.
    pub(crate) fn port(&self) -> &CompletionPort {
        &self.port
    }

    /// Counts a request or operation that will send a packet.
    #[cfg(any(feature = "net", feature = "os-ext"))]
    pub(crate) fn request_started(&self) {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a packet taken, or a request that failed to start.
    #[cfg(any(feature = "net", feature = "os-ext"))]
    pub(crate) fn request_finished(&self) {
        self.in_flight.fetch_sub(1, Ordering::Relaxed);
    }

    /// Sets the token that waker packets are reported with.
    pub(crate) fn set_waker_token(&self, token: Token) {
        self.waker_token.store(token.0, Ordering::Release);
    }

    /// Waits until at least one packet makes an event, or the timeout
    /// passes.
    fn select(&self, events: &mut Events, timeout: Option<Duration>) -> io::Result<()> {
        let start = Instant::now();
        // No deadline either means no timeout or one past the clock's end.
        let deadline = timeout.and_then(|t| start.checked_add(t));

        loop {
            #[cfg(feature = "net")]
            self.send_updates(events);

            let wait_ms = match deadline {
                Some(deadline) => wait_ms(deadline.saturating_duration_since(Instant::now())),
                None => INFINITE,
            };

            // An error event from the updates is returned without waiting.
            let wait_ms = if events.is_empty() { wait_ms } else { 0 };
            let taken = self.port.wait(events.statuses(), wait_ms)?;
            for index in 0..taken {
                if let Some(event) = self.complete(&events.status(index), false) {
                    events.push(event);
                }
            }

            if !events.is_empty() {
                return Ok(());
            }
            if let Some(deadline) = deadline {
                if Instant::now() >= deadline {
                    return Ok(());
                }
            }
        }
    }

    /// Turns one packet into an event, if it makes one. With `closing`,
    /// the selector is being dropped: state is freed, nothing reported.
    fn complete(&self, status: &OVERLAPPED_ENTRY, closing: bool) -> Option<Event> {
        match status.lpCompletionKey {
            KEY_WAKER if closing => None,
            KEY_WAKER => {
                let token = Token(self.waker_token.load(Ordering::Acquire));
                Some(Event::new(token, AFD_POLL_RECEIVE))
            }
            #[cfg(feature = "net")]
            KEY_AFD => {
                self.request_finished();
                let context = status
                    .lpOverlapped
                    .cast_const()
                    .cast::<super::sock_state::SockState>();
                // SAFETY: packets with this key come only from poll
                // requests on this selector's AFD handles. Each was sent by
                // `SockState::send`, whose context is a strong count of an
                // `Arc<SockState>` given up with `Arc::into_raw` for this
                // one packet, which is now taken.
                let state = unsafe { Arc::from_raw(context) };
                state.complete(self, closing)
            }
            #[cfg(feature = "os-ext")]
            key if key >= super::named_pipe::KEY_PIPE_FIRST => {
                super::named_pipe::complete(self, status, closing)
            }
            _ => None,
        }
    }

    /// Registers a socket: finds its base handle and sends its first poll
    /// request.
    #[cfg(feature = "net")]
    pub(crate) fn register_socket(
        &self,
        socket: std::os::windows::io::RawSocket,
        token: Token,
        interests: crate::Interest,
    ) -> io::Result<Arc<super::sock_state::SockState>> {
        let base = super::afd::base_socket(socket)?;
        let afd = self.afd()?;
        let state = Arc::new(super::sock_state::SockState::new(
            afd, base, token, interests,
        ));
        state.rearm(self)?;
        Ok(state)
    }

    /// Queues a socket for a request on the flags it did not report.
    #[cfg(feature = "net")]
    pub(crate) fn queue_update(&self, state: Arc<super::sock_state::SockState>) {
        lock(&self.updates).push(state);
    }

    /// Sends the queued requests. A request that fails becomes an error
    /// event while there is room for one, and stays queued otherwise.
    #[cfg(feature = "net")]
    fn send_updates(&self, events: &mut Events) {
        let queued = std::mem::take(&mut *lock(&self.updates));
        for state in queued {
            if events.len() == events.capacity() {
                self.queue_update(state);
                continue;
            }
            if let Some(event) = state.update(self) {
                events.push(event);
            }
        }
    }

    /// Returns an AFD handle with room for one more socket.
    #[cfg(feature = "net")]
    fn afd(&self) -> io::Result<Arc<super::afd::Afd>> {
        let mut afds = lock(&self.afds);

        // One count is the list's own; every other is a socket's.
        if let Some(afd) = afds
            .iter()
            .find(|afd| Arc::strong_count(afd) <= SOCKETS_PER_AFD)
        {
            return Ok(Arc::clone(afd));
        }

        let afd = Arc::new(super::afd::Afd::new(&self.port, KEY_AFD)?);
        afds.push(Arc::clone(&afd));
        Ok(afd)
    }

    /// Returns the table of named pipes bound to this port.
    #[cfg(feature = "os-ext")]
    pub(crate) fn pipes(&self) -> &super::named_pipe::PipeTable {
        &self.pipes
    }

    /// Cancels everything still in flight and takes the packets back.
    fn drain(&mut self) {
        #[cfg(feature = "net")]
        for afd in lock(&self.afds).iter() {
            afd.cancel_all();
        }
        #[cfg(feature = "os-ext")]
        self.pipes.cancel_all();

        let mut statuses = [empty_status(); 64];
        for _ in 0..DRAIN_ROUNDS {
            if self.in_flight.load(Ordering::Relaxed) == 0 {
                return;
            }
            let Ok(taken) = self.port.wait(&mut statuses, DRAIN_WAIT_MS) else {
                return;
            };
            for status in &statuses[..taken] {
                let _ = self.complete(status, true);
            }
        }
        // Limitation: a request whose cancelled packet has not arrived
        // after `DRAIN_ROUNDS` waits is given up: its source's state (and,
        // for a named pipe, its handle) stays allocated until the process
        // exits. Cancelled AFD requests and pipe operations come back at
        // once on every system seen so far.
    }
}

impl Drop for SelectorInner {
    fn drop(&mut self) {
        self.drain();
    }
}

impl fmt::Debug for SelectorInner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SelectorInner")
            .field("port", &self.port)
            .field("in_flight", &self.in_flight.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// Converts what is left of a timeout into whole milliseconds, rounded up
/// so a wait never ends early, and capped just below [`INFINITE`]: a
/// longer wait is done in parts.
fn wait_ms(left: Duration) -> u32 {
    let ms = left.as_nanos().div_ceil(1_000_000);
    u32::try_from(ms).unwrap_or(INFINITE - 1).min(INFINITE - 1)
}

/// Locks a mutex whose data stays valid whatever a panicking holder did.
#[cfg(feature = "net")]
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_rounds_up_to_whole_milliseconds() {
        assert_eq!(wait_ms(Duration::ZERO), 0);
        assert_eq!(wait_ms(Duration::from_nanos(1)), 1);
        assert_eq!(wait_ms(Duration::from_micros(1_500)), 2);
        assert_eq!(wait_ms(Duration::from_millis(7)), 7);
    }

    #[test]
    fn long_waits_are_cut_below_infinite() {
        let cap = INFINITE - 1;
        assert_eq!(wait_ms(Duration::from_millis(u64::from(cap) + 5)), cap);
        assert_eq!(wait_ms(Duration::MAX), cap);
    }

    #[test]
    fn zero_timeout_returns_at_once_with_nothing() {
        let selector = Selector::new().unwrap();
        let mut events = Events::with_capacity(4);
        let start = Instant::now();
        selector.select(&mut events, Some(Duration::ZERO)).unwrap();
        assert!(events.is_empty());
        assert!(start.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn timeout_is_never_cut_short() {
        let selector = Selector::new().unwrap();
        let mut events = Events::with_capacity(4);
        let timeout = Duration::from_micros(10_500);
        let start = Instant::now();
        selector.select(&mut events, Some(timeout)).unwrap();
        assert!(events.is_empty());
        assert!(start.elapsed() >= timeout);
    }

    #[test]
    fn waker_packet_reports_the_current_token() {
        let selector = Selector::new().unwrap();
        selector.inner().set_waker_token(Token(3));
        selector
            .inner()
            .port()
            .post(KEY_WAKER, std::ptr::null())
            .unwrap();
        selector.inner().set_waker_token(Token(4));

        let mut events = Events::with_capacity(4);
        selector
            .select(&mut events, Some(Duration::from_secs(5)))
            .unwrap();
        assert_eq!(events.len(), 1);
        let event = events.get(0).unwrap();
        assert_eq!(super::super::event::token(event), Token(4));
        assert!(super::super::event::is_readable(event));
    }

    #[test]
    fn unknown_packets_make_no_event_and_do_not_end_the_wait_early() {
        let selector = Selector::new().unwrap();
        selector.inner().port().post(999, std::ptr::null()).unwrap();

        let mut events = Events::with_capacity(4);
        let timeout = Duration::from_millis(20);
        let start = Instant::now();
        selector.select(&mut events, Some(timeout)).unwrap();
        assert!(events.is_empty());
        assert!(start.elapsed() >= timeout);
    }
}
