//! Events on Windows: readiness decoded from completion packets.
//!
//! Strategy: `Events` keeps two buffers of the same capacity. The selector
//! takes raw completion packets (`OVERLAPPED_ENTRY`) off the port into the
//! first, then turns each one into at most one `Event` in the second: a
//! token and a set of flags. Socket events carry the `AFD_POLL_*` flags the
//! driver reported. Named-pipe and waker events are written with the same
//! flags (a finished read as `AFD_POLL_RECEIVE`, a finished write as
//! `AFD_POLL_SEND`, and so on), plus one bit of our own for an operation
//! that failed, so one set of readers serves every event.
//!
//! Risks: a packet can yield no event (a cancelled request, say), so a call
//! may fill fewer events than it took packets; the selector then waits
//! again rather than return early.

use std::fmt;

use windows_sys::Win32::System::IO::OVERLAPPED_ENTRY;

use super::afd::{
    AFD_POLL_ABORT, AFD_POLL_ACCEPT, AFD_POLL_CONNECT, AFD_POLL_CONNECT_FAIL, AFD_POLL_DISCONNECT,
    AFD_POLL_LOCAL_CLOSE, AFD_POLL_RECEIVE, AFD_POLL_RECEIVE_EXPEDITED, AFD_POLL_SEND,
};
#[cfg(any(feature = "net", feature = "os-ext"))]
use crate::Interest;
use crate::Token;

/// An operation failed: a poll request or a named-pipe operation
/// completed with an error status. Not an AFD flag; AFD leaves this bit
/// unused.
pub(crate) const FLAG_ERROR: u32 = 0x8000_0000;

const READABLE: u32 = AFD_POLL_RECEIVE
    | AFD_POLL_ACCEPT
    | AFD_POLL_DISCONNECT
    | AFD_POLL_ABORT
    | AFD_POLL_CONNECT_FAIL;
const WRITABLE: u32 = AFD_POLL_SEND | AFD_POLL_CONNECT;
const READ_CLOSED: u32 = AFD_POLL_DISCONNECT | AFD_POLL_ABORT | AFD_POLL_CONNECT_FAIL;
const WRITE_CLOSED: u32 = AFD_POLL_ABORT | AFD_POLL_CONNECT_FAIL | AFD_POLL_LOCAL_CLOSE;
const ERROR: u32 = AFD_POLL_CONNECT_FAIL | FLAG_ERROR;

/// One readiness event: the source's token and what became ready.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Event {
    token: Token,
    flags: u32,
}

impl Event {
    pub(crate) fn new(token: Token, flags: u32) -> Event {
        Event { token, flags }
    }
}

/// The buffers a `select` call fills: raw packets, as
/// `GetQueuedCompletionStatusEx` writes them, then the events made from
/// them.
pub(crate) struct Events {
    statuses: Box<[OVERLAPPED_ENTRY]>,
    events: Vec<Event>,
}

// SAFETY: a packet is plain data. Its `OVERLAPPED` pointer is never
// dereferenced through `Events`: only the selector reads it, on the thread
// that took the packet off the port, after checking the completion key.
unsafe impl Send for Events {}
// SAFETY: as above; shared references only read the events.
unsafe impl Sync for Events {}

impl Events {
    pub(crate) fn with_capacity(capacity: usize) -> Events {
        Events {
            statuses: vec![empty_status(); capacity].into_boxed_slice(),
            events: Vec::with_capacity(capacity),
        }
    }

    pub(crate) fn capacity(&self) -> usize {
        self.statuses.len()
    }

    pub(crate) fn len(&self) -> usize {
        self.events.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    pub(crate) fn get(&self, index: usize) -> Option<&Event> {
        self.events.get(index)
    }

    pub(crate) fn clear(&mut self) {
        self.events.clear();
    }

    /// Adds an event. The selector never adds more than `capacity`.
    pub(crate) fn push(&mut self, event: Event) {
        debug_assert!(self.events.len() < self.capacity(), "events overflow");
        self.events.push(event);
    }

    /// Returns the packet buffer, for the selector to fill, with room for
    /// no more packets than events can still be added: each packet makes
    /// at most one event.
    pub(crate) fn statuses(&mut self) -> &mut [OVERLAPPED_ENTRY] {
        let room = self.capacity() - self.events.len();
        &mut self.statuses[..room]
    }

    /// Returns the packet at `index`, as last written by the selector.
    pub(crate) fn status(&self, index: usize) -> OVERLAPPED_ENTRY {
        self.statuses[index]
    }
}

impl crate::sys::wake::EventBuffer for Events {
    type Event = Event;

    #[inline]
    fn len(&self) -> usize {
        Events::len(self)
    }

    #[inline]
    fn capacity(&self) -> usize {
        Events::capacity(self)
    }

    #[inline]
    fn push(&mut self, event: Event) {
        Events::push(self, event)
    }
}

/// Returns a packet entry with every field zero.
pub(crate) fn empty_status() -> OVERLAPPED_ENTRY {
    // SAFETY: `OVERLAPPED_ENTRY` is plain data (integers and a pointer that
    // is never read before the kernel writes it), for which all zero bits
    // are a valid value.
    unsafe { std::mem::zeroed() }
}

/// Maps interests to the flags a source reports. A connection reset, a
/// failed connect, a local close and a failed operation are always
/// reported, much as epoll always reports `EPOLLERR` and `EPOLLHUP`.
#[cfg(any(feature = "net", feature = "os-ext"))]
pub(crate) fn interests_to_flags(interests: Interest) -> u32 {
    let mut flags = AFD_POLL_ABORT | AFD_POLL_CONNECT_FAIL | AFD_POLL_LOCAL_CLOSE | FLAG_ERROR;
    if interests.is_readable() {
        flags |= AFD_POLL_RECEIVE | AFD_POLL_ACCEPT | AFD_POLL_DISCONNECT;
    }
    if interests.is_writable() {
        flags |= AFD_POLL_SEND | AFD_POLL_CONNECT;
    }
    flags
}

impl fmt::Debug for Events {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Events")
            .field("len", &self.events.len())
            .field("capacity", &self.capacity())
            .finish()
    }
}

pub(crate) fn token(event: &Event) -> Token {
    event.token
}

pub(crate) fn is_readable(event: &Event) -> bool {
    event.flags & READABLE != 0
}

pub(crate) fn is_writable(event: &Event) -> bool {
    event.flags & WRITABLE != 0
}

pub(crate) fn is_error(event: &Event) -> bool {
    event.flags & ERROR != 0
}

pub(crate) fn is_read_closed(event: &Event) -> bool {
    event.flags & READ_CLOSED != 0
}

pub(crate) fn is_write_closed(event: &Event) -> bool {
    event.flags & WRITE_CLOSED != 0
}

pub(crate) fn is_priority(_: &Event) -> bool {
    false
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
        const NAMES: [(u32, &str); 10] = [
            (AFD_POLL_RECEIVE, "AFD_POLL_RECEIVE"),
            (AFD_POLL_RECEIVE_EXPEDITED, "AFD_POLL_RECEIVE_EXPEDITED"),
            (AFD_POLL_SEND, "AFD_POLL_SEND"),
            (AFD_POLL_DISCONNECT, "AFD_POLL_DISCONNECT"),
            (AFD_POLL_ABORT, "AFD_POLL_ABORT"),
            (AFD_POLL_LOCAL_CLOSE, "AFD_POLL_LOCAL_CLOSE"),
            (AFD_POLL_CONNECT, "AFD_POLL_CONNECT"),
            (AFD_POLL_ACCEPT, "AFD_POLL_ACCEPT"),
            (AFD_POLL_CONNECT_FAIL, "AFD_POLL_CONNECT_FAIL"),
            (FLAG_ERROR, "ERROR_STATUS"),
        ];

        /// The flags of an event, listed by name.
        struct Flags(u32);

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

        f.debug_struct("Event")
            .field("token", &self.0.token.0)
            .field("flags", &Flags(self.0.flags))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn afd_flags_map_to_readiness() {
        let event = Event::new(Token(1), AFD_POLL_RECEIVE);
        assert!(is_readable(&event) && !is_writable(&event));
        assert!(!is_read_closed(&event) && !is_error(&event));

        let event = Event::new(Token(1), AFD_POLL_SEND | AFD_POLL_CONNECT);
        assert!(is_writable(&event) && !is_readable(&event));

        let event = Event::new(Token(1), AFD_POLL_ABORT);
        assert!(is_read_closed(&event) && is_write_closed(&event));
        assert!(!is_error(&event));

        let event = Event::new(Token(1), AFD_POLL_CONNECT_FAIL);
        assert!(is_error(&event) && is_readable(&event));

        let event = Event::new(Token(1), AFD_POLL_DISCONNECT);
        assert!(is_read_closed(&event) && !is_write_closed(&event));
    }

    #[test]
    fn error_bit_is_only_an_error() {
        let event = Event::new(Token(3), FLAG_ERROR);
        assert!(is_error(&event));
        assert!(!is_readable(&event) && !is_writable(&event));
        assert!(!is_priority(&event));
    }

    #[test]
    fn details_name_the_flags() {
        let event = Event::new(Token(9), AFD_POLL_RECEIVE | FLAG_ERROR);
        let text = format!("{:?}", Details(&event));
        assert!(text.contains("AFD_POLL_RECEIVE"), "{text}");
        assert!(text.contains("ERROR_STATUS"), "{text}");
        assert!(!text.contains("AFD_POLL_SEND"), "{text}");
    }

    #[test]
    #[cfg(any(feature = "net", feature = "os-ext"))]
    fn readable_interest_reports_receive_accept_and_disconnect() {
        let flags = interests_to_flags(Interest::READABLE);
        assert_ne!(flags & AFD_POLL_RECEIVE, 0);
        assert_ne!(flags & AFD_POLL_ACCEPT, 0);
        assert_ne!(flags & AFD_POLL_DISCONNECT, 0);
        assert_eq!(flags & AFD_POLL_SEND, 0);
    }

    #[test]
    #[cfg(any(feature = "net", feature = "os-ext"))]
    fn every_interest_reports_resets_and_errors() {
        for interests in [Interest::READABLE, Interest::WRITABLE] {
            let flags = interests_to_flags(interests);
            assert_ne!(flags & AFD_POLL_ABORT, 0);
            assert_ne!(flags & AFD_POLL_CONNECT_FAIL, 0);
            assert_ne!(flags & FLAG_ERROR, 0);
        }
        let flags = interests_to_flags(Interest::WRITABLE);
        assert_ne!(flags & AFD_POLL_SEND, 0);
        assert_eq!(flags & AFD_POLL_RECEIVE, 0);
    }

    #[test]
    fn statuses_leave_room_for_events_already_added() {
        let mut events = Events::with_capacity(4);
        assert_eq!(events.statuses().len(), 4);
        events.push(Event::new(Token(0), AFD_POLL_RECEIVE));
        assert_eq!(events.statuses().len(), 3);
        events.clear();
        assert_eq!(events.statuses().len(), 4);
    }
}
