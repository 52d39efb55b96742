//! The decisions of the kqueue selector, kept apart from `kevent(2)` itself.
//!
//! Facility: none; this module only computes. It turns an interest into the
//! list of changes handed to `kevent(2)`, reads the receipts that come back,
//! and answers the event predicates, all over [`Kevent`], a small mirror of
//! `struct kevent` whose filter and flags are named rather than numbered.
//!
//! Strategy: the selector converts between [`Kevent`] and the system's
//! `struct kevent` at the edge, so every rule here is a plain function that
//! the unit tests below exercise on any Unix, Linux included, where no
//! kqueue exists to test against.
//!
//! Risks: the mirror must stay faithful to the system's layout and
//! constants; the conversion in `kqueue.rs` is the one place that maps them,
//! and it is checked by the cross-target build rather than by these tests.

#![cfg_attr(not(metal_io_kqueue), allow(dead_code))]

use std::time::Duration;

use crate::{Interest, Token};

/// The kqueue filters the selector uses or reports.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Filter {
    /// `EVFILT_READ`.
    Read,
    /// `EVFILT_WRITE`.
    Write,
    /// `EVFILT_USER`, the waker's filter.
    User,
    /// `EVFILT_AIO`: POSIX AIO completion.
    // Only read back from the kernel where the system offers AIO interest.
    #[allow(dead_code)]
    Aio,
    /// `EVFILT_LIO`: `lio_listio(2)` completion.
    // Only read back from the kernel on FreeBSD.
    #[allow(dead_code)]
    Lio,
    /// Any other filter, by its raw value.
    Other(i64),
}

/// A set of `EV_*` flags, with bits of its own that the selector maps to
/// the system's values.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Flags(u8);

impl Flags {
    pub(crate) const ADD: Flags = Flags(0b000_0001);
    pub(crate) const DELETE: Flags = Flags(0b000_0010);
    pub(crate) const CLEAR: Flags = Flags(0b000_0100);
    pub(crate) const RECEIPT: Flags = Flags(0b000_1000);
    pub(crate) const ONESHOT: Flags = Flags(0b001_0000);
    pub(crate) const EOF: Flags = Flags(0b010_0000);
    pub(crate) const ERROR: Flags = Flags(0b100_0000);

    /// Every flag with its `EV_*` name, for decoding and `Debug`.
    pub(crate) const NAMED: [(Flags, &'static str); 7] = [
        (Flags::ADD, "EV_ADD"),
        (Flags::DELETE, "EV_DELETE"),
        (Flags::CLEAR, "EV_CLEAR"),
        (Flags::RECEIPT, "EV_RECEIPT"),
        (Flags::ONESHOT, "EV_ONESHOT"),
        (Flags::EOF, "EV_EOF"),
        (Flags::ERROR, "EV_ERROR"),
    ];

    pub(crate) const fn empty() -> Flags {
        Flags(0)
    }

    pub(crate) const fn union(self, other: Flags) -> Flags {
        Flags(self.0 | other.0)
    }

    pub(crate) const fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }
}

/// A mirror of `struct kevent` with named filter and flags.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) struct Kevent {
    pub(crate) ident: usize,
    pub(crate) filter: Filter,
    pub(crate) flags: Flags,
    pub(crate) fflags: u32,
    pub(crate) data: i64,
    pub(crate) udata: usize,
}

impl Kevent {
    /// A change for descriptor `fd` with no filter flags or data.
    fn change(fd: usize, filter: Filter, flags: Flags, token: Token) -> Kevent {
        Kevent {
            ident: fd,
            filter,
            flags: flags.union(Flags::RECEIPT),
            fflags: 0,
            data: 0,
            udata: token.0,
        }
    }
}

/// At most two kevents: the changes for one source (one per filter the
/// selector manages), or the receipts `kevent(2)` returns for them.
#[derive(Copy, Clone, Debug)]
pub(crate) struct Batch {
    list: [Kevent; 2],
    len: usize,
}

impl Batch {
    pub(crate) fn new() -> Batch {
        let blank = Kevent::change(0, Filter::Read, Flags::empty(), Token(0));
        Batch {
            list: [blank; 2],
            len: 0,
        }
    }

    /// Adds a kevent; ignored when the batch is full.
    pub(crate) fn push(&mut self, kevent: Kevent) {
        if let Some(slot) = self.list.get_mut(self.len) {
            *slot = kevent;
            self.len += 1;
        }
    }

    pub(crate) fn as_slice(&self) -> &[Kevent] {
        &self.list[..self.len]
    }
}

/// The flags that add (or update) an edge-triggered filter.
pub(crate) const ADD_EDGE: Flags = Flags::ADD.union(Flags::CLEAR);

/// The identifier of the waker's `EVFILT_USER` event. User events have a
/// namespace of their own in each kqueue, so any value serves.
pub(crate) const USER_IDENT: usize = 0;

/// A change to the waker's user event: `ADD_EDGE` creates it (or gives it
/// a new token), and empty flags with the system's `NOTE_TRIGGER` in
/// `fflags` trigger it.
pub(crate) fn user_change(flags: Flags, fflags: u32, token: Token) -> Kevent {
    Kevent {
        fflags,
        ..Kevent::change(USER_IDENT, Filter::User, flags, token)
    }
}

/// Changes that add the filters `interests` asks for.
///
/// `EVFILT_AIO` and `EVFILT_LIO` are not registered per descriptor: an AIO
/// request names the kqueue in its own `sigevent`, so `AIO` and `LIO`
/// interests add nothing here.
pub(crate) fn register_changes(fd: usize, token: Token, interests: Interest) -> Batch {
    let mut changes = Batch::new();
    if interests.is_readable() {
        changes.push(Kevent::change(fd, Filter::Read, ADD_EDGE, token));
    }
    if interests.is_writable() {
        changes.push(Kevent::change(fd, Filter::Write, ADD_EDGE, token));
    }
    changes
}

/// Changes that make the filters of `fd` match `interests` and `token`:
/// each of the read and write filters is added (which updates one that
/// exists) or deleted.
pub(crate) fn reregister_changes(fd: usize, token: Token, interests: Interest) -> Batch {
    let mut changes = Batch::new();
    for (filter, wanted) in [
        (Filter::Read, interests.is_readable()),
        (Filter::Write, interests.is_writable()),
    ] {
        let flags = if wanted { ADD_EDGE } else { Flags::DELETE };
        changes.push(Kevent::change(fd, filter, flags, token));
    }
    changes
}

/// Changes that delete both filters of `fd`.
// Only sources deregister, and with `os-poll` alone there are none.
#[cfg_attr(not(any(feature = "os-ext", feature = "net")), allow(dead_code))]
pub(crate) fn deregister_changes(fd: usize) -> Batch {
    let mut changes = Batch::new();
    for filter in [Filter::Read, Filter::Write] {
        changes.push(Kevent::change(fd, filter, Flags::DELETE, Token(0)));
    }
    changes
}

/// Returns the OS error a receipt reports, or `None` when its change took
/// effect or failed in a way that is expected.
///
/// Two errors are expected: `EPIPE`, which the BSDs return when a write
/// filter is added to a pipe whose reader is gone (the filter is added all
/// the same and reports the closed pipe), and `ENOENT` when deleting a
/// filter that was never added.
pub(crate) fn receipt_error(receipt: &Kevent) -> Option<i32> {
    if !receipt.flags.contains(Flags::ERROR) || receipt.data == 0 {
        return None;
    }

    let errno = i32::try_from(receipt.data).unwrap_or(libc::EINVAL);
    let deleting = receipt.flags.contains(Flags::DELETE);
    match errno {
        libc::EPIPE => None,
        libc::ENOENT if deleting => None,
        _ => Some(errno),
    }
}

/// Returns the first unexpected error among `receipts`; see
/// [`receipt_error`].
pub(crate) fn first_error(receipts: &Batch) -> Option<i32> {
    receipts.as_slice().iter().find_map(receipt_error)
}

/// Changes that undo the additions that succeeded among `receipts`, after
/// another change of the same registration failed.
pub(crate) fn rollback_changes(receipts: &[Kevent]) -> Batch {
    let mut changes = Batch::new();
    for receipt in receipts {
        let added = receipt.flags.contains(Flags::ADD);
        if added && receipt_error(receipt).is_none() {
            let token = Token(receipt.udata);
            changes.push(Kevent::change(
                receipt.ident,
                receipt.filter,
                Flags::DELETE,
                token,
            ));
        }
    }
    changes
}

/// The longest single wait handed to `kevent(2)`. Longer timeouts are
/// waited for in slices, so no system has to accept a huge `timespec`.
pub(crate) const MAX_WAIT: Duration = Duration::from_secs(24 * 60 * 60);

/// Splits a remaining wait into the seconds and nanoseconds of one
/// `kevent(2)` timeout, at most [`MAX_WAIT`].
pub(crate) fn wait_slice(remaining: Duration) -> (i64, i64) {
    let slice = remaining.min(MAX_WAIT);
    // Both fit: `MAX_WAIT` is far below `i64::MAX` seconds.
    (slice.as_secs() as i64, i64::from(slice.subsec_nanos()))
}

pub(crate) fn token(event: &Kevent) -> Token {
    Token(event.udata)
}

pub(crate) fn is_readable(event: &Kevent) -> bool {
    // The waker's user event reads as readable, as on the other backends.
    matches!(event.filter, Filter::Read | Filter::User)
}

pub(crate) fn is_writable(event: &Kevent) -> bool {
    event.filter == Filter::Write
}

pub(crate) fn is_error(event: &Kevent) -> bool {
    // With `EV_EOF`, a non-zero `fflags` holds the socket's pending error.
    event.flags.contains(Flags::ERROR) || (event.flags.contains(Flags::EOF) && event.fflags != 0)
}

pub(crate) fn is_read_closed(event: &Kevent) -> bool {
    event.filter == Filter::Read && event.flags.contains(Flags::EOF)
}

pub(crate) fn is_write_closed(event: &Kevent) -> bool {
    event.filter == Filter::Write && event.flags.contains(Flags::EOF)
}

pub(crate) fn is_aio(event: &Kevent) -> bool {
    event.filter == Filter::Aio
}

pub(crate) fn is_lio(event: &Kevent) -> bool {
    event.filter == Filter::Lio
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(filter: Filter, flags: Flags) -> Kevent {
        Kevent {
            ident: 5,
            filter,
            flags,
            fflags: 0,
            data: 0,
            udata: 9,
        }
    }

    fn receipt(change: &Kevent, errno: i32) -> Kevent {
        Kevent {
            flags: change.flags.union(Flags::ERROR),
            data: i64::from(errno),
            ..*change
        }
    }

    #[test]
    fn register_adds_one_edge_filter_per_direction() {
        let both = Interest::READABLE | Interest::WRITABLE;
        let changes = register_changes(7, Token(3), both);
        let list = changes.as_slice();

        assert_eq!(list.len(), 2);
        assert_eq!(list[0].filter, Filter::Read);
        assert_eq!(list[1].filter, Filter::Write);
        for change in list {
            assert_eq!(change.ident, 7);
            assert_eq!(change.udata, 3);
            assert!(change.flags.contains(Flags::ADD));
            assert!(change.flags.contains(Flags::CLEAR));
            assert!(change.flags.contains(Flags::RECEIPT));
            assert!(!change.flags.contains(Flags::DELETE));
        }
    }

    #[test]
    fn register_writable_only_adds_the_write_filter() {
        let changes = register_changes(7, Token(3), Interest::WRITABLE);
        let filters: Vec<Filter> = changes.as_slice().iter().map(|c| c.filter).collect();
        assert_eq!(filters, [Filter::Write]);
    }

    #[test]
    fn reregister_deletes_the_filter_no_longer_wanted() {
        let changes = reregister_changes(4, Token(8), Interest::READABLE);
        let list = changes.as_slice();

        assert_eq!(list.len(), 2);
        assert_eq!(list[0].filter, Filter::Read);
        assert!(list[0].flags.contains(ADD_EDGE));
        assert_eq!(list[0].udata, 8);
        assert_eq!(list[1].filter, Filter::Write);
        assert!(list[1].flags.contains(Flags::DELETE));
        assert!(!list[1].flags.contains(Flags::ADD));
    }

    #[test]
    fn deregister_deletes_both_filters_with_receipts() {
        let changes = deregister_changes(11);
        for change in changes.as_slice() {
            assert_eq!(change.ident, 11);
            assert!(change.flags.contains(Flags::DELETE.union(Flags::RECEIPT)));
        }
        assert_eq!(changes.as_slice().len(), 2);
    }

    #[test]
    fn receipts_hide_expected_errors_only() {
        let add = register_changes(3, Token(1), Interest::WRITABLE).as_slice()[0];
        let delete = deregister_changes(3).as_slice()[0];

        assert_eq!(receipt_error(&receipt(&add, 0)), None);
        assert_eq!(receipt_error(&receipt(&add, libc::EPIPE)), None);
        assert_eq!(receipt_error(&receipt(&delete, libc::ENOENT)), None);
        assert_eq!(
            receipt_error(&receipt(&add, libc::ENOENT)),
            Some(libc::ENOENT)
        );
        assert_eq!(
            receipt_error(&receipt(&add, libc::EBADF)),
            Some(libc::EBADF)
        );
        assert_eq!(
            receipt_error(&receipt(&delete, libc::EBADF)),
            Some(libc::EBADF)
        );
    }

    #[test]
    fn first_error_skips_expected_errors() {
        let changes = reregister_changes(3, Token(1), Interest::READABLE);
        let list = changes.as_slice();
        let mut receipts = Batch::new();
        receipts.push(receipt(&list[1], libc::ENOENT));
        assert_eq!(first_error(&receipts), None);

        receipts.push(receipt(&list[0], libc::EBADF));
        assert_eq!(first_error(&receipts), Some(libc::EBADF));
    }

    #[test]
    fn user_changes_carry_token_and_trigger() {
        let add = user_change(ADD_EDGE, 0, Token(77));
        assert_eq!(
            (add.ident, add.filter, add.udata),
            (USER_IDENT, Filter::User, 77)
        );
        assert!(add.flags.contains(ADD_EDGE.union(Flags::RECEIPT)));

        let trigger = user_change(Flags::empty(), 0x0100_0000, Token(77));
        assert_eq!(trigger.fflags, 0x0100_0000);
        assert!(!trigger.flags.contains(Flags::ADD));
    }

    #[test]
    fn a_full_batch_ignores_more_kevents() {
        let mut batch = deregister_changes(1);
        batch.push(event(Filter::User, Flags::empty()));
        assert_eq!(batch.as_slice().len(), 2);
        assert_eq!(batch.as_slice()[1].filter, Filter::Write);
    }

    #[test]
    fn a_receipt_without_ev_error_is_no_error() {
        let add = register_changes(3, Token(1), Interest::READABLE).as_slice()[0];
        let odd = Kevent { data: 5, ..add };
        assert_eq!(receipt_error(&odd), None);
    }

    #[test]
    fn rollback_deletes_only_the_additions_that_succeeded() {
        let both = Interest::READABLE | Interest::WRITABLE;
        let changes = register_changes(6, Token(2), both);
        let list = changes.as_slice();
        let receipts = [receipt(&list[0], 0), receipt(&list[1], libc::ENOMEM)];

        let rollback = rollback_changes(&receipts);
        let undo = rollback.as_slice();
        assert_eq!(undo.len(), 1);
        assert_eq!(undo[0].filter, Filter::Read);
        assert_eq!(undo[0].ident, 6);
        assert!(undo[0].flags.contains(Flags::DELETE));
    }

    #[test]
    fn wait_slices_are_capped() {
        assert_eq!(wait_slice(Duration::from_millis(1500)), (1, 500_000_000));
        assert_eq!(wait_slice(Duration::ZERO), (0, 0));
        let cap = (MAX_WAIT.as_secs() as i64, 0);
        assert_eq!(wait_slice(Duration::MAX), cap);
        assert_eq!(wait_slice(MAX_WAIT + Duration::from_nanos(1)), cap);
    }

    #[test]
    fn read_filter_reports_readable_and_read_closed() {
        let plain = event(Filter::Read, Flags::empty());
        assert!(is_readable(&plain) && !is_writable(&plain));
        assert!(!is_read_closed(&plain) && !is_write_closed(&plain));
        assert_eq!(token(&plain), Token(9));

        let eof = event(Filter::Read, Flags::EOF);
        assert!(is_read_closed(&eof) && !is_write_closed(&eof));
        assert!(!is_error(&eof));
    }

    #[test]
    fn write_filter_reports_writable_and_write_closed() {
        let eof = event(Filter::Write, Flags::EOF);
        assert!(is_writable(&eof) && !is_readable(&eof));
        assert!(is_write_closed(&eof) && !is_read_closed(&eof));
    }

    #[test]
    fn errors_come_from_ev_error_or_eof_with_fflags() {
        assert!(is_error(&event(Filter::Read, Flags::ERROR)));

        let mut reset = event(Filter::Read, Flags::EOF);
        reset.fflags = libc::ECONNRESET as u32;
        assert!(is_error(&reset));

        let mut not_eof = event(Filter::Write, Flags::empty());
        not_eof.fflags = 1;
        assert!(!is_error(&not_eof));
    }

    #[test]
    fn user_aio_and_lio_filters_have_their_own_predicates() {
        let user = event(Filter::User, Flags::CLEAR);
        assert!(is_readable(&user) && !is_aio(&user) && !is_lio(&user));

        let aio = event(Filter::Aio, Flags::empty());
        assert!(is_aio(&aio) && !is_lio(&aio) && !is_readable(&aio));

        let lio = event(Filter::Lio, Flags::empty());
        assert!(is_lio(&lio) && !is_aio(&lio) && !is_writable(&lio));

        let other = event(Filter::Other(-7), Flags::EOF);
        assert!(!is_readable(&other) && !is_read_closed(&other));
    }
}
