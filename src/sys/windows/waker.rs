//! Waker signal on the completion port.
//!
//! Strategy: a signal posts one packet to the selector's port
//! (`PostQueuedCompletionStatus`) under a completion key kept for wake-ups.
//! The packet carries no token: the selector keeps the waker's token itself
//! and reports the packet with the token current when it is taken, so a
//! new token also applies to a packet already queued.
//!
//! Risks: posting fails only when the system is out of nonpaged memory;
//! the error is returned from `Waker::wake`.

use std::sync::Arc;
use std::{fmt, io};

use super::selector::{SelectorInner, KEY_WAKER};
use crate::sys::wake::Signal;
use crate::sys::Selector;
use crate::Token;

/// A handle on the selector's port to post wake-up packets to.
pub(crate) struct WakerSignal {
    selector: Arc<SelectorInner>,
}

impl Signal for WakerSignal {
    type Selector = Selector;

    const DELIVERS_EVENT: bool = true;

    fn new(selector: &Selector, token: Token) -> io::Result<WakerSignal> {
        selector.inner().set_waker_token(token);
        Ok(WakerSignal {
            selector: Arc::clone(selector.inner()),
        })
    }

    fn retoken(&self, selector: &Selector, token: Token) -> io::Result<()> {
        selector.inner().set_waker_token(token);
        Ok(())
    }

    fn signal(&self) -> io::Result<()> {
        self.selector.port().post(KEY_WAKER, std::ptr::null())
    }
}

impl fmt::Debug for WakerSignal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WakerSignal")
            .field("port", self.selector.port())
            .finish()
    }
}
