//! `IoSource`: the wrapper that turns a std I/O object into an event source.
//!
//! Every I/O type in `net` and `unix::pipe` is an `IoSource` around the
//! matching std type. It adds two things: the backend's per-source state
//! (the `poll(2)` and IOCP backends must re-arm a source when an operation
//! on it returns `WouldBlock`), and a record of which `Poll` the source is
//! registered with, so that registering it with a second one fails cleanly.

use std::ops::Deref;
use std::sync::{Arc, Weak};
use std::{fmt, io};

use crate::event::Source;
use crate::sys::wake::Wakeup;
use crate::sys::{IoSourceState, WakerSignal};
use crate::{Interest, Registry, Token};

#[cfg(unix)]
use std::os::fd::AsRawFd;
#[cfg(windows)]
use std::os::windows::io::AsRawSocket;

/// A std I/O object made into an event source.
pub(crate) struct IoSource<T> {
    state: IoSourceState,
    inner: T,
    /// The `Poll` this source is registered with, identified by the state
    /// all its registries share. Weak, so a dropped `Poll` frees the source.
    registered_with: Option<Weak<Wakeup<WakerSignal>>>,
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
    fn check_owner(&self, registry: &Registry) -> io::Result<()> {
        let owner = registry.selector().wakeup();
        match self.registered_with.as_ref() {
            Some(prev) if prev.strong_count() > 0 && !ptr_eq(prev, owner) => Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                "source is already registered with another poll",
            )),
            _ => Ok(()),
        }
    }
}

/// Returns true if `weak` points at the same allocation as `owner`.
fn ptr_eq(weak: &Weak<Wakeup<WakerSignal>>, owner: &Arc<Wakeup<WakerSignal>>) -> bool {
    std::ptr::eq(weak.as_ptr(), Arc::as_ptr(owner))
}

impl<T> Deref for IoSource<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.inner
    }
}

#[cfg(unix)]
impl<T: AsRawFd> Source for IoSource<T> {
    fn register(&mut self, registry: &Registry, token: Token, interests: Interest) -> io::Result<()> {
        self.check_owner(registry)?;
        let fd = self.inner.as_raw_fd();
        self.state.register(registry, token, interests, fd)?;
        self.registered_with = Some(Arc::downgrade(registry.selector().wakeup()));
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
    fn register(&mut self, registry: &Registry, token: Token, interests: Interest) -> io::Result<()> {
        self.check_owner(registry)?;
        let socket = self.inner.as_raw_socket();
        self.state.register(registry, token, interests, socket)?;
        self.registered_with = Some(Arc::downgrade(registry.selector().wakeup()));
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
