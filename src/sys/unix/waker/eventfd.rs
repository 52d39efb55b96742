//! Waker signal on `eventfd(2)`.
//!
//! Strategy: one non-blocking, close-on-exec eventfd, registered with the
//! selector like any source under the waker's token. A signal adds one to
//! its counter, which the edge-triggered registration reports as a fresh
//! readable event each time, so the counter never needs reading.
//!
//! Risks: the counter saturates after 2^64 - 2 signals without a read; the
//! write then fails with `WouldBlock`, and the signal resets the counter
//! with a read before writing again.

use std::io;
use std::os::fd::{AsRawFd, OwnedFd};

use rustix::event::{eventfd, EventfdFlags};

use crate::sys::wake::Signal;
use crate::sys::Selector;
use crate::{Interest, Token};

/// An eventfd registered with the selector.
#[derive(Debug)]
pub(crate) struct WakerSignal {
    fd: OwnedFd,
}

impl Signal for WakerSignal {
    type Selector = Selector;

    const DELIVERS_EVENT: bool = true;

    fn new(selector: &Selector, token: Token) -> io::Result<WakerSignal> {
        let fd = eventfd(0, EventfdFlags::CLOEXEC | EventfdFlags::NONBLOCK)?;
        selector.register(fd.as_raw_fd(), token, Interest::READABLE)?;
        Ok(WakerSignal { fd })
    }

    fn retoken(&self, selector: &Selector, token: Token) -> io::Result<()> {
        selector.reregister(self.fd.as_raw_fd(), token, Interest::READABLE)
    }

    fn signal(&self) -> io::Result<()> {
        match rustix::io::write(&self.fd, &1u64.to_ne_bytes()) {
            Ok(_) => Ok(()),
            Err(rustix::io::Errno::AGAIN) => {
                // The counter is full: reset it, then count this signal.
                let mut buf = [0u8; 8];
                match rustix::io::read(&self.fd, &mut buf) {
                    Ok(_) | Err(rustix::io::Errno::AGAIN) => {}
                    Err(e) => return Err(e.into()),
                }
                rustix::io::write(&self.fd, &1u64.to_ne_bytes())?;
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    }
}
