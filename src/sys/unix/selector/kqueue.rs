//! Selector on `kqueue(2)`: macOS, iOS, FreeBSD, NetBSD, OpenBSD and
//! DragonFly.
//!
//! Strategy: a source becomes two filters, `EVFILT_READ` and
//! `EVFILT_WRITE`, each added with `EV_CLEAR` so that the kernel reports
//! edges, and with the caller's token as `udata`, so an event maps back to
//! its token without any table. Every change is sent with `EV_RECEIPT` in
//! one `kevent(2)` call whose event list only has room for the receipts:
//! each change's own error is seen, and no pending event is consumed by a
//! registration. What each change is, and which receipt errors are
//! expected, is decided by the plain functions in `kqueue_logic`; this file
//! only converts to and from `struct kevent` and makes the calls.
//!
//! Risks: the two filters of a source are separate kernel objects. A
//! registration whose second change fails is rolled back, but a failed
//! `reregister` can leave the filters half changed (see the note there).
//! The kernel keeps registrations per descriptor number and drops them when
//! the descriptor is closed, so a source closed without `deregister` stops
//! reporting silently instead of failing.

use std::mem::MaybeUninit;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::sync::Arc;
use std::time::{Duration, Instant};
use std::{fmt, io, ptr};

use super::kqueue_logic::{self as logic, Batch, Filter, Flags, Kevent};
use crate::sys::unix::cvt;
use crate::sys::wake::Wakeup;
use crate::sys::WakerSignal;
use crate::{Interest, Token};

/// One raw event, as `kevent(2)` writes it.
#[repr(transparent)]
#[derive(Copy, Clone)]
pub(crate) struct Event(libc::kevent);

// SAFETY: the only pointer in `struct kevent` is `udata`, which this crate
// fills with a token and never dereferences; the rest is plain integers.
unsafe impl Send for Event {}
// SAFETY: as for `Send`; an `Event` is never mutated through `&Event`.
unsafe impl Sync for Event {}

/// The buffer `kevent(2)` fills, up to its capacity.
pub(crate) type Events = Vec<Event>;

/// The type of `struct kevent`'s `filter` field.
#[cfg(target_os = "netbsd")]
type RawFilter = u32;
#[cfg(not(target_os = "netbsd"))]
type RawFilter = i16;

/// The type of `struct kevent`'s `flags` field.
#[cfg(target_os = "netbsd")]
type RawFlags = u32;
#[cfg(not(target_os = "netbsd"))]
type RawFlags = u16;

/// The filters named in `kqueue_logic`, with this system's values.
const FILTERS: &[(Filter, RawFilter)] = &[
    (Filter::Read, libc::EVFILT_READ),
    (Filter::Write, libc::EVFILT_WRITE),
    (Filter::User, libc::EVFILT_USER),
    #[cfg(any(
        target_os = "dragonfly",
        target_os = "freebsd",
        target_os = "ios",
        target_os = "macos",
        target_os = "tvos",
        target_os = "visionos",
        target_os = "watchos",
    ))]
    (Filter::Aio, libc::EVFILT_AIO),
    #[cfg(target_os = "freebsd")]
    (Filter::Lio, libc::EVFILT_LIO),
];

/// The flags named in `kqueue_logic`, with this system's values.
const FLAGS: [(Flags, RawFlags); 7] = [
    (Flags::ADD, libc::EV_ADD),
    (Flags::DELETE, libc::EV_DELETE),
    (Flags::CLEAR, libc::EV_CLEAR),
    (Flags::RECEIPT, libc::EV_RECEIPT),
    (Flags::ONESHOT, libc::EV_ONESHOT),
    (Flags::EOF, libc::EV_EOF),
    (Flags::ERROR, libc::EV_ERROR),
];

/// A kqueue and the wake-up state of its `Poll`.
pub(crate) struct Selector {
    kq: OwnedFd,
    wakeup: Arc<Wakeup<WakerSignal>>,
}

impl Selector {
    /// Creates a close-on-exec kqueue (`kqueue(2)`).
    pub(crate) fn new() -> io::Result<Selector> {
        // SAFETY: `kqueue` takes no arguments and returns a new descriptor
        // or -1.
        let fd = cvt(unsafe { libc::kqueue() })?;
        // SAFETY: `fd` was just returned by `kqueue` and is owned by no one
        // else.
        let kq = unsafe { OwnedFd::from_raw_fd(fd) };

        // A forked child never inherits a kqueue, so setting the flag after
        // creation leaks nothing into children; it only covers `exec(2)`.
        rustix::io::fcntl_setfd(&kq, rustix::io::FdFlags::CLOEXEC)?;
        crate::macros::trace!("creating selector: backend=kqueue fd={}", kq.as_raw_fd());
        Ok(Selector {
            kq,
            wakeup: Arc::new(Wakeup::new()),
        })
    }

    /// Returns a selector for the same kqueue, through a close-on-exec
    /// duplicate of its descriptor.
    pub(crate) fn try_clone(&self) -> io::Result<Selector> {
        let kq = rustix::io::fcntl_dupfd_cloexec(&self.kq, 3)?;
        Ok(Selector {
            kq,
            wakeup: Arc::clone(&self.wakeup),
        })
    }

    /// Waits for events (`kevent(2)` with an empty change list).
    pub(crate) fn select(&self, events: &mut Events, timeout: Option<Duration>) -> io::Result<()> {
        events.clear();

        self.wakeup
            .guard_wait(events, timeout, waker_event, |events, timeout| {
                self.wait(events, timeout)
            })
    }

    /// Adds a read and/or write filter for `fd` (`kevent(2)` with
    /// `EV_ADD | EV_CLEAR`).
    pub(crate) fn register(&self, fd: RawFd, token: Token, interests: Interest) -> io::Result<()> {
        let changes = logic::register_changes(ident(fd)?, token, interests);
        let receipts = apply(self.kq.as_fd(), &changes)?;
        if let Some(errno) = logic::first_error(&receipts) {
            // Take back the filter that was added, so that a failed
            // registration leaves nothing behind. This is best effort: the
            // caller hears of the first error either way.
            let rollback = logic::rollback_changes(receipts.as_slice());
            let _ = apply(self.kq.as_fd(), &rollback);
            return Err(io::Error::from_raw_os_error(errno));
        }
        Ok(())
    }

    /// Adds or deletes each of the read and write filters of `fd` so that
    /// they match `interests`, and gives them `token`.
    // Limitation: the two changes are applied one after the other by the
    // kernel. If the second one fails (for example for lack of kernel
    // memory), the first one stays applied: the caller gets the error but
    // may keep receiving events for the filter that did change.
    pub(crate) fn reregister(
        &self,
        fd: RawFd,
        token: Token,
        interests: Interest,
    ) -> io::Result<()> {
        let changes = logic::reregister_changes(ident(fd)?, token, interests);
        check(&apply(self.kq.as_fd(), &changes)?)
    }

    /// Deletes both filters of `fd` (`kevent(2)` with `EV_DELETE`).
    ///
    /// A filter that was never added is no error, so deregistering a
    /// source registered for one direction only succeeds.
    // Only sources deregister, and with `os-poll` alone there are none.
    #[cfg_attr(not(any(feature = "os-ext", feature = "net")), allow(dead_code))]
    pub(crate) fn deregister(&self, fd: RawFd) -> io::Result<()> {
        let changes = logic::deregister_changes(ident(fd)?);
        check(&apply(self.kq.as_fd(), &changes)?)
    }

    /// Returns the wake-up state shared with this selector's `Waker`.
    pub(crate) fn wakeup(&self) -> &Arc<Wakeup<WakerSignal>> {
        &self.wakeup
    }

    /// Waits in slices of at most `logic::MAX_WAIT` until an event arrives
    /// or the timeout has passed, so that the call never returns early.
    fn wait(&self, events: &mut Events, timeout: Option<Duration>) -> io::Result<()> {
        // No deadline: no timeout, or one too large for the clock.
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
        loop {
            let timespec = deadline.map(|deadline| {
                let (secs, nanos) =
                    logic::wait_slice(deadline.saturating_duration_since(Instant::now()));
                libc::timespec {
                    tv_sec: secs as libc::time_t,
                    tv_nsec: nanos as _,
                }
            });

            // `events` is empty, so its spare capacity is all of it.
            let spare = ptr::from_mut(events.spare_capacity_mut());
            // SAFETY: `Event` is `repr(transparent)` over `libc::kevent`, so
            // both slices have the same layout and length; the new slice
            // borrows `events` exclusively in place of the old one.
            let out = unsafe { &mut *(spare as *mut [MaybeUninit<libc::kevent>]) };
            let n = kevent(self.kq.as_fd(), &[], out, timespec.as_ref())?;
            // SAFETY: `kevent` initialised the first `n` entries, and `n` is
            // at most the capacity it was given.
            unsafe { events.set_len(n) };

            let timed_out = deadline.is_some_and(|deadline| Instant::now() >= deadline);
            if n > 0 || timed_out {
                return Ok(());
            }
        }
    }
}

/// Turns a descriptor into a kevent identifier, refusing negative ones.
fn ident(fd: RawFd) -> io::Result<usize> {
    usize::try_from(fd).map_err(|_| io::Error::from_raw_os_error(libc::EBADF))
}

/// Sends `changes`, each with `EV_RECEIPT`, and returns their receipts.
///
/// The event list has room for exactly one receipt per change, so the call
/// never blocks and never takes a pending event off the queue.
pub(crate) fn apply(kq: BorrowedFd<'_>, changes: &Batch) -> io::Result<Batch> {
    let mut receipts = Batch::new();
    let changes = changes.as_slice();
    if changes.is_empty() {
        return Ok(receipts);
    }

    let mut raw = [to_raw(&changes[0]); 2];
    for (slot, change) in raw.iter_mut().zip(changes) {
        *slot = to_raw(change);
    }
    let raw = &raw[..changes.len()];
    let mut out = [MaybeUninit::<libc::kevent>::uninit(); 2];
    let zero = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };

    let n = kevent(kq, raw, &mut out[..raw.len()], Some(&zero))?;
    for receipt in &out[..n] {
        // SAFETY: `kevent` initialised the first `n` entries.
        let receipt = unsafe { receipt.assume_init_ref() };
        debug_assert!(
            receipt.flags & libc::EV_ERROR != 0,
            "a pending event was taken"
        );
        receipts.push(from_raw(receipt));
    }
    Ok(receipts)
}

/// Fails with the first unexpected error among `receipts`.
pub(crate) fn check(receipts: &Batch) -> io::Result<()> {
    match logic::first_error(receipts) {
        Some(errno) => Err(io::Error::from_raw_os_error(errno)),
        None => Ok(()),
    }
}

/// Calls `kevent(2)`: sends `changes`, then writes up to `out.len()` events
/// to the start of `out`, waiting at most `timeout` (`None` waits
/// indefinitely). Returns how many events it wrote.
fn kevent(
    kq: BorrowedFd<'_>,
    changes: &[libc::kevent],
    out: &mut [MaybeUninit<libc::kevent>],
    timeout: Option<&libc::timespec>,
) -> io::Result<usize> {
    let timeout = timeout.map_or(ptr::null(), ptr::from_ref);
    // The counts are `int` on most systems and `size_t` on NetBSD; a longer
    // list is cut to what `int` holds, which only limits one call.
    let nchanges = changes.len().min(i32::MAX as usize);
    let nevents = out.len().min(i32::MAX as usize);

    // SAFETY: `changes` is valid for reading `nchanges` entries, `out` for
    // writing `nevents` entries, and `timeout` is null or points at a live
    // `timespec`; the kernel checks every descriptor named in the changes.
    let ret = unsafe {
        libc::kevent(
            kq.as_raw_fd(),
            changes.as_ptr(),
            nchanges as _,
            out.as_mut_ptr().cast(),
            nevents as _,
            timeout,
        )
    };
    let n = cvt(ret)? as usize;
    debug_assert!(n <= nevents, "the kernel wrote past the buffer");
    Ok(n)
}

/// Converts a mirror kevent to the system's `struct kevent`.
pub(crate) fn to_raw(kevent: &Kevent) -> libc::kevent {
    let filter = match kevent.filter {
        Filter::Other(raw) => raw as RawFilter,
        known => FILTERS
            .iter()
            .find(|(filter, _)| *filter == known)
            .map(|(_, raw)| *raw)
            // Changes are only built for the read, write and user filters,
            // which every kqueue system has.
            .expect("changes only name filters this system has"),
    };
    let flags = FLAGS
        .iter()
        .filter(|(flag, _)| kevent.flags.contains(*flag))
        .fold(0, |acc, (_, raw)| acc | raw);

    let mut raw = zeroed();
    raw.ident = kevent.ident as _;
    raw.filter = filter;
    raw.flags = flags;
    raw.fflags = kevent.fflags;
    raw.data = kevent.data as _;
    raw.udata = ptr::without_provenance_mut(kevent.udata);
    raw
}

/// Returns an all-zero `struct kevent`.
fn zeroed() -> libc::kevent {
    // SAFETY: `struct kevent` is plain data for which all zero bytes are a
    // valid value (a null `udata` and, on FreeBSD, zeroed extension words).
    unsafe { std::mem::zeroed() }
}

/// Converts the system's `struct kevent` to a mirror kevent.
pub(crate) fn from_raw(raw: &libc::kevent) -> Kevent {
    let filter = FILTERS
        .iter()
        .find(|(_, value)| *value == raw.filter)
        .map_or(Filter::Other(raw.filter as i64), |(filter, _)| *filter);
    let flags = FLAGS
        .iter()
        .filter(|(_, value)| raw.flags & value != 0)
        .fold(Flags::empty(), |acc, (flag, _)| acc.union(*flag));

    // `intptr_t` on Apple systems, `int64_t` on the BSDs.
    #[allow(clippy::unnecessary_cast)]
    let data = raw.data as i64;

    Kevent {
        ident: raw.ident,
        filter,
        flags,
        fflags: raw.fflags,
        data,
        udata: raw.udata.addr(),
    }
}

/// The event a pending wake turns into: readable, with the waker's token.
fn waker_event(token: Token) -> Event {
    let change = logic::user_change(Flags::empty(), 0, token);
    Event(to_raw(&Kevent {
        filter: Filter::Read,
        flags: Flags::empty(),
        ..change
    }))
}

impl AsRawFd for Selector {
    fn as_raw_fd(&self) -> RawFd {
        self.kq.as_raw_fd()
    }
}

impl AsFd for Selector {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.kq.as_fd()
    }
}

impl fmt::Debug for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Selector")
            .field("kqueue", &self.kq)
            .finish()
    }
}

/// Readers for the raw event, with the flag tables from `Event`'s docs.
pub(crate) mod event {
    use std::fmt;

    use super::{from_raw, Event};
    use crate::sys::unix::selector::kqueue_logic::{self as logic, Filter, Flags};
    use crate::Token;

    pub(crate) fn token(event: &Event) -> Token {
        logic::token(&from_raw(&event.0))
    }

    pub(crate) fn is_readable(event: &Event) -> bool {
        logic::is_readable(&from_raw(&event.0))
    }

    pub(crate) fn is_writable(event: &Event) -> bool {
        logic::is_writable(&from_raw(&event.0))
    }

    pub(crate) fn is_error(event: &Event) -> bool {
        logic::is_error(&from_raw(&event.0))
    }

    pub(crate) fn is_read_closed(event: &Event) -> bool {
        logic::is_read_closed(&from_raw(&event.0))
    }

    pub(crate) fn is_write_closed(event: &Event) -> bool {
        logic::is_write_closed(&from_raw(&event.0))
    }

    pub(crate) fn is_priority(_: &Event) -> bool {
        // kqueue has no notion of priority data.
        false
    }

    pub(crate) fn is_aio(event: &Event) -> bool {
        logic::is_aio(&from_raw(&event.0))
    }

    pub(crate) fn is_lio(event: &Event) -> bool {
        logic::is_lio(&from_raw(&event.0))
    }

    /// Names the filter and flags of an event in its `Debug` output.
    pub(crate) struct Details<'a>(pub(crate) &'a Event);

    impl fmt::Debug for Details<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            /// The filter, by its `EVFILT_*` name.
            struct FilterName(Filter);

            impl fmt::Debug for FilterName {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    match self.0 {
                        Filter::Read => f.write_str("EVFILT_READ"),
                        Filter::Write => f.write_str("EVFILT_WRITE"),
                        Filter::User => f.write_str("EVFILT_USER"),
                        Filter::Aio => f.write_str("EVFILT_AIO"),
                        Filter::Lio => f.write_str("EVFILT_LIO"),
                        Filter::Other(raw) => write!(f, "{raw}"),
                    }
                }
            }

            /// The flags of an event, listed by name.
            struct FlagNames(Flags);

            impl fmt::Debug for FlagNames {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    let mut list = f.debug_list();
                    for (flag, name) in Flags::NAMED {
                        if self.0.contains(flag) {
                            list.entry(&format_args!("{name}"));
                        }
                    }
                    list.finish()
                }
            }

            let kevent = from_raw(&self.0 .0);
            f.debug_struct("kevent")
                .field("ident", &kevent.ident)
                .field("filter", &FilterName(kevent.filter))
                .field("flags", &FlagNames(kevent.flags))
                .field("fflags", &kevent.fflags)
                .field("data", &kevent.data)
                .field("udata", &kevent.udata)
                .finish()
        }
    }
}
