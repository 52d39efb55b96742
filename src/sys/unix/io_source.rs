//! Per-source bookkeeping for the Unix I/O types.
//!
//! epoll and kqueue keep registrations in the kernel and report edges by
//! themselves, so a source needs no state of its own: I/O runs as it is and
//! registration goes straight to the selector.

use std::io;
use std::os::fd::RawFd;

use crate::{Interest, Registry, Token};

/// Nothing to keep: the kernel tracks registrations and edges.
#[derive(Debug, Default)]
pub(crate) struct IoSourceState;

impl IoSourceState {
    pub(crate) fn new() -> IoSourceState {
        IoSourceState
    }

    /// Runs one I/O operation on the source.
    #[inline]
    pub(crate) fn do_io<T, F, R>(&self, f: F, io: &T) -> io::Result<R>
    where
        F: FnOnce(&T) -> io::Result<R>,
    {
        f(io)
    }

    pub(crate) fn register(
        &mut self,
        registry: &Registry,
        token: Token,
        interests: Interest,
        fd: RawFd,
    ) -> io::Result<()> {
        registry.selector().register(fd, token, interests)
    }

    pub(crate) fn reregister(
        &mut self,
        registry: &Registry,
        token: Token,
        interests: Interest,
        fd: RawFd,
    ) -> io::Result<()> {
        registry.selector().reregister(fd, token, interests)
    }

    pub(crate) fn deregister(&mut self, registry: &Registry, fd: RawFd) -> io::Result<()> {
        registry.selector().deregister(fd)
    }
}
