//! Creating pipes and switching their blocking mode.
//!
//! Strategy: `pipe2(2)` with `O_CLOEXEC | O_NONBLOCK` where the system has
//! it, so both flags are set atomically with the descriptors' creation.
//! Elsewhere `pipe(2)` is followed by `fcntl(2)` calls that set the flags.
//!
//! Risks: on the systems without `pipe2(2)`, a `fork(2)` and `exec(2)` on
//! another thread between `pipe(2)` and the `fcntl(2)` calls leaks both
//! descriptors into the child; see the note on [`new`].

use std::io;
use std::os::fd::{AsFd, OwnedFd};

use rustix::fs::OFlags;

/// Creates a non-blocking, close-on-exec pipe and returns its read end and
/// its write end, in that order.
#[cfg(not(any(
    target_vendor = "apple",
    target_os = "aix",
    target_os = "espidf",
    target_os = "haiku",
    target_os = "horizon",
    target_os = "nto",
)))]
pub(crate) fn new() -> io::Result<(OwnedFd, OwnedFd)> {
    use rustix::pipe::{pipe_with, PipeFlags};

    Ok(pipe_with(PipeFlags::CLOEXEC | PipeFlags::NONBLOCK)?)
}

/// Creates a non-blocking, close-on-exec pipe and returns its read end and
/// its write end, in that order.
// Limitation: these systems have no `pipe2(2)`, so the flags are set after
// the pipe exists. A child that another thread forks and executes in that
// window inherits both descriptors, which keeps the pipe open in it (a
// reader then waits for an end of stream that comes only when that child
// exits). Creating pipes before starting threads that spawn processes, or
// holding a lock around both, avoids it.
#[cfg(any(
    target_vendor = "apple",
    target_os = "aix",
    target_os = "espidf",
    target_os = "haiku",
    target_os = "horizon",
    target_os = "nto",
))]
pub(crate) fn new() -> io::Result<(OwnedFd, OwnedFd)> {
    use rustix::io::{fcntl_setfd, FdFlags};

    // On an error the `OwnedFd`s drop, closing both ends.
    let (read, write) = rustix::pipe::pipe()?;
    for fd in [&read, &write] {
        fcntl_setfd(fd, FdFlags::CLOEXEC)?;
        set_nonblocking(fd, true)?;
    }
    Ok((read, write))
}

/// Switches `fd` into (`true`) or out of (`false`) non-blocking mode with
/// `fcntl(2)`, leaving its other status flags as they are.
pub(crate) fn set_nonblocking<Fd: AsFd>(fd: Fd, nonblocking: bool) -> io::Result<()> {
    let flags = rustix::fs::fcntl_getfl(&fd)?;
    let wanted = if nonblocking {
        flags | OFlags::NONBLOCK
    } else {
        flags - OFlags::NONBLOCK
    };

    // Skip the second system call when nothing changes.
    if wanted != flags {
        rustix::fs::fcntl_setfl(&fd, wanted)?;
    }
    Ok(())
}
