//! The trait implemented by everything that can be registered.

use std::io;

use crate::{Interest, Registry, Token};

/// An event source: something that can be registered with a [`Registry`]
/// and then produces readiness events.
///
/// metal-io's own I/O types implement `Source`, and so does
/// [`SourceFd`](crate::unix::SourceFd), which wraps any Unix file
/// descriptor. A type that owns one of those implements `Source` by
/// forwarding each method to it, as below.
///
/// The methods are called by [`Registry::register`],
/// [`Registry::reregister`] and [`Registry::deregister`]; callers use those
/// rather than calling the trait's methods directly.
///
/// # Examples
///
/// A connection type that owns a TCP stream and forwards registration to it:
///
#[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
#[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
/// # #![allow(dead_code)]
/// use std::io;
/// use metal_io::event::Source;
/// use metal_io::net::TcpStream;
/// use metal_io::{Interest, Registry, Token};
///
/// struct Connection {
///     stream: TcpStream,
///     // ... buffers, protocol state
/// }
///
/// impl Source for Connection {
///     fn register(&mut self, registry: &Registry, token: Token, interests: Interest)
///         -> io::Result<()>
///     {
///         self.stream.register(registry, token, interests)
///     }
///
///     fn reregister(&mut self, registry: &Registry, token: Token, interests: Interest)
///         -> io::Result<()>
///     {
///         self.stream.reregister(registry, token, interests)
///     }
///
///     fn deregister(&mut self, registry: &Registry) -> io::Result<()> {
///         self.stream.deregister(registry)
///     }
/// }
/// ```
pub trait Source {
    /// Registers `self` with `registry`, reporting `interests` with `token`.
    ///
    /// Called by [`Registry::register`]; see there for the errors.
    fn register(
        &mut self,
        registry: &Registry,
        token: Token,
        interests: Interest,
    ) -> io::Result<()>;

    /// Replaces the token and interests of a registered `self`.
    ///
    /// Called by [`Registry::reregister`]; see there for the errors.
    fn reregister(
        &mut self,
        registry: &Registry,
        token: Token,
        interests: Interest,
    ) -> io::Result<()>;

    /// Removes `self` from `registry`.
    ///
    /// Called by [`Registry::deregister`]; see there for the errors.
    fn deregister(&mut self, registry: &Registry) -> io::Result<()>;
}

impl<T> Source for Box<T>
where
    T: Source + ?Sized,
{
    fn register(
        &mut self,
        registry: &Registry,
        token: Token,
        interests: Interest,
    ) -> io::Result<()> {
        (**self).register(registry, token, interests)
    }

    fn reregister(
        &mut self,
        registry: &Registry,
        token: Token,
        interests: Interest,
    ) -> io::Result<()> {
        (**self).reregister(registry, token, interests)
    }

    fn deregister(&mut self, registry: &Registry) -> io::Result<()> {
        (**self).deregister(registry)
    }
}
