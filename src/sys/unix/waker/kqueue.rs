//! Waker signal on a kqueue user event (`EVFILT_USER`).
//!
//! Facility: `kevent(2)` with `EVFILT_USER`, on macOS, iOS, FreeBSD,
//! DragonFly and NetBSD (the filter arrived in NetBSD 10).
//!
//! Strategy: the signal adds one user event to the selector's kqueue with
//! `EV_CLEAR` and the waker's token as `udata`, and a wake triggers it with
//! `NOTE_TRIGGER`. The kernel then reports the token by itself, and the
//! trigger state clears when the event is reported, so nothing needs
//! reading. The signal keeps a duplicate of the kqueue descriptor, so a
//! `Waker` that outlives its `Poll` triggers a queue no one waits on rather
//! than a reused descriptor.
//!
//! Risks: a kernel without `EVFILT_USER` (NetBSD before 10) rejects the
//! filter with `EINVAL`; the signal then falls back to a registered pipe,
//! and says so once in a warning.

use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::pipe;
use crate::sys::unix::selector::kqueue::{apply, check};
use crate::sys::unix::selector::kqueue_logic::{self as logic, Batch, Flags};
use crate::sys::wake::Signal;
use crate::sys::Selector;
use crate::Token;

/// The user event of a kqueue, or the pipe used where the kernel has none.
#[derive(Debug)]
pub(crate) struct WakerSignal {
    inner: Inner,
}

#[derive(Debug)]
enum Inner {
    /// A duplicate of the selector's kqueue, and the token to report.
    User {
        kq: OwnedFd,
        token: AtomicUsize,
    },
    Pipe(pipe::WakerSignal),
}

/// Set once the pipe fallback has been announced.
static WARNED: AtomicBool = AtomicBool::new(false);

impl Signal for WakerSignal {
    type Selector = Selector;

    const DELIVERS_EVENT: bool = true;

    fn new(selector: &Selector, token: Token) -> io::Result<WakerSignal> {
        let kq = rustix::io::fcntl_dupfd_cloexec(selector.as_fd(), 3)?;
        let inner = match change(&kq, logic::ADD_EDGE, 0, token) {
            Ok(()) => Inner::User {
                kq,
                token: AtomicUsize::new(token.0),
            },
            Err(e) if e.raw_os_error() == Some(libc::EINVAL) => {
                if !WARNED.swap(true, Ordering::Relaxed) {
                    crate::macros::warning!(
                        "kqueue has no EVFILT_USER, waking through a pipe: error={e}"
                    );
                }
                Inner::Pipe(pipe::WakerSignal::new(selector, token)?)
            }
            Err(e) => return Err(e),
        };
        Ok(WakerSignal { inner })
    }

    fn retoken(&self, selector: &Selector, token: Token) -> io::Result<()> {
        match &self.inner {
            Inner::User { kq, token: current } => {
                // Adding the event again replaces its `udata`.
                change(kq, logic::ADD_EDGE, 0, token)?;
                current.store(token.0, Ordering::Release);
                Ok(())
            }
            Inner::Pipe(pipe) => pipe.retoken(selector, token),
        }
    }

    fn signal(&self) -> io::Result<()> {
        match &self.inner {
            Inner::User { kq, token } => {
                let token = Token(token.load(Ordering::Acquire));
                change(kq, Flags::empty(), libc::NOTE_TRIGGER, token)
            }
            Inner::Pipe(pipe) => pipe.signal(),
        }
    }
}

/// Applies one change to the user event and checks its receipt.
fn change(kq: &OwnedFd, flags: Flags, fflags: u32, token: Token) -> io::Result<()> {
    let mut changes = Batch::new();
    changes.push(logic::user_change(flags, fflags, token));
    check(&apply(kq.as_fd(), &changes)?)
}
