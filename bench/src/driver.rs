//! The one interface every scenario is written against.
//!
//! Each backend (metal-io, mio, polling, a raw epoll loop) implements
//! [`Driver`]. Scenarios are generic over it and monomorphised per backend,
//! so the trait adds no dynamic dispatch: after inlining, a scenario's loop
//! calls the backend exactly as hand-written code would.

use std::io::{self, Read, Write};
use std::net;
use std::time::Duration;

/// What a registration asks to be told about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// Readable only.
    Read,
    /// Readable and writable.
    Both,
}

/// One readiness event, reduced to what the scenarios look at.
#[derive(Debug, Clone, Copy)]
pub struct Ev {
    /// The token given at registration.
    pub token: usize,
    /// The source may be read.
    pub readable: bool,
}

/// A backend under test: one selector, its events and its waker.
pub trait Driver: Sized + 'static {
    /// True when a wake shows up as an event carrying the waker's token;
    /// false when it only makes the wait return (polling's `notify`).
    const WAKE_IS_EVENT: bool;

    /// The backend's TCP stream type.
    type Stream: Read + Write + Send + 'static;

    /// The backend's UDP socket type (used for idle sources).
    type Udp: Send + 'static;

    /// What other threads hold to wake this driver's wait.
    type Waker: Clone + Send + Sync + 'static;

    /// Creates a selector whose event buffer holds `capacity` events.
    fn new(capacity: usize) -> io::Result<Self>;

    /// Wraps a non-blocking std stream.
    fn stream(s: net::TcpStream) -> Self::Stream;

    /// Unwraps a stream created by [`Driver::stream`].
    fn unstream(s: Self::Stream) -> net::TcpStream;

    /// Wraps a non-blocking std UDP socket.
    fn udp(s: net::UdpSocket) -> Self::Udp;

    /// Unwraps a socket created by [`Driver::udp`].
    fn unudp(s: Self::Udp) -> net::UdpSocket;

    /// Registers a stream, edge-triggered.
    fn register(&mut self, s: &mut Self::Stream, token: usize, want: Want) -> io::Result<()>;

    /// Deregisters a stream.
    fn deregister(&mut self, s: &mut Self::Stream) -> io::Result<()>;

    /// Registers a UDP socket for readable events, edge-triggered.
    fn register_udp(&mut self, s: &mut Self::Udp, token: usize) -> io::Result<()>;

    /// Deregisters a UDP socket.
    fn deregister_udp(&mut self, s: &mut Self::Udp) -> io::Result<()>;

    /// Creates the waker of this driver, reporting `token` where the
    /// backend has waker events.
    fn waker(&mut self, token: usize) -> io::Result<Self::Waker>;

    /// Wakes the driver that created `waker`.
    fn wake(waker: &Self::Waker) -> io::Result<()>;

    /// Waits for events, at most `timeout`.
    fn poll(&mut self, timeout: Option<Duration>) -> io::Result<()>;

    /// Calls `f` for each event of the last [`Driver::poll`].
    fn for_each(&self, f: impl FnMut(Ev));
}
