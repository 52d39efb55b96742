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
#[derive(Clone)]
#[repr(transparent)]
pub struct Event {
    inner: sys::Event,
}

impl Event {
    /// Returns the token of the source this event belongs to.
    pub fn token(&self) -> Token {
        sys::event::token(&self.inner)
    }

    /// Returns true if the source is ready to read, to accept, or has
    /// reached the end of its input.
    pub fn is_readable(&self) -> bool {
        sys::event::is_readable(&self.inner)
    }

    /// Returns true if the source is ready to write, or a connect finished.
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
    pub fn is_priority(&self) -> bool {
        sys::event::is_priority(&self.inner)
    }

    /// Returns true if a POSIX AIO operation completed (`EVFILT_AIO`).
    ///
    /// Only kqueue on DragonFly, FreeBSD, iOS and macOS reports it; it is
    /// always false elsewhere.
    pub fn is_aio(&self) -> bool {
        sys::event::is_aio(&self.inner)
    }

    /// Returns true if an `lio_listio(2)` batch completed (`EVFILT_LIO`).
    ///
    /// Only kqueue on FreeBSD reports it; it is always false elsewhere.
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
