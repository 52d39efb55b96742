//! `SourceFd`: registering a raw file descriptor the caller owns.

use std::io;
use std::os::fd::RawFd;

use crate::event::Source;
use crate::{Interest, Registry, Token};

/// Adapts a raw file descriptor to [`Source`], so that any descriptor can be
/// registered.
///
/// `SourceFd` borrows the descriptor; it does not own or close it. The
/// caller keeps it open while it is registered and deregisters it before
/// closing it. The kernel checks the descriptor: registering one that is
/// not open fails with the OS error (`EBADF`).
///
/// Prefer metal-io's own I/O types where one fits: in debug builds they
/// also check that a source is not registered with two `Poll`s, which
/// `SourceFd` cannot.
///
/// # Platform-specific behavior
///
/// With the `poll(2)` selector (Unix systems without epoll or kqueue, or a
/// build with `--cfg metal_io_force_poll`), edge-triggered readiness is
/// emulated: a reported kind of readiness stays disarmed until an
/// operation on the source returns `WouldBlock`. metal-io's own I/O types
/// see those operations, but a `SourceFd` does not, so there a `SourceFd`
/// gets one event per kind of readiness per registration: call
/// [`Registry::reregister`] after draining the descriptor to hear of the
/// next change. On epoll and kqueue the kernel tracks edges and no
/// reregistration is needed.
///
/// # Examples
///
#[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
#[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
/// use std::net::TcpListener;
/// use std::os::fd::AsRawFd;
/// use metal_io::unix::SourceFd;
/// use metal_io::{Interest, Poll, Token};
///
/// # fn main() -> std::io::Result<()> {
/// let listener = TcpListener::bind("127.0.0.1:0")?;
/// listener.set_nonblocking(true)?;
///
/// let poll = Poll::new()?;
/// let fd = listener.as_raw_fd();
/// poll.registry().register(&mut SourceFd(&fd), Token(0), Interest::READABLE)?;
/// poll.registry().deregister(&mut SourceFd(&fd))?;
/// # Ok(())
/// # }
/// ```
///
/// A type that owns a descriptor implements [`Source`] through `SourceFd`:
///
#[cfg_attr(feature = "os-poll", doc = "```")]
#[cfg_attr(not(feature = "os-poll"), doc = "```ignore")]
/// # #![allow(dead_code)]
/// use std::io;
/// use std::os::fd::{AsRawFd, OwnedFd};
/// use metal_io::event::Source;
/// use metal_io::unix::SourceFd;
/// use metal_io::{Interest, Registry, Token};
///
/// struct MyDevice {
///     fd: OwnedFd,
/// }
///
/// impl Source for MyDevice {
///     fn register(&mut self, registry: &Registry, token: Token, interests: Interest)
///         -> io::Result<()>
///     {
///         SourceFd(&self.fd.as_raw_fd()).register(registry, token, interests)
///     }
///
///     fn reregister(&mut self, registry: &Registry, token: Token, interests: Interest)
///         -> io::Result<()>
///     {
///         SourceFd(&self.fd.as_raw_fd()).reregister(registry, token, interests)
///     }
///
///     fn deregister(&mut self, registry: &Registry) -> io::Result<()> {
///         SourceFd(&self.fd.as_raw_fd()).deregister(registry)
///     }
/// }
/// ```
#[derive(Debug)]
pub struct SourceFd<'a>(pub &'a RawFd);

impl Source for SourceFd<'_> {
    fn register(
        &mut self,
        registry: &Registry,
        token: Token,
        interests: Interest,
    ) -> io::Result<()> {
        registry.selector().register(*self.0, token, interests)
    }

    fn reregister(
        &mut self,
        registry: &Registry,
        token: Token,
        interests: Interest,
    ) -> io::Result<()> {
        registry.selector().reregister(*self.0, token, interests)
    }

    fn deregister(&mut self, registry: &Registry) -> io::Result<()> {
        registry.selector().deregister(*self.0)
    }
}
