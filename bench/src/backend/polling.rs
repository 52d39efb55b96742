//! The [`Driver`] for the `polling` crate, used in edge-triggered mode.
//!
//! polling's default mode is oneshot, which needs a `modify` system call
//! after every event; edge mode is the fair comparison with the others.
//! Its `notify` produces no event: a wake only makes `wait` return.

use std::io;
use std::net;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

use polling::{Event, Events, PollMode, Poller};

use crate::driver::{Driver, Ev, Want};

/// A shared `Poller` (its `notify` is called from other threads) and the
/// event buffer.
pub struct Backend {
    poller: Arc<Poller>,
    events: Events,
}

fn event(token: usize, want: Want) -> Event {
    match want {
        Want::Read => Event::readable(token),
        Want::Both => Event::all(token),
    }
}

impl Driver for Backend {
    const WAKE_IS_EVENT: bool = false;

    type Stream = net::TcpStream;
    type Udp = net::UdpSocket;
    type Waker = Arc<Poller>;

    fn new(capacity: usize) -> io::Result<Backend> {
        let capacity = NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN);
        Ok(Backend {
            poller: Arc::new(Poller::new()?),
            events: Events::with_capacity(capacity),
        })
    }

    fn stream(s: net::TcpStream) -> net::TcpStream {
        s
    }

    fn unstream(s: net::TcpStream) -> net::TcpStream {
        s
    }

    fn udp(s: net::UdpSocket) -> net::UdpSocket {
        s
    }

    fn unudp(s: net::UdpSocket) -> net::UdpSocket {
        s
    }

    #[inline]
    fn register(&mut self, s: &mut net::TcpStream, token: usize, want: Want) -> io::Result<()> {
        // SAFETY: every scenario deregisters a source before dropping it.
        unsafe {
            self.poller
                .add_with_mode(&*s, event(token, want), PollMode::Edge)
        }
    }

    #[inline]
    fn deregister(&mut self, s: &mut net::TcpStream) -> io::Result<()> {
        self.poller.delete(&*s)
    }

    fn register_udp(&mut self, s: &mut net::UdpSocket, token: usize) -> io::Result<()> {
        // SAFETY: as in `register`.
        unsafe {
            self.poller
                .add_with_mode(&*s, Event::readable(token), PollMode::Edge)
        }
    }

    fn deregister_udp(&mut self, s: &mut net::UdpSocket) -> io::Result<()> {
        self.poller.delete(&*s)
    }

    fn waker(&mut self, _token: usize) -> io::Result<Arc<Poller>> {
        Ok(Arc::clone(&self.poller))
    }

    #[inline]
    fn wake(waker: &Arc<Poller>) -> io::Result<()> {
        waker.notify()
    }

    #[inline]
    fn poll(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        self.events.clear();
        self.poller.wait(&mut self.events, timeout).map(drop)
    }

    #[inline]
    fn for_each(&self, mut f: impl FnMut(Ev)) {
        for event in self.events.iter() {
            f(Ev {
                token: event.key,
                readable: event.readable,
            });
        }
    }
}
