//! Selector on `epoll(7)`: Linux, Android and illumos.
//!
//! Strategy: every source is registered edge-triggered (`EPOLLET`) with the
//! caller's token as the event's 64-bit user data, so an event maps back to
//! its token without any table. Readable interest adds `EPOLLRDHUP`, so that
//! a peer's shutdown is reported as read-closed. The wait is
//! `epoll_pwait(2)`, or `epoll_pwait2(2)` for timeouts that do not fit in
//! milliseconds, both through rustix.
//!
//! Risks: an edge is reported once, so a caller that stops reading before
//! `WouldBlock` never hears of that data again; the readiness contract on
//! `Poll` says so. The kernel keeps registrations per open file description,
//! so a descriptor closed while a `dup(2)` of it lives stays registered.

use std::mem::MaybeUninit;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::sync::Arc;
use std::time::Duration;
use std::{fmt, io};

use rustix::event::{epoll, Timespec};

use crate::sys::unix::cvt;
use crate::sys::wake::Wakeup;
use crate::sys::WakerSignal;
use crate::{Interest, Token};

/// One raw event, as `epoll_wait(2)` writes it.
#[repr(transparent)]
#[derive(Clone, Copy)]
pub(crate) struct Event(epoll::Event);

// SAFETY: rustix's `epoll::Event` is neither `Send` nor `Sync` only because
// its user-data union may hold a raw pointer. This selector stores nothing
// but a token (a `u64`) there and never reads it as a pointer, so an event
// is plain data that any thread may own or read.
unsafe impl Send for Event {}
// SAFETY: see the `Send` impl above.
unsafe impl Sync for Event {}

/// The buffer `epoll_wait(2)` fills, up to its capacity.
pub(crate) type Events = Vec<Event>;

/// An epoll instance and the wake-up state of its `Poll`.
pub(crate) struct Selector {
    ep: OwnedFd,
    wakeup: Arc<Wakeup<WakerSignal>>,
}

impl Selector {
    /// Creates a close-on-exec epoll instance (`epoll_create1(2)`).
    pub(crate) fn new() -> io::Result<Selector> {
        let ep = epoll::create(epoll::CreateFlags::CLOEXEC)?;
        crate::macros::trace!("creating selector: backend=epoll fd={}", ep.as_raw_fd());
        Ok(Selector {
            ep,
            wakeup: Arc::new(Wakeup::new()),
        })
    }

    /// Returns a selector for the same epoll instance, through a
    /// close-on-exec duplicate of its descriptor.
    pub(crate) fn try_clone(&self) -> io::Result<Selector> {
        let ep = rustix::io::fcntl_dupfd_cloexec(&self.ep, 3)?;
        Ok(Selector {
            ep,
            wakeup: Arc::clone(&self.wakeup),
        })
    }

    /// Waits for events (`epoll_pwait(2)` or `epoll_pwait2(2)`).
    pub(crate) fn select(&self, events: &mut Events, timeout: Option<Duration>) -> io::Result<()> {
        events.clear();

        self.wakeup
            .guard_wait(events, timeout, waker_event, |events, timeout| {
                wait(&self.ep, events, timeout)
            })
    }

    /// Adds `fd` with `token` and `interests` (`EPOLL_CTL_ADD`).
    pub(crate) fn register(&self, fd: RawFd, token: Token, interests: Interest) -> io::Result<()> {
        self.ctl(libc::EPOLL_CTL_ADD, fd, token, interests)
    }

    /// Replaces the token and interests of `fd` (`EPOLL_CTL_MOD`).
    pub(crate) fn reregister(
        &self,
        fd: RawFd,
        token: Token,
        interests: Interest,
    ) -> io::Result<()> {
        self.ctl(libc::EPOLL_CTL_MOD, fd, token, interests)
    }

    /// Removes `fd` (`EPOLL_CTL_DEL`).
    // Only sources deregister, and with `os-poll` alone there are none.
    #[cfg_attr(not(any(feature = "os-ext", feature = "net")), allow(dead_code))]
    pub(crate) fn deregister(&self, fd: RawFd) -> io::Result<()> {
        // SAFETY: a null event pointer is allowed for `EPOLL_CTL_DEL`, and
        // the kernel checks both descriptors.
        let ret = unsafe {
            libc::epoll_ctl(
                self.ep.as_raw_fd(),
                libc::EPOLL_CTL_DEL,
                fd,
                std::ptr::null_mut(),
            )
        };
        cvt(ret).map(drop)
    }

    /// Returns the wake-up state shared with this selector's `Waker`.
    pub(crate) fn wakeup(&self) -> &Arc<Wakeup<WakerSignal>> {
        &self.wakeup
    }

    // The raw-descriptor calls use libc rather than rustix: the descriptor
    // comes from the caller, may already be closed, and is only ever handed
    // to the kernel, which checks it; rustix would need it as a `BorrowedFd`,
    // a promise that it is open.
    fn ctl(&self, op: libc::c_int, fd: RawFd, token: Token, interests: Interest) -> io::Result<()> {
        let mut event = libc::epoll_event {
            events: interests_to_epoll(interests),
            u64: token.0 as u64,
        };
        // SAFETY: `event` is a live, initialised `epoll_event` that the
        // kernel only reads during the call.
        let ret = unsafe { libc::epoll_ctl(self.ep.as_raw_fd(), op, fd, &mut event) };
        cvt(ret).map(drop)
    }
}

/// Runs one wait, turning a timeout into what the kernel takes.
fn wait(ep: &OwnedFd, events: &mut Events, timeout: Option<Duration>) -> io::Result<()> {
    // A timeout too large for a `timespec` is as good as none.
    let timeout = timeout.and_then(|t| {
        Some(Timespec {
            tv_sec: i64::try_from(t.as_secs()).ok()?,
            tv_nsec: i64::from(t.subsec_nanos()),
        })
    });

    match wait_into(ep, events, timeout.as_ref()) {
        Ok(()) => Ok(()),
        // Limitation: kernels before Linux 5.11 lack `epoll_pwait2(2)`, which
        // rustix only uses for timeouts over `i32::MAX` milliseconds (about
        // 24.8 days). There such a wait is cut to that length, so `poll` may
        // return with no events before the timeout has passed.
        Err(rustix::io::Errno::NOSYS) => {
            let cut = Timespec {
                tv_sec: i64::from(i32::MAX / 1000),
                tv_nsec: 0,
            };
            Ok(wait_into(ep, events, Some(&cut))?)
        }
        Err(e) => Err(e.into()),
    }
}

/// Runs `epoll_pwait(2)` or `epoll_pwait2(2)` into the spare capacity of
/// `events`, which must be empty.
fn wait_into(
    ep: &OwnedFd,
    events: &mut Events,
    timeout: Option<&Timespec>,
) -> rustix::io::Result<()> {
    debug_assert!(events.is_empty(), "the buffer is cleared before a wait");
    let spare = events.spare_capacity_mut();
    // SAFETY: `Event` is `repr(transparent)` over `epoll::Event`, and
    // `MaybeUninit` keeps the layout of what it wraps, so both slices
    // describe the same memory with the same layout.
    let spare =
        unsafe { &mut *(spare as *mut [MaybeUninit<Event>] as *mut [MaybeUninit<epoll::Event>]) };
    let (filled, _) = epoll::wait(ep, spare, timeout)?;
    let n = filled.len();

    debug_assert!(n <= events.capacity(), "the kernel wrote past the buffer");
    // SAFETY: the kernel initialised the first `n` entries of the spare
    // capacity, and the buffer was empty before the call.
    unsafe { events.set_len(n) };
    Ok(())
}

/// Maps an interest to epoll flags, always edge-triggered.
fn interests_to_epoll(interests: Interest) -> u32 {
    let mut flags = libc::EPOLLET;
    if interests.is_readable() {
        flags |= libc::EPOLLIN | libc::EPOLLRDHUP;
    }
    if interests.is_writable() {
        flags |= libc::EPOLLOUT;
    }
    #[cfg(any(target_os = "linux", target_os = "android"))]
    if interests.is_priority() {
        flags |= libc::EPOLLPRI;
    }
    flags as u32
}

/// The event a pending wake turns into.
fn waker_event(token: Token) -> Event {
    Event(epoll::Event {
        flags: epoll::EventFlags::IN,
        data: epoll::EventData::new_u64(token.0 as u64),
    })
}

impl AsRawFd for Selector {
    fn as_raw_fd(&self) -> RawFd {
        self.ep.as_raw_fd()
    }
}

impl AsFd for Selector {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.ep.as_fd()
    }
}

impl fmt::Debug for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Selector").field("epoll", &self.ep).finish()
    }
}

/// Readers for the raw event, with the flag tables from `Event`'s docs.
pub(crate) mod event {
    use std::fmt;

    use super::Event;
    use crate::Token;

    fn flags(event: &Event) -> libc::c_int {
        { event.0.flags }.bits() as libc::c_int
    }

    fn has(event: &Event, flag: libc::c_int) -> bool {
        flags(event) & flag != 0
    }

    pub(crate) fn token(event: &Event) -> Token {
        Token({ event.0.data }.u64() as usize)
    }

    pub(crate) fn is_readable(event: &Event) -> bool {
        has(event, libc::EPOLLIN | libc::EPOLLPRI)
    }

    pub(crate) fn is_writable(event: &Event) -> bool {
        has(event, libc::EPOLLOUT)
    }

    pub(crate) fn is_error(event: &Event) -> bool {
        has(event, libc::EPOLLERR)
    }

    pub(crate) fn is_read_closed(event: &Event) -> bool {
        has(event, libc::EPOLLHUP) || (has(event, libc::EPOLLIN) && has(event, libc::EPOLLRDHUP))
    }

    pub(crate) fn is_write_closed(event: &Event) -> bool {
        // A pipe whose read end is gone reports `EPOLLERR` alone.
        has(event, libc::EPOLLHUP)
            || (has(event, libc::EPOLLOUT) && has(event, libc::EPOLLERR))
            || flags(event) == libc::EPOLLERR
    }

    pub(crate) fn is_priority(event: &Event) -> bool {
        has(event, libc::EPOLLPRI)
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
            const NAMES: [(libc::c_int, &str); 10] = [
                (libc::EPOLLIN, "EPOLLIN"),
                (libc::EPOLLPRI, "EPOLLPRI"),
                (libc::EPOLLOUT, "EPOLLOUT"),
                (libc::EPOLLRDNORM, "EPOLLRDNORM"),
                (libc::EPOLLRDBAND, "EPOLLRDBAND"),
                (libc::EPOLLWRNORM, "EPOLLWRNORM"),
                (libc::EPOLLWRBAND, "EPOLLWRBAND"),
                (libc::EPOLLERR, "EPOLLERR"),
                (libc::EPOLLHUP, "EPOLLHUP"),
                (libc::EPOLLRDHUP, "EPOLLRDHUP"),
            ];

            /// The flags of an event, listed by name.
            struct Flags(libc::c_int);

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

            f.debug_struct("epoll_event")
                .field("events", &Flags(flags(self.0)))
                .field("u64", &{ self.0 .0.data }.u64())
                .finish()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readable_interest_asks_for_peer_shutdown() {
        let flags = interests_to_epoll(Interest::READABLE);
        assert_eq!(flags & libc::EPOLLRDHUP as u32, libc::EPOLLRDHUP as u32);
        assert_eq!(flags & libc::EPOLLOUT as u32, 0);
        assert_ne!(flags & libc::EPOLLET as u32, 0);
    }

    #[test]
    fn waker_event_is_readable_with_its_token() {
        let event = waker_event(Token(42));
        assert_eq!(event::token(&event), Token(42));
        assert!(event::is_readable(&event));
        assert!(!event::is_writable(&event));
    }
}
