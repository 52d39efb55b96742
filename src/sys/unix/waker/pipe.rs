//! Waker signal on a pipe, and the pipe the `poll(2)` selector wakes itself
//! with.
//!
//! Facility: `pipe2(2)` (or `pipe(2)` and `fcntl(2)` where there is no
//! `pipe2`), non-blocking and close-on-exec at both ends.
//!
//! Strategy: a signal writes one byte. As a waker signal the read end is
//! registered with the selector under the waker's token, edge-triggered
//! like any source, so each write is a fresh readable event and the pipe
//! need not be read on every wake. When the pipe is full, the signal
//! drains it and writes again. The `poll(2)` selector instead drains the
//! pipe itself whenever it wakes up through it.
//!
//! Risks: two descriptors per `Poll` instead of one. On Linux, the waker
//! relies on every write to a non-empty pipe being reported as a new edge
//! by `epoll(7)`; see the note on `Pipe::notify`. Used where no better
//! signal exists: OpenBSD, kqueue systems whose kernel lacks `EVFILT_USER`,
//! the `poll(2)` selector, and Linux with `--cfg metal_io_force_pipe_waker`.

use std::io;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};

/// A non-blocking, close-on-exec pipe used only to wake a selector.
#[derive(Debug)]
pub(crate) struct Pipe {
    read: OwnedFd,
    write: OwnedFd,
}

impl Pipe {
    /// Creates the pipe.
    pub(crate) fn new() -> io::Result<Pipe> {
        let (read, write) = new_pipe()?;
        Ok(Pipe { read, write })
    }

    /// Returns the read end, the descriptor to wait on.
    pub(crate) fn read_fd(&self) -> RawFd {
        self.read.as_raw_fd()
    }

    /// Writes one byte; when the pipe is full, drains it and writes again.
    // Limitation: with `epoll(7)` the read end is edge-triggered and only
    // drained when full, so each wake relies on a write to a non-empty pipe
    // being a new edge. Some Linux releases from 5.5 until the fix in 5.14
    // woke readers only for writes to an empty pipe; on such a kernel a
    // `Waker` built on a pipe (only with `--cfg metal_io_force_pipe_waker`
    // on Linux) wakes a blocked `Poll` once and then no more. Draining the
    // pipe before each write would lift this at the cost of a second system
    // call per wake. kqueue re-reports a pipe on every write, and the
    // `poll(2)` selector drains its pipe itself.
    pub(crate) fn notify(&self) -> io::Result<()> {
        match rustix::io::write(&self.write, &[1]) {
            Ok(_) => Ok(()),
            Err(rustix::io::Errno::AGAIN) => {
                self.drain()?;
                rustix::io::write(&self.write, &[1])?;
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Reads everything written so far.
    pub(crate) fn drain(&self) -> io::Result<()> {
        let mut buf = [0u8; 64];
        loop {
            match rustix::io::read(&self.read, &mut buf) {
                Ok(0) | Err(rustix::io::Errno::AGAIN) => return Ok(()),
                Ok(_) | Err(rustix::io::Errno::INTR) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
}

/// Creates a non-blocking, close-on-exec pipe: (read end, write end).
#[cfg(not(any(
    target_vendor = "apple",
    target_os = "aix",
    target_os = "espidf",
    target_os = "haiku",
    target_os = "horizon",
    target_os = "nto",
)))]
fn new_pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    use rustix::pipe::{pipe_with, PipeFlags};

    Ok(pipe_with(PipeFlags::CLOEXEC | PipeFlags::NONBLOCK)?)
}

/// Creates a non-blocking, close-on-exec pipe: (read end, write end).
// Limitation: these systems have no `pipe2(2)`, so the flags are set after
// the pipe exists; a process forked and executed by another thread in that
// window inherits both ends of this internal pipe (it keeps two descriptors
// open, nothing more).
#[cfg(any(
    target_vendor = "apple",
    target_os = "aix",
    target_os = "espidf",
    target_os = "haiku",
    target_os = "horizon",
    target_os = "nto",
))]
fn new_pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    use rustix::fs::{fcntl_getfl, fcntl_setfl, OFlags};
    use rustix::io::{fcntl_setfd, FdFlags};

    // On an error both `OwnedFd`s drop, closing the pipe.
    let (read, write) = rustix::pipe::pipe()?;
    for fd in [&read, &write] {
        fcntl_setfd(fd, FdFlags::CLOEXEC)?;
        fcntl_setfl(fd, fcntl_getfl(fd)? | OFlags::NONBLOCK)?;
    }
    Ok((read, write))
}

/// The pipe as a waker signal: its read end is registered like a source.
/// Built where the selector is epoll or kqueue.
#[cfg(any(metal_io_epoll, metal_io_kqueue))]
mod signal {
    use std::io;

    use super::Pipe;
    use crate::sys::wake::Signal;
    use crate::sys::Selector;
    use crate::{Interest, Token};

    /// A pipe whose read end is registered with the selector.
    #[derive(Debug)]
    pub(crate) struct WakerSignal {
        pipe: Pipe,
    }

    impl Signal for WakerSignal {
        type Selector = Selector;

        const DELIVERS_EVENT: bool = true;

        fn new(selector: &Selector, token: Token) -> io::Result<WakerSignal> {
            let pipe = Pipe::new()?;
            selector.register(pipe.read_fd(), token, Interest::READABLE)?;
            Ok(WakerSignal { pipe })
        }

        fn retoken(&self, selector: &Selector, token: Token) -> io::Result<()> {
            selector.reregister(self.pipe.read_fd(), token, Interest::READABLE)
        }

        fn signal(&self) -> io::Result<()> {
            self.pipe.notify()
        }
    }
}

#[cfg(any(metal_io_epoll, metal_io_kqueue))]
pub(crate) use self::signal::WakerSignal;
