//! Per-source bookkeeping for the Unix I/O types.
//!
//! Facility: whichever selector `selector/mod.rs` picked.
//!
//! Strategy: epoll and kqueue keep registrations in the kernel and report
//! edges by themselves, so there a source needs no state of its own: I/O
//! runs as it is and registration goes straight to the selector. The
//! `poll(2)` selector emulates edges by disarming what it reported, so
//! there a source keeps a handle to its registration and re-arms it each
//! time an operation returns `WouldBlock`.
//!
//! Risks: with `poll(2)`, an operation that does not go through `do_io`
//! never re-arms its source, which then reports nothing more until it is
//! reregistered.

#[cfg(any(metal_io_epoll, metal_io_kqueue))]
mod stateless {
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
}

#[cfg(any(metal_io_epoll, metal_io_kqueue))]
pub(crate) use self::stateless::IoSourceState;

#[cfg(metal_io_poll)]
mod rearming {
    use std::io;
    use std::os::fd::RawFd;

    use crate::sys::unix::selector::poll::Rearm;
    use crate::{Interest, Registry, Token};

    /// The handle that re-arms the source's registration, while it has one.
    #[derive(Debug, Default)]
    pub(crate) struct IoSourceState {
        rearm: Option<Rearm>,
    }

    impl IoSourceState {
        pub(crate) fn new() -> IoSourceState {
            IoSourceState { rearm: None }
        }

        /// Runs one I/O operation on the source, re-arming its registration
        /// when the operation would block: the source has been drained, so
        /// the next readiness change must be reported.
        #[inline]
        pub(crate) fn do_io<T, F, R>(&self, f: F, io: &T) -> io::Result<R>
        where
            F: FnOnce(&T) -> io::Result<R>,
        {
            let result = f(io);
            if let (Err(e), Some(rearm)) = (&result, &self.rearm) {
                if e.kind() == io::ErrorKind::WouldBlock {
                    rearm.rearm();
                }
            }
            result
        }

        pub(crate) fn register(
            &mut self,
            registry: &Registry,
            token: Token,
            interests: Interest,
            fd: RawFd,
        ) -> io::Result<()> {
            let rearm = registry.selector().register_source(fd, token, interests)?;
            self.rearm = Some(rearm);
            Ok(())
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
            registry.selector().deregister(fd)?;
            self.rearm = None;
            Ok(())
        }
    }
}

#[cfg(metal_io_poll)]
pub(crate) use self::rearming::IoSourceState;
