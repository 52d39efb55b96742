//! `IoSource`: the wrapper that turns a std I/O object into an event source.
//!
//! Every I/O type in `net` and `unix::pipe` is an `IoSource` around the
//! matching std type. It adds two things: the backend's per-source state
//! (the `poll(2)` and IOCP backends must re-arm a source when an operation
//! on it returns `WouldBlock`), and a record of which `Poll` the source is
//! registered with, so that registering it with a second one fails cleanly.

use std::ops::Deref;
use std::{fmt, io};

use crate::event::Source;
use crate::sys::wake::PollId;
use crate::sys::IoSourceState;
use crate::{Interest, Registry, Token};

#[cfg(unix)]
use std::os::fd::AsRawFd;
#[cfg(windows)]
use std::os::windows::io::AsRawSocket;

/// A std I/O object made into an event source.
pub(crate) struct IoSource<T> {
    state: IoSourceState,
    inner: T,
    /// The `Poll` this source is registered with. An id rather than a
    /// handle: it keeps the source small (a socket's `IoSource` is eight
    /// bytes), costs no atomic operation to record, and a dropped `Poll`
    /// frees the source because its id is no longer alive.
    registered_with: Option<PollId>,
}

impl<T> IoSource<T> {
    pub(crate) fn new(inner: T) -> IoSource<T> {
        IoSource {
            state: IoSourceState::new(),
            inner,
            registered_with: None,
        }
    }

    /// Runs an I/O operation on the inner object. Every read, write, accept,
    /// send and receive of the I/O types goes through here, so that backends
    /// which emulate edges see each `WouldBlock`.
    #[inline]
    pub(crate) fn do_io<F, R>(&self, f: F) -> io::Result<R>
    where
        F: FnOnce(&T) -> io::Result<R>,
    {
        self.state.do_io(f, &self.inner)
    }

    /// Returns the inner object, dropping any registration bookkeeping.
    pub(crate) fn into_inner(self) -> T {
        self.inner
    }

    /// Fails if the source is registered with a live `Poll` other than the
    /// one `registry` belongs to.
    #[inline]
    fn check_owner(&self, registry: &Registry) -> io::Result<()> {
        match self.registered_with {
            Some(prev) if prev != registry.selector().wakeup().id() => owned_elsewhere(prev),
            _ => Ok(()),
        }
    }
}

/// Fails if `prev`, the `Poll` a source was registered with, still lives.
///
/// Looking that up takes a lock, but only a source moving between `Poll`s
/// gets here; keeping it out of line keeps registration itself short.
#[cold]
#[inline(never)]
fn owned_elsewhere(prev: PollId) -> io::Result<()> {
    if prev.is_alive() {
        Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "source is already registered with another poll",
        ))
    } else {
        Ok(())
    }
}

impl<T> Deref for IoSource<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.inner
    }
}

#[cfg(unix)]
impl<T: AsRawFd> Source for IoSource<T> {
    fn register(
        &mut self,
        registry: &Registry,
        token: Token,
        interests: Interest,
    ) -> io::Result<()> {
        self.check_owner(registry)?;
        let fd = self.inner.as_raw_fd();
        self.state.register(registry, token, interests, fd)?;
        self.registered_with = Some(registry.selector().wakeup().id());
        Ok(())
    }

    fn reregister(
        &mut self,
        registry: &Registry,
        token: Token,
        interests: Interest,
    ) -> io::Result<()> {
        self.check_owner(registry)?;
        let fd = self.inner.as_raw_fd();
        self.state.reregister(registry, token, interests, fd)
    }

    fn deregister(&mut self, registry: &Registry) -> io::Result<()> {
        self.check_owner(registry)?;
        let fd = self.inner.as_raw_fd();
        self.state.deregister(registry, fd)?;
        self.registered_with = None;
        Ok(())
    }
}

#[cfg(windows)]
impl<T: AsRawSocket> Source for IoSource<T> {
    fn register(
        &mut self,
        registry: &Registry,
        token: Token,
        interests: Interest,
    ) -> io::Result<()> {
        self.check_owner(registry)?;
        let socket = self.inner.as_raw_socket();
        self.state.register(registry, token, interests, socket)?;
        self.registered_with = Some(registry.selector().wakeup().id());
        Ok(())
    }

    fn reregister(
        &mut self,
        registry: &Registry,
        token: Token,
        interests: Interest,
    ) -> io::Result<()> {
        self.check_owner(registry)?;
        self.state.reregister(registry, token, interests)
    }

    fn deregister(&mut self, registry: &Registry) -> io::Result<()> {
        self.check_owner(registry)?;
        self.state.deregister(registry)?;
        self.registered_with = None;
        Ok(())
    }
}

impl<T: fmt::Debug> fmt::Debug for IoSource<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}
