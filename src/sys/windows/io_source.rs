//! Per-source bookkeeping for the Windows socket types.
//!
//! Strategy: a registered socket carries its [`SockState`] and the selector
//! it is registered with. Every operation on the socket runs through
//! `do_io`, and one that fails with `WouldBlock` makes the socket watch
//! again the flags it already reported: the caller has seen that condition
//! end, so its return is a new edge (see [`super::sock_state`]). Any other
//! failure does the same: an error such as a reset changes the socket's
//! state, and a caller waiting for the event that says so must get it, as
//! epoll would report it. Dropping the source deregisters it.
//!
//! Risks: the state keeps its selector alive, so a `Poll` dropped while
//! sources are still registered frees its port only once they are dropped
//! or deregistered as well.

use std::os::windows::io::RawSocket;
use std::sync::Arc;
use std::{fmt, io};

use super::selector::SelectorInner;
use super::sock_state::SockState;
use crate::{Interest, Registry, Token};

/// Where a registered socket is registered, and its poll state.
struct Registration {
    selector: Arc<SelectorInner>,
    state: Arc<SockState>,
}

/// The registration of one socket, if any.
pub(crate) struct IoSourceState {
    registration: Option<Registration>,
}

impl IoSourceState {
    pub(crate) fn new() -> IoSourceState {
        IoSourceState { registration: None }
    }

    /// Runs one I/O operation on the source; if it fails (most often with
    /// `WouldBlock`), watches every flag of the socket again so that the
    /// next readiness makes an event.
    ///
    /// Limitation: `do_io` cannot tell a read from a write, so any
    /// `WouldBlock` watches both directions again. A socket registered for
    /// both that stays writable therefore gets a writable event after each
    /// read that would block. The readiness contract allows such spurious
    /// events; a loop that reads on every event, whatever the event says,
    /// runs once more per read than it would on epoll.
    #[inline]
    pub(crate) fn do_io<T, F, R>(&self, f: F, io: &T) -> io::Result<R>
    where
        F: FnOnce(&T) -> io::Result<R>,
    {
        let result = f(io);
        if let (Err(e), Some(registration)) = (&result, &self.registration) {
            let rearmed = registration.state.rearm(&registration.selector);
            // A caller told `WouldBlock` waits for an event; if none can
            // come, the reason is the error to return. Any other error
            // says more than a failure to watch the socket after it.
            if e.kind() == io::ErrorKind::WouldBlock {
                rearmed?;
            }
        }
        result
    }

    pub(crate) fn register(
        &mut self,
        registry: &Registry,
        token: Token,
        interests: Interest,
        socket: RawSocket,
    ) -> io::Result<()> {
        let selector = registry.selector().inner();
        if let Some(registration) = &self.registration {
            if Arc::ptr_eq(&registration.selector, selector) {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    "source is already registered with this poll",
                ));
            }
            // The caller checked that the `Poll` of the old registration is
            // gone; what is left of it goes too.
            registration.state.deregister()?;
            self.registration = None;
        }

        let state = selector.register_socket(socket, token, interests)?;
        self.registration = Some(Registration {
            selector: Arc::clone(selector),
            state,
        });
        Ok(())
    }

    pub(crate) fn reregister(
        &mut self,
        registry: &Registry,
        token: Token,
        interests: Interest,
    ) -> io::Result<()> {
        let registration = self.registration_with(registry)?;
        registration
            .state
            .reregister(&registration.selector, token, interests)
    }

    pub(crate) fn deregister(&mut self, registry: &Registry) -> io::Result<()> {
        self.registration_with(registry)?.state.deregister()?;
        self.registration = None;
        Ok(())
    }

    /// Returns the registration if it is with `registry`'s selector.
    fn registration_with(&self, registry: &Registry) -> io::Result<&Registration> {
        match &self.registration {
            Some(r) if Arc::ptr_eq(&r.selector, registry.selector().inner()) => Ok(r),
            _ => Err(io::Error::new(
                io::ErrorKind::NotFound,
                "source is not registered with this poll",
            )),
        }
    }
}

impl Drop for IoSourceState {
    fn drop(&mut self) {
        if let Some(registration) = self.registration.take() {
            // Nothing to report an error to; at worst the request's packet
            // comes back and is ignored because the state is dead.
            let _ = registration.state.deregister();
        }
    }
}

impl fmt::Debug for IoSourceState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IoSourceState")
            .field("registered", &self.registration.is_some())
            .finish()
    }
}
