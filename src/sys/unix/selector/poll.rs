//! Selector on `poll(2)`: Unix systems without epoll or kqueue, and any
//! system built with `--cfg metal_io_force_poll`.
//!
//! Facility: `poll(2)`, which is level-triggered and keeps no registrations
//! in the kernel, plus a pipe (`waker::Pipe`) through which other threads
//! wake a blocked wait.
//!
//! Strategy: the registrations live in a table here, keyed by descriptor.
//! Each entry keeps the `poll(2)` events its interests ask for, plus
//! hang-up and error, and the subset still *armed*. Before each wait the
//! `pollfd` list is rebuilt from the armed entries, reusing one `Vec`. When readiness is reported, the reported kinds are disarmed:
//! this turns level-triggered `poll(2)` into the edges the readiness
//! contract promises. An interest is armed again when an operation on the
//! source returns `WouldBlock` (`IoSourceState::do_io` calls
//! [`Rearm::rearm`]) or when the source is reregistered.
//!
//! A change made while another thread is blocked in `poll(2)` writes to the
//! pipe (once per wait), so the wait ends, the list is rebuilt and the wait
//! goes on for the rest of its timeout. Results are checked against the
//! table after the wait: a source deregistered (or registered anew under
//! the same descriptor) during the wait reports nothing.
//!
//! Risks: the work per wait grows with the number of registered sources,
//! as `poll(2)` itself does. A source registered through `SourceFd` has no
//! `IoSourceState` to see its `WouldBlock`s, so it gets one event per
//! registration or reregistration. A descriptor closed while registered is
//! reported once, as an error (`POLLNVAL`), and then left alone.
//!
//! Limitation: the reused `pollfd` list grows inside a wait, so the first
//! wait after the number of registered sources passes its earlier highest
//! allocates (amortised, as a `Vec` grows). A loop whose set of sources has
//! stopped growing allocates nothing.

// With `os-poll` alone there are no sources, so the registration half of
// this file is unused.
#![cfg_attr(not(any(feature = "os-ext", feature = "net")), allow(dead_code))]

use std::collections::hash_map::{Entry, HashMap};
use std::os::fd::RawFd;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};
use std::{fmt, io};

use libc::c_short;

use crate::sys::unix::cvt;
use crate::sys::unix::waker::Pipe;
use crate::sys::wake::{Signal, Wakeup};
use crate::{Interest, Token};

/// One event: the token of its source and the `poll(2)` events reported.
#[derive(Copy, Clone, Debug)]
pub(crate) struct Event {
    token: Token,
    revents: c_short,
}

/// The buffer `select` fills, up to its capacity.
pub(crate) type Events = Vec<Event>;

/// The events `poll(2)` reports whether or not they were asked for. An
/// armed registration holds them too, so that a hang-up or error is
/// reported once, as epoll reports it, after the interests were disarmed.
const ALWAYS: c_short = libc::POLLHUP | libc::POLLERR | libc::POLLNVAL;

/// `POLLRDHUP` where it exists, so that a peer's shutdown is reported.
#[cfg(any(target_os = "android", target_os = "linux"))]
const RDHUP: c_short = libc::POLLRDHUP;
#[cfg(not(any(target_os = "android", target_os = "linux")))]
const RDHUP: c_short = 0;

/// The `poll(2)` selector: a table of registrations and the wake-up pipe.
pub(crate) struct Selector {
    shared: Arc<Shared>,
    /// The waiting thread's reusable `pollfd` list; only `select` locks it.
    buffers: Mutex<Buffers>,
    wakeup: Arc<Wakeup<WakerSignal>>,
}

/// What all clones of a selector, its signal and the sources' re-arm
/// handles share.
struct Shared {
    table: Mutex<Table>,
    pipe: Pipe,
}

#[derive(Default)]
struct Table {
    sources: HashMap<RawFd, Registration>,
    /// The last registration id handed out; ids start at 1.
    last_id: u64,
    /// True while a thread waits in `poll(2)` on a list built from this
    /// table.
    in_poll: bool,
    /// True once the pipe was written for the current wait.
    notified: bool,
}

#[derive(Copy, Clone)]
struct Registration {
    token: Token,
    interests: Interest,
    /// The events of `interests` (and `ALWAYS`) not reported since they
    /// were last armed.
    armed: c_short,
    /// Tells this registration from an earlier one of the same descriptor.
    id: u64,
}

/// The `pollfd` list of one wait, with the registration id of each entry.
#[derive(Default)]
struct Buffers {
    pollfds: Vec<libc::pollfd>,
    ids: Vec<u64>,
}

/// Locks a mutex whose data stays valid whatever a panicking holder left:
/// every update in this file is a single assignment or map operation.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Selector {
    /// Creates an empty table and its wake-up pipe.
    pub(crate) fn new() -> io::Result<Selector> {
        let pipe = Pipe::new()?;
        crate::macros::trace!("creating selector: backend=poll fd={}", pipe.read_fd());
        Ok(Selector {
            shared: Arc::new(Shared {
                table: Mutex::new(Table::default()),
                pipe,
            }),
            buffers: Mutex::new(Buffers::default()),
            wakeup: Arc::new(Wakeup::new()),
        })
    }

    /// Returns a selector sharing this one's table; it cannot fail.
    pub(crate) fn try_clone(&self) -> io::Result<Selector> {
        Ok(Selector {
            shared: Arc::clone(&self.shared),
            buffers: Mutex::new(Buffers::default()),
            wakeup: Arc::clone(&self.wakeup),
        })
    }

    /// Waits for events (`poll(2)`).
    pub(crate) fn select(&self, events: &mut Events, timeout: Option<Duration>) -> io::Result<()> {
        events.clear();

        // This backend's signal only ends the wait; `guard_wait` adds the
        // event.
        self.wakeup
            .guard_wait(events, timeout, waker_event, |events, timeout| {
                self.wait(events, timeout)
            })
    }

    /// Adds `fd` to the table with all of its interests armed.
    // Only `SourceFd` registers through here; I/O types use
    // `register_source`.
    #[cfg_attr(not(feature = "os-ext"), allow(dead_code))]
    pub(crate) fn register(&self, fd: RawFd, token: Token, interests: Interest) -> io::Result<()> {
        self.register_source(fd, token, interests).map(drop)
    }

    /// Registers `fd` and returns the handle its `IoSourceState` uses to
    /// re-arm it.
    ///
    /// Fails with `EBADF` for a descriptor that is not open, and `EEXIST`
    /// for one already registered, as `epoll_ctl(2)` does.
    pub(crate) fn register_source(
        &self,
        fd: RawFd,
        token: Token,
        interests: Interest,
    ) -> io::Result<Rearm> {
        check_open(fd)?;

        let mut table = lock(&self.shared.table);
        let id = table.last_id + 1;
        match table.sources.entry(fd) {
            Entry::Occupied(_) => return Err(io::Error::from_raw_os_error(libc::EEXIST)),
            Entry::Vacant(entry) => {
                entry.insert(Registration {
                    token,
                    interests,
                    armed: interest_events(interests),
                    id,
                });
            }
        }
        table.last_id = id;
        self.shared.changed(&mut table);

        Ok(Rearm {
            shared: Arc::downgrade(&self.shared),
            fd,
            id,
        })
    }

    /// Replaces the token and interests of `fd` and arms them all.
    ///
    /// Fails with `EBADF` for a descriptor that is not open, and `ENOENT`
    /// when `fd` is not registered.
    pub(crate) fn reregister(
        &self,
        fd: RawFd,
        token: Token,
        interests: Interest,
    ) -> io::Result<()> {
        check_open(fd)?;
        let mut table = lock(&self.shared.table);
        let source = table.sources.get_mut(&fd).ok_or_else(not_registered)?;
        source.token = token;
        source.interests = interests;
        source.armed = interest_events(interests);
        self.shared.changed(&mut table);
        Ok(())
    }

    /// Removes `fd` from the table.
    ///
    /// Fails with `EBADF` for a descriptor that is not open (its entry is
    /// removed all the same, as the kernel forgets a closed descriptor's
    /// epoll registration), and `ENOENT` when `fd` is not registered. A
    /// wait in progress is not interrupted: whatever it reports for `fd` is
    /// dropped.
    pub(crate) fn deregister(&self, fd: RawFd) -> io::Result<()> {
        let removed = lock(&self.shared.table).sources.remove(&fd);
        check_open(fd)?;
        removed.map(drop).ok_or_else(not_registered)
    }

    /// Returns the wake-up state shared with this selector's `Waker`.
    pub(crate) fn wakeup(&self) -> &Arc<Wakeup<WakerSignal>> {
        &self.wakeup
    }

    /// Waits until a source reports, a wake is pending, or the timeout has
    /// passed; a wait ended by the pipe alone (a registration change) is
    /// rebuilt and resumed.
    fn wait(&self, events: &mut Events, timeout: Option<Duration>) -> io::Result<()> {
        // No deadline: no timeout, or one too large for the clock.
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
        let mut buffers = lock(&self.buffers);
        loop {
            self.shared.fill(&mut buffers);
            let ms = deadline.map_or(-1, |d| {
                timeout_ms(d.saturating_duration_since(Instant::now()))
            });

            let result = poll(&mut buffers.pollfds, ms);
            self.shared.collect(&buffers, events);
            result?;

            if !events.is_empty() || self.wakeup.before_wait() {
                return Ok(());
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Ok(());
            }
        }
    }
}

impl Shared {
    /// Rebuilds the `pollfd` list from the armed registrations and marks
    /// the table as waited on.
    fn fill(&self, buffers: &mut Buffers) {
        let mut table = lock(&self.table);
        buffers.pollfds.clear();
        buffers.ids.clear();

        buffers
            .pollfds
            .push(pollfd(self.pipe.read_fd(), libc::POLLIN));
        buffers.ids.push(0);
        for (&fd, source) in &table.sources {
            if source.armed != 0 {
                // `poll(2)` reports `ALWAYS` without being asked.
                buffers.pollfds.push(pollfd(fd, source.armed & !ALWAYS));
                buffers.ids.push(source.id);
            }
        }
        table.in_poll = true;
    }

    /// Ends a wait: drains the pipe if it was written, then turns the
    /// results of current registrations into events, disarming what they
    /// report.
    fn collect(&self, buffers: &Buffers, events: &mut Events) {
        let mut table = lock(&self.table);
        table.in_poll = false;
        if buffers.pollfds[0].revents != 0 || table.notified {
            table.notified = false;
            // The pipe is non-blocking and only this file reads it; a
            // failed read leaves bytes that end the next wait early, which
            // the loop in `wait` absorbs.
            let _ = self.pipe.drain();
        }

        let results = buffers.pollfds.iter().zip(&buffers.ids).skip(1);
        for (pollfd, &id) in results.filter(|(p, _)| p.revents != 0) {
            // Skip a source deregistered, or registered anew, meanwhile.
            let Some(source) = table.sources.get_mut(&pollfd.fd) else {
                continue;
            };
            let reported = report(source.armed, pollfd.revents);
            if source.id != id || reported == 0 {
                continue;
            }

            // What does not fit stays armed and is reported by a later wait.
            if events.len() == events.capacity() {
                break;
            }
            events.push(Event {
                token: source.token,
                revents: reported,
            });
            source.armed = disarm(source.armed, reported);
        }
    }

    /// Makes a wait in progress see a change to the table, writing to the
    /// pipe at most once per wait.
    fn changed(&self, table: &mut Table) {
        if table.in_poll && !table.notified {
            table.notified = true;
            // Limitation: the pipe write can only fail if the process is
            // out of kernel memory (a full pipe is drained and written
            // again). The change is then kept but waits for the next wake
            // of the blocked `poll`, for example its timeout.
            let _ = self.pipe.notify();
        }
    }
}

/// What an I/O source keeps to re-arm its interests after `WouldBlock`.
#[derive(Debug)]
pub(crate) struct Rearm {
    /// Weak, so a source that outlives its `Poll` does not keep the pipe.
    shared: Weak<Shared>,
    fd: RawFd,
    id: u64,
}

impl Rearm {
    /// Arms every interest of the registration again, so that the next
    /// readiness change is reported.
    pub(crate) fn rearm(&self) {
        let Some(shared) = self.shared.upgrade() else {
            return;
        };

        let mut table = lock(&shared.table);
        let Some(source) = table.sources.get_mut(&self.fd) else {
            return;
        };
        let all = interest_events(source.interests);
        if source.id == self.id && source.armed != all {
            source.armed = all;
            shared.changed(&mut table);
        }
    }
}

/// Wakes the `poll(2)` selector through its pipe; the waker's event is
/// added by `select`, since the pipe carries no token.
#[derive(Debug)]
pub(crate) struct WakerSignal {
    shared: Arc<Shared>,
}

impl Signal for WakerSignal {
    type Selector = Selector;

    const DELIVERS_EVENT: bool = false;

    fn new(selector: &Selector, _: Token) -> io::Result<WakerSignal> {
        Ok(WakerSignal {
            shared: Arc::clone(&selector.shared),
        })
    }

    fn retoken(&self, _: &Selector, _: Token) -> io::Result<()> {
        // The token lives in the shared wake-up state; nothing to change.
        Ok(())
    }

    fn signal(&self) -> io::Result<()> {
        self.shared.pipe.notify()
    }
}

/// Calls `poll(2)` on `fds` for at most `timeout` milliseconds (-1: no
/// limit).
fn poll(fds: &mut [libc::pollfd], timeout: libc::c_int) -> io::Result<usize> {
    // SAFETY: `fds` is a live, exclusively borrowed slice of `fds.len()`
    // entries; the kernel only writes their `revents` fields.
    let ret = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout) };
    cvt(ret).map(|n| n as usize)
}

fn pollfd(fd: RawFd, events: c_short) -> libc::pollfd {
    libc::pollfd {
        fd,
        events,
        revents: 0,
    }
}

/// Fails with `EBADF` unless `fd` is an open descriptor, as `epoll_ctl(2)`
/// would; `poll(2)` itself would only report it later, as `POLLNVAL`.
fn check_open(fd: RawFd) -> io::Result<()> {
    // SAFETY: `F_GETFD` only reads the descriptor flags; the kernel checks
    // `fd`, which need not be open.
    cvt(unsafe { libc::fcntl(fd, libc::F_GETFD) }).map(drop)
}

fn not_registered() -> io::Error {
    io::Error::from_raw_os_error(libc::ENOENT)
}

/// Maps an interest to the `poll(2)` events it asks for, plus `ALWAYS`.
fn interest_events(interests: Interest) -> c_short {
    let mut events = ALWAYS;
    if interests.is_readable() {
        events |= libc::POLLIN | RDHUP;
    }
    if interests.is_writable() {
        events |= libc::POLLOUT;
    }
    if interests.is_priority() {
        events |= libc::POLLPRI;
    }
    events
}

/// The part of `revents` a registration with `armed` events reports.
fn report(armed: c_short, revents: c_short) -> c_short {
    revents & armed
}

/// The armed events left after `reported` was handed to the caller.
///
/// A hang-up or error disarms everything: nothing later would clear it, so
/// keeping any event armed would report it again on every wait. Otherwise
/// `ALWAYS` stays armed, so that a later hang-up is still reported.
fn disarm(armed: c_short, reported: c_short) -> c_short {
    if reported & ALWAYS != 0 {
        return 0;
    }

    let mut armed = armed;
    for group in [libc::POLLIN | RDHUP, libc::POLLOUT, libc::POLLPRI] {
        if reported & group != 0 {
            armed &= !group;
        }
    }
    armed
}

/// Rounds a remaining wait up to whole milliseconds, so the wait never ends
/// early; waits beyond `c_int::MAX` milliseconds are done in parts.
fn timeout_ms(remaining: Duration) -> libc::c_int {
    let ms = remaining.as_nanos().div_ceil(1_000_000);
    libc::c_int::try_from(ms).unwrap_or(libc::c_int::MAX)
}

/// The event a pending wake turns into.
fn waker_event(token: Token) -> Event {
    Event {
        token,
        revents: libc::POLLIN,
    }
}

impl fmt::Debug for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Selector")
            .field("wake_pipe", &self.shared.pipe.read_fd())
            .finish()
    }
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shared")
            .field("wake_pipe", &self.pipe.read_fd())
            .finish()
    }
}

/// Readers for the raw event, with the flag tables from `Event`'s docs.
pub(crate) mod event {
    use std::fmt;

    use libc::c_short;

    use super::{Event, RDHUP};
    use crate::Token;

    fn has(event: &Event, flags: c_short) -> bool {
        event.revents & flags != 0
    }

    pub(crate) fn token(event: &Event) -> Token {
        event.token
    }

    pub(crate) fn is_readable(event: &Event) -> bool {
        has(event, libc::POLLIN | libc::POLLPRI)
    }

    pub(crate) fn is_writable(event: &Event) -> bool {
        has(event, libc::POLLOUT)
    }

    pub(crate) fn is_error(event: &Event) -> bool {
        has(event, libc::POLLERR | libc::POLLNVAL)
    }

    pub(crate) fn is_read_closed(event: &Event) -> bool {
        has(event, libc::POLLHUP) || (has(event, libc::POLLIN) && has(event, RDHUP))
    }

    pub(crate) fn is_write_closed(event: &Event) -> bool {
        // A pipe whose read end is gone reports `POLLERR` alone once its
        // writable interest has been reported.
        has(event, libc::POLLHUP)
            || (has(event, libc::POLLOUT) && has(event, libc::POLLERR))
            || event.revents == libc::POLLERR
    }

    pub(crate) fn is_priority(event: &Event) -> bool {
        has(event, libc::POLLPRI)
    }

    pub(crate) fn is_aio(_: &Event) -> bool {
        false
    }

    pub(crate) fn is_lio(_: &Event) -> bool {
        false
    }

    /// Names the raw flags of an event in its `Debug` output.
    pub(crate) struct Details<'a>(pub(crate) &'a Event);

    impl fmt::Debug for Details<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            const NAMES: [(c_short, &str); 7] = [
                (libc::POLLIN, "POLLIN"),
                (libc::POLLPRI, "POLLPRI"),
                (libc::POLLOUT, "POLLOUT"),
                (RDHUP, "POLLRDHUP"),
                (libc::POLLERR, "POLLERR"),
                (libc::POLLHUP, "POLLHUP"),
                (libc::POLLNVAL, "POLLNVAL"),
            ];

            /// The flags of an event, listed by name.
            struct Flags(c_short);

            impl fmt::Debug for Flags {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    let mut list = f.debug_list();
                    for (flag, name) in NAMES {
                        if self.0 & flag != 0 {
                            list.entry(&format_args!("{name}"));
                        }
                    }
                    list.finish()
                }
            }

            f.debug_struct("pollfd")
                .field("revents", &Flags(self.0.revents))
                .field("token", &self.0.token.0)
                .finish()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interests_map_to_poll_events() {
        let read = interest_events(Interest::READABLE);
        assert_eq!(read, libc::POLLIN | RDHUP | ALWAYS);
        assert_eq!(interest_events(Interest::WRITABLE), libc::POLLOUT | ALWAYS);
        let both = interest_events(Interest::READABLE | Interest::WRITABLE);
        assert_eq!(both, read | libc::POLLOUT);
    }

    #[test]
    fn reported_kinds_are_disarmed_and_the_rest_stay() {
        let armed = interest_events(Interest::READABLE | Interest::WRITABLE);
        let left = disarm(armed, libc::POLLOUT);
        assert_eq!(left, libc::POLLIN | RDHUP | ALWAYS);
        // Hang-up and errors stay armed after the interests are reported.
        assert_eq!(disarm(left, libc::POLLIN), ALWAYS);
        assert_eq!(report(ALWAYS, libc::POLLIN | libc::POLLERR), libc::POLLERR);
    }

    #[test]
    fn hang_up_and_errors_disarm_everything() {
        let armed = interest_events(Interest::READABLE | Interest::WRITABLE);
        for flag in [libc::POLLHUP, libc::POLLERR, libc::POLLNVAL] {
            assert_eq!(disarm(armed, flag), 0);
        }
    }

    #[test]
    fn disarmed_registrations_report_nothing() {
        assert_eq!(report(0, libc::POLLIN | libc::POLLHUP), 0);
        let read = interest_events(Interest::READABLE);
        assert_eq!(report(read, libc::POLLIN | libc::POLLOUT), libc::POLLIN);
        let write = interest_events(Interest::WRITABLE);
        assert_eq!(report(write, libc::POLLHUP), libc::POLLHUP);
    }

    #[test]
    fn timeouts_round_up_to_milliseconds() {
        assert_eq!(timeout_ms(Duration::ZERO), 0);
        assert_eq!(timeout_ms(Duration::from_nanos(1)), 1);
        assert_eq!(timeout_ms(Duration::from_micros(1500)), 2);
        assert_eq!(timeout_ms(Duration::from_millis(7)), 7);
        assert_eq!(timeout_ms(Duration::MAX), libc::c_int::MAX);
    }

    #[test]
    fn event_predicates_follow_the_flag_table() {
        let hup = Event {
            token: Token(1),
            revents: libc::POLLHUP,
        };
        assert!(event::is_read_closed(&hup) && event::is_write_closed(&hup));
        assert!(!event::is_readable(&hup) && !event::is_error(&hup));

        let broken = Event {
            token: Token(2),
            revents: libc::POLLOUT | libc::POLLERR,
        };
        assert!(event::is_writable(&broken) && event::is_error(&broken));
        assert!(event::is_write_closed(&broken) && !event::is_read_closed(&broken));
    }

    #[test]
    fn waker_event_is_readable_with_its_token() {
        let event = waker_event(Token(42));
        assert_eq!(event::token(&event), Token(42));
        assert!(event::is_readable(&event) && !event::is_writable(&event));
    }

    /// Polls once with a short timeout and returns the tokens reported.
    fn tokens(selector: &Selector) -> Vec<Token> {
        let mut events = Events::with_capacity(8);
        selector
            .select(&mut events, Some(Duration::from_millis(10)))
            .expect("select");
        events.iter().map(event::token).collect()
    }

    #[test]
    fn readiness_is_reported_once_until_rearmed() {
        use std::io::Write;

        let selector = Selector::new().expect("selector");
        let (read, mut write) = std::os::unix::net::UnixStream::pair().expect("socket pair");
        let fd = std::os::fd::AsRawFd::as_raw_fd(&read);
        let rearm = selector
            .register_source(fd, Token(3), Interest::READABLE)
            .expect("register");

        write.write_all(b"x").expect("write");
        assert_eq!(tokens(&selector), [Token(3)]);
        // Still readable, but the edge was reported.
        assert_eq!(tokens(&selector), []);

        // As after a `WouldBlock`: the level is reported again.
        rearm.rearm();
        assert_eq!(tokens(&selector), [Token(3)]);

        // So does a reregistration, with its new token.
        selector
            .reregister(fd, Token(4), Interest::READABLE)
            .expect("reregister");
        assert_eq!(tokens(&selector), [Token(4)]);
        assert_eq!(tokens(&selector), []);
    }

    #[test]
    fn rearm_of_an_older_registration_does_nothing() {
        use std::io::Write;

        let selector = Selector::new().expect("selector");
        let (read, mut write) = std::os::unix::net::UnixStream::pair().expect("socket pair");
        let fd = std::os::fd::AsRawFd::as_raw_fd(&read);
        let old = selector
            .register_source(fd, Token(1), Interest::READABLE)
            .expect("register");
        selector.deregister(fd).expect("deregister");
        selector
            .register(fd, Token(2), Interest::READABLE)
            .expect("register");

        write.write_all(b"x").expect("write");
        assert_eq!(tokens(&selector), [Token(2)]);
        old.rearm();
        assert_eq!(tokens(&selector), []);
    }

    #[test]
    fn register_checks_the_descriptor_and_duplicates() {
        let selector = Selector::new().expect("selector");
        let err = selector
            .register(-1, Token(0), Interest::READABLE)
            .unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EBADF));

        let (read, _write) = std::os::unix::net::UnixStream::pair().expect("socket pair");
        let fd = std::os::fd::AsRawFd::as_raw_fd(&read);
        selector
            .register(fd, Token(0), Interest::READABLE)
            .expect("register");
        let err = selector
            .register(fd, Token(1), Interest::WRITABLE)
            .unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EEXIST));

        selector.deregister(fd).expect("deregister");
        let err = selector.deregister(fd).unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::ENOENT));
    }

    #[test]
    fn deregister_during_a_wait_drops_its_results() {
        let selector = Selector::new().expect("selector");
        let (read, write) = std::os::unix::net::UnixStream::pair().expect("socket pair");
        let fd = std::os::fd::AsRawFd::as_raw_fd(&read);
        selector
            .register(fd, Token(5), Interest::WRITABLE)
            .expect("register");

        // Build the list as a wait would, then deregister before collecting.
        let mut buffers = Buffers::default();
        selector.shared.fill(&mut buffers);
        poll(&mut buffers.pollfds, 0).expect("poll");
        selector.deregister(fd).expect("deregister");

        let mut events = Events::with_capacity(4);
        selector.shared.collect(&buffers, &mut events);
        assert!(events.is_empty());
        drop((read, write));
    }

    #[test]
    fn a_new_registration_ignores_results_for_the_old_one() {
        let selector = Selector::new().expect("selector");
        let (read, write) = std::os::unix::net::UnixStream::pair().expect("socket pair");
        let fd = std::os::fd::AsRawFd::as_raw_fd(&read);
        selector
            .register(fd, Token(5), Interest::WRITABLE)
            .expect("register");

        let mut buffers = Buffers::default();
        selector.shared.fill(&mut buffers);
        poll(&mut buffers.pollfds, 0).expect("poll");
        selector.deregister(fd).expect("deregister");
        selector
            .register(fd, Token(6), Interest::WRITABLE)
            .expect("register");

        let mut events = Events::with_capacity(4);
        selector.shared.collect(&buffers, &mut events);
        assert!(events.is_empty());
        drop((read, write));
    }
}
