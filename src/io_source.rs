//! `IoSource`: the wrapper that turns a std I/O object into an event source.
//!
//! Every I/O type in `net` and `unix::pipe` is an `IoSource` around the
//! matching std type. It adds two things: the backend's per-source state
//! (the `poll(2)` and IOCP backends must re-arm a source when an operation
//! on it returns `WouldBlock`), and, in debug builds, a record of which
//! `Poll` the source is registered with, so that registering it with a
//! second one fails cleanly. Release builds skip that check, as mio's do:
//! it would cost four bytes in every source and work on every
//! registration.

use std::ops::Deref;
use std::{fmt, io};

use crate::event::Source;
#[cfg(debug_assertions)]
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
    /// Which `Poll` the source is registered with; empty in release builds.
    owner: Owner,
}

impl<T> IoSource<T> {
    pub(crate) fn new(inner: T) -> IoSource<T> {
        IoSource {
            state: IoSourceState::new(),
            inner,
            owner: Owner::default(),
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
}

/// The `Poll` a source is registered with, kept in debug builds only.
///
/// An id rather than a handle: copying or comparing it touches no shared
/// memory, and a dropped `Poll` frees the source because its id is no
/// longer alive.
#[derive(Default)]
struct Owner {
    #[cfg(debug_assertions)]
    id: Option<PollId>,
}

impl Owner {
    /// Fails if the source is registered with a live `Poll` other than the
    /// one `registry` belongs to.
    #[inline]
    fn check(&self, registry: &Registry) -> io::Result<()> {
        #[cfg(debug_assertions)]
        if let Some(prev) = self.id {
            if prev != registry.selector().wakeup().id() {
                return owned_elsewhere(prev);
            }
        }
        let _ = registry;
        Ok(())
    }

    /// Records that the source is now registered through `registry`.
    #[inline]
    fn set(&mut self, registry: &Registry) {
        #[cfg(debug_assertions)]
        {
            self.id = Some(registry.selector().wakeup().id());
        }
        let _ = registry;
    }

    /// Records that the source is no longer registered.
    #[inline]
    fn clear(&mut self) {
        #[cfg(debug_assertions)]
        {
            self.id = None;
        }
    }
}

/// Fails if `prev`, the `Poll` a source was registered with, still lives.
///
/// Looking that up takes a lock, but only a source moving between `Poll`s
/// gets here; keeping it out of line keeps registration itself short.
#[cfg(debug_assertions)]
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
        self.owner.check(registry)?;
        let fd = self.inner.as_raw_fd();
        self.state.register(registry, token, interests, fd)?;
        self.owner.set(registry);
        Ok(())
    }

    fn reregister(
        &mut self,
        registry: &Registry,
        token: Token,
        interests: Interest,
    ) -> io::Result<()> {
        self.owner.check(registry)?;
        let fd = self.inner.as_raw_fd();
        self.state.reregister(registry, token, interests, fd)
    }

    fn deregister(&mut self, registry: &Registry) -> io::Result<()> {
        self.owner.check(registry)?;
        let fd = self.inner.as_raw_fd();
        self.state.deregister(registry, fd)?;
        self.owner.clear();
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
        self.owner.check(registry)?;
        let socket = self.inner.as_raw_socket();
        self.state.register(registry, token, interests, socket)?;
        self.owner.set(registry);
        Ok(())
    }

    fn reregister(
        &mut self,
        registry: &Registry,
        token: Token,
        interests: Interest,
    ) -> io::Result<()> {
        self.owner.check(registry)?;
        self.state.reregister(registry, token, interests)
    }

    fn deregister(&mut self, registry: &Registry) -> io::Result<()> {
        self.owner.check(registry)?;
        self.state.deregister(registry)?;
        self.owner.clear();
        Ok(())
    }
}

impl<T: fmt::Debug> fmt::Debug for IoSource<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}
