//! The [`Driver`](crate::driver::Driver) for crates with mio's API.
//!
//! metal-io and mio expose the same names and signatures, so one macro body
//! serves both: it is expanded once per crate, and the two expansions are
//! the same source text compiled against different libraries.

/// Expands to a module `$name` with a `Driver` for the crate at `$krate`.
macro_rules! mio_like {
    ($name:ident, $krate:path) => {
        pub mod $name {
            use std::io;
            use std::net;
            use std::os::fd::{FromRawFd, IntoRawFd};
            use std::sync::Arc;
            use std::time::Duration;

            use $krate as krate;

            use krate::net::{TcpStream, UdpSocket};
            use krate::{Events, Interest, Poll, Token};

            use crate::driver::{Driver, Ev, Want};

            /// A `Poll` and its reusable `Events`.
            pub struct Backend {
                poll: Poll,
                events: Events,
            }

            fn interest(want: Want) -> Interest {
                match want {
                    Want::Read => Interest::READABLE,
                    Want::Both => Interest::READABLE | Interest::WRITABLE,
                }
            }

            impl Driver for Backend {
                const WAKE_IS_EVENT: bool = true;

                type Stream = TcpStream;
                type Udp = UdpSocket;
                type Waker = Arc<krate::Waker>;

                fn new(capacity: usize) -> io::Result<Backend> {
                    Ok(Backend {
                        poll: Poll::new()?,
                        events: Events::with_capacity(capacity),
                    })
                }

                fn stream(s: net::TcpStream) -> TcpStream {
                    TcpStream::from_std(s)
                }

                fn unstream(s: TcpStream) -> net::TcpStream {
                    // SAFETY: the descriptor was just released by `s`, which
                    // owned it, so the new owner is its only one.
                    unsafe { net::TcpStream::from_raw_fd(s.into_raw_fd()) }
                }

                fn udp(s: net::UdpSocket) -> UdpSocket {
                    UdpSocket::from_std(s)
                }

                fn unudp(s: UdpSocket) -> net::UdpSocket {
                    // SAFETY: as in `unstream`.
                    unsafe { net::UdpSocket::from_raw_fd(s.into_raw_fd()) }
                }

                #[inline]
                fn register(
                    &mut self,
                    s: &mut TcpStream,
                    token: usize,
                    want: Want,
                ) -> io::Result<()> {
                    self.poll
                        .registry()
                        .register(s, Token(token), interest(want))
                }

                #[inline]
                fn deregister(&mut self, s: &mut TcpStream) -> io::Result<()> {
                    self.poll.registry().deregister(s)
                }

                fn register_udp(&mut self, s: &mut UdpSocket, token: usize) -> io::Result<()> {
                    self.poll
                        .registry()
                        .register(s, Token(token), Interest::READABLE)
                }

                fn deregister_udp(&mut self, s: &mut UdpSocket) -> io::Result<()> {
                    self.poll.registry().deregister(s)
                }

                fn waker(&mut self, token: usize) -> io::Result<Arc<krate::Waker>> {
                    krate::Waker::new(self.poll.registry(), Token(token)).map(Arc::new)
                }

                #[inline]
                fn wake(waker: &Arc<krate::Waker>) -> io::Result<()> {
                    waker.wake()
                }

                #[inline]
                fn poll(&mut self, timeout: Option<Duration>) -> io::Result<()> {
                    self.poll.poll(&mut self.events, timeout)
                }

                #[inline]
                fn for_each(&self, mut f: impl FnMut(Ev)) {
                    for event in self.events.iter() {
                        f(Ev {
                            token: event.token().0,
                            readable: event.is_readable(),
                        });
                    }
                }
            }
        }
    };
}

pub(crate) use mio_like;
