//! One registered socket: its AFD poll request and the state around it.
//!
//! Strategy: a socket has at most one poll request in flight. AFD reports
//! conditions as levels: a request completes at once if one of the flags
//! it watches already holds. Edges are made from that by remembering what
//! was reported. Once an event reports some flags, they are *consumed*:
//! the next request, sent by the selector before its next wait, watches
//! only the others, so that (say) a peer's shutdown is still reported
//! after the data before it was. Consumed flags are watched again only
//! after an operation on the socket fails, most often with `WouldBlock`
//! (through `IoSourceState::do_io`), or after a reregistration: that is
//! when the caller has seen the condition end, or asks to hear of it anew.
//!
//! A request in flight owns one strong count of the socket's `Arc`, handed
//! to the driver as the request's context and taken back by the selector
//! from the completion packet, so the status block and request buffer stay
//! put until the driver is done with them. Watching other flags while a
//! request is in flight means cancelling it (`NtCancelIoFileEx` on its
//! status block, which leaves every other socket's request alone) and
//! sending a new one once the cancelled one has come back. Deregistering
//! cancels it and marks the state dead, so that nothing it reports
//! afterwards becomes an event.
//!
//! Risks: after a `WouldBlock`, every consumed flag is watched again, as
//! `do_io` cannot tell a read from a write; see `IoSourceState::do_io`. A
//! socket closed while registered reports `AFD_POLL_LOCAL_CLOSE` and is
//! treated as deregistered; its token is not reported again.

use std::cell::UnsafeCell;
use std::ffi::c_void;
use std::io;
use std::os::windows::io::RawSocket;
use std::sync::{Arc, Mutex, MutexGuard};

use windows_sys::Win32::Foundation::{STATUS_CANCELLED, STATUS_PENDING};
use windows_sys::Win32::System::IO::IO_STATUS_BLOCK;

use super::afd::{
    self, Afd, PollInfo, AFD_POLL_ACCEPT, AFD_POLL_CONNECT, AFD_POLL_LOCAL_CLOSE, AFD_POLL_RECEIVE,
    AFD_POLL_SEND,
};
use super::event::{interests_to_flags, Event, FLAG_ERROR};
use super::selector::SelectorInner;
use crate::{Interest, Token};

/// Flags that report the same readiness, and are consumed together.
const RECEIVE_GROUP: u32 = AFD_POLL_RECEIVE | AFD_POLL_ACCEPT;
const SEND_GROUP: u32 = AFD_POLL_SEND | AFD_POLL_CONNECT;

/// What the driver reads and writes for one request.
#[repr(C)]
struct Slot {
    iosb: IO_STATUS_BLOCK,
    info: PollInfo,
}

/// Where the socket's request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Request {
    /// None in flight.
    Idle,
    /// In flight, watching these flags.
    Pending(u32),
    /// In flight but cancelled; its result is to be ignored.
    Cancelled,
}

/// The part of the state that the lock guards.
#[derive(Debug)]
struct Shared {
    token: Token,
    /// The flags the interests ask for.
    flags: u32,
    /// Flags already reported and not watched until the socket is armed
    /// again; see the module docs.
    consumed: u32,
    request: Request,
    /// Waiting in the selector's queue for a request on what is left.
    queued: bool,
    /// Set once the socket is deregistered (or found closed): no request
    /// is sent and nothing is reported any more.
    dead: bool,
}

impl Shared {
    /// The flags a new request should watch now.
    fn watched(&self) -> u32 {
        self.flags & !self.consumed
    }
}

/// A registered socket; see the module docs.
pub(crate) struct SockState {
    /// Written by the driver while a request is in flight: touched only
    /// with the lock held and no request in flight, or after the request's
    /// packet has been taken off the port.
    slot: UnsafeCell<Slot>,
    afd: Arc<Afd>,
    /// The base provider's handle, which the request names.
    base: RawSocket,
    shared: Mutex<Shared>,
}

// SAFETY: the only field that is not `Send` and `Sync` by itself is the
// slot, and it is reached only under the lock, while no request is in
// flight, or by the thread that took the request's packet off the port
// (which also holds the lock), as the field's docs say.
unsafe impl Send for SockState {}
// SAFETY: as above.
unsafe impl Sync for SockState {}

// The slot's `UnsafeCell` makes the compiler withhold the unwind-safety
// traits. The slot is reached only as described above, and the data behind
// the lock is consistent between statements, so a panic cannot expose a
// half-changed state: the sockets holding it are as unwind safe as std's.
impl std::panic::UnwindSafe for SockState {}
impl std::panic::RefUnwindSafe for SockState {}

impl SockState {
    /// Creates the state of a socket about to be registered; no request is
    /// sent yet.
    pub(crate) fn new(afd: Arc<Afd>, base: RawSocket, token: Token, interests: Interest) -> Self {
        SockState {
            slot: UnsafeCell::new(Slot {
                iosb: afd::zeroed_iosb(),
                info: PollInfo::new(base, 0),
            }),
            afd,
            base,
            shared: Mutex::new(Shared {
                token,
                flags: poll_flags(interests),
                consumed: 0,
                request: Request::Idle,
                queued: false,
                dead: false,
            }),
        }
    }

    /// Watches every flag of the interests again, after an operation
    /// failed or at registration.
    pub(crate) fn rearm(self: &Arc<Self>, selector: &SelectorInner) -> io::Result<()> {
        let mut shared = self.lock();
        shared.consumed = 0;
        self.watch_all(selector, &mut shared)
    }

    /// Changes the token and interests, and watches every flag of the new
    /// interests, so that readiness already there is reported again.
    pub(crate) fn reregister(
        self: &Arc<Self>,
        selector: &SelectorInner,
        token: Token,
        interests: Interest,
    ) -> io::Result<()> {
        let mut shared = self.lock();
        shared.token = token;
        shared.flags = poll_flags(interests);
        shared.consumed = 0;
        self.watch_all(selector, &mut shared)
    }

    /// Stops reporting the socket: cancels the request in flight, if any.
    pub(crate) fn deregister(&self) -> io::Result<()> {
        let mut shared = self.lock();
        shared.dead = true;
        match shared.request {
            Request::Pending(_) => self.cancel(&mut shared),
            Request::Idle | Request::Cancelled => Ok(()),
        }
    }

    /// Sends a request on the flags not yet consumed, for the selector
    /// before it waits. Returns an error event if the request fails.
    pub(crate) fn update(self: &Arc<Self>, selector: &SelectorInner) -> Option<Event> {
        let mut shared = self.lock();
        shared.queued = false;
        if shared.dead || shared.request != Request::Idle {
            return None;
        }
        self.send_watched(selector, &mut shared)
    }

    /// Handles the completion of this socket's request, whose packet the
    /// selector just took off the port. Returns the event to report, if
    /// any. With `closing`, the selector is being dropped: nothing is
    /// reported and no request is sent.
    pub(crate) fn complete(
        self: &Arc<Self>,
        selector: &SelectorInner,
        closing: bool,
    ) -> Option<Event> {
        let mut shared = self.lock();
        let request = std::mem::replace(&mut shared.request, Request::Idle);
        debug_assert_ne!(request, Request::Idle, "a packet with no request");

        // SAFETY: this request's packet has been taken off the port, so the
        // driver is done with the slot, and the lock held keeps any new
        // request from starting while it is read.
        let (status, count, found) = unsafe {
            let slot = &*self.slot.get();
            let handle = &slot.info.handles[0];
            (
                slot.iosb.Anonymous.Status,
                slot.info.number_of_handles,
                handle.events,
            )
        };

        if shared.dead || closing {
            return None;
        }
        if request == Request::Cancelled || status == STATUS_CANCELLED {
            // Cancelled to watch other flags, or by the system: ask again.
            return self.send_watched(selector, &mut shared);
        }
        if status < 0 {
            return Some(Event::new(shared.token, FLAG_ERROR));
        }
        if count == 0 {
            // Nothing was found for the socket; a spurious completion.
            return self.send_watched(selector, &mut shared);
        }
        if found & AFD_POLL_LOCAL_CLOSE != 0 {
            // The socket was closed while registered.
            shared.dead = true;
            return None;
        }

        let reported = found & shared.watched();
        if reported == 0 {
            return self.send_watched(selector, &mut shared);
        }

        // Watch what is left from the selector's next wait on, unless an
        // operation arms the socket again first.
        shared.consumed |= consumed_by(reported);
        if !shared.queued {
            shared.queued = true;
            selector.queue_update(Arc::clone(self));
        }
        Some(Event::new(shared.token, reported))
    }

    /// Makes sure a request watching all of `shared.flags` is in flight.
    fn watch_all(
        self: &Arc<Self>,
        selector: &SelectorInner,
        shared: &mut Shared,
    ) -> io::Result<()> {
        match shared.request {
            _ if shared.dead => Ok(()),
            Request::Idle => {
                let flags = shared.flags;
                self.send(selector, shared, flags)
            }
            Request::Pending(flags) if flags == shared.flags => Ok(()),
            // Its packet comes back and a request on the new flags follows.
            Request::Pending(_) => self.cancel(shared),
            Request::Cancelled => Ok(()),
        }
    }

    /// Sends a request on the flags not yet consumed, if any is worth a
    /// request; if sending fails, returns an error event so that the
    /// caller learns of it.
    fn send_watched(
        self: &Arc<Self>,
        selector: &SelectorInner,
        shared: &mut Shared,
    ) -> Option<Event> {
        let watched = shared.watched();
        // A local close alone is not worth a request: the registration
        // ends with the socket anyway.
        if watched & !AFD_POLL_LOCAL_CLOSE == 0 {
            return None;
        }
        match self.send(selector, shared, watched) {
            Ok(()) => None,
            Err(_) => Some(Event::new(shared.token, FLAG_ERROR)),
        }
    }

    /// Sends a request watching `flags`. No request may be in flight.
    fn send(
        self: &Arc<Self>,
        selector: &SelectorInner,
        shared: &mut Shared,
        flags: u32,
    ) -> io::Result<()> {
        debug_assert_eq!(shared.request, Request::Idle);
        let slot = self.slot.get();
        // SAFETY: no request is in flight (checked by every caller, under
        // the lock held here), so nobody else touches the slot.
        unsafe {
            (*slot).iosb = afd::zeroed_iosb();
            (*slot).iosb.Anonymous.Status = STATUS_PENDING;
            (*slot).info = PollInfo::new(self.base, flags);
        }

        // The request owns one strong count until its packet is taken off
        // the port; see `SelectorInner::complete`.
        let context = Arc::into_raw(Arc::clone(self)).cast::<c_void>();
        selector.request_started();
        // SAFETY: the slot lives inside this `SockState`, which the count
        // just given to the request keeps alive until the packet is taken;
        // only the driver touches it meanwhile, as the slot's docs say.
        let sent = unsafe {
            self.afd
                .poll(&raw mut (*slot).info, &raw mut (*slot).iosb, context)
        };
        match sent {
            Ok(()) => {
                shared.request = Request::Pending(flags);
                Ok(())
            }
            Err(e) => {
                // No packet will come: take the count back.
                selector.request_finished();
                // SAFETY: `context` came from `Arc::into_raw` just above and
                // was not handed to anyone, since the request failed.
                drop(unsafe { Arc::from_raw(context.cast::<SockState>()) });
                Err(e)
            }
        }
    }

    /// Cancels the request in flight; its packet still comes.
    fn cancel(&self, shared: &mut Shared) -> io::Result<()> {
        // SAFETY: only the address of the status block is taken; the
        // kernel compares it with those of pending requests.
        let iosb = unsafe { &raw const (*self.slot.get()).iosb };
        self.afd.cancel(iosb)?;
        shared.request = Request::Cancelled;
        Ok(())
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        // The guarded state is consistent between statements, so a panic
        // elsewhere cannot leave it half-changed: use it as it is.
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Returns the flags a poll request watches for `interests`: those the
/// socket reports, less our own error bit, which is no AFD flag.
fn poll_flags(interests: Interest) -> u32 {
    interests_to_flags(interests) & !FLAG_ERROR
}

/// Returns the flags that `reported` consumes: the flags themselves, and
/// those reporting the same readiness.
fn consumed_by(reported: u32) -> u32 {
    let mut consumed = reported;
    if reported & RECEIVE_GROUP != 0 {
        consumed |= RECEIVE_GROUP;
    }
    if reported & SEND_GROUP != 0 {
        consumed |= SEND_GROUP;
    }
    consumed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sys::windows::afd::{AFD_POLL_ABORT, AFD_POLL_DISCONNECT};

    #[test]
    fn data_consumes_receive_but_leaves_disconnect_watched() {
        let consumed = consumed_by(AFD_POLL_RECEIVE);
        assert_ne!(consumed & AFD_POLL_ACCEPT, 0);
        assert_eq!(consumed & AFD_POLL_DISCONNECT, 0);
        assert_eq!(consumed & AFD_POLL_SEND, 0);
    }

    #[test]
    fn writable_consumes_send_and_connect_only() {
        let consumed = consumed_by(AFD_POLL_CONNECT);
        assert_eq!(consumed, SEND_GROUP);
        assert_eq!(consumed_by(AFD_POLL_ABORT), AFD_POLL_ABORT);
    }

    #[test]
    fn poll_flags_carry_no_error_bit() {
        let flags = poll_flags(Interest::READABLE | Interest::WRITABLE);
        assert_eq!(flags & FLAG_ERROR, 0);
        assert_ne!(flags & AFD_POLL_RECEIVE, 0);
        assert_ne!(flags & AFD_POLL_SEND, 0);
    }
}
