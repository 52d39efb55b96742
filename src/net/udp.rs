//! `UdpSocket`: a non-blocking UDP socket.

use std::io;
use std::net::{self, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::io_source::IoSource;
use crate::sys;

/// A non-blocking UDP socket.
///
/// Sends and receives fail with `WouldBlock` instead of waiting. Register
/// the socket for [`Interest::READABLE`](crate::Interest::READABLE) to hear
/// of arriving datagrams, and receive until `WouldBlock` after each event,
/// as the [readiness contract](crate::Poll#the-readiness-contract)
/// requires. See [the module docs](crate::net#datagrams-and-short-buffers)
/// on buffer sizes.
///
/// An unconnected socket exchanges datagrams with any peer through
/// [`send_to`](UdpSocket::send_to) and [`recv_from`](UdpSocket::recv_from).
/// After [`connect`](UdpSocket::connect) it has one peer, used by
/// [`send`](UdpSocket::send) and [`recv`](UdpSocket::recv), and datagrams
/// from other addresses are dropped.
///
/// # Examples
///
#[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
#[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
/// use std::time::Duration;
/// use metal_io::net::UdpSocket;
/// use metal_io::{Events, Interest, Poll, Token};
///
/// # fn main() -> std::io::Result<()> {
/// let mut poll = Poll::new()?;
/// let mut events = Events::with_capacity(8);
///
/// let sender = UdpSocket::bind("127.0.0.1:0".parse().unwrap())?;
/// let mut receiver = UdpSocket::bind("127.0.0.1:0".parse().unwrap())?;
/// poll.registry().register(&mut receiver, Token(0), Interest::READABLE)?;
///
/// sender.send_to(b"ping", receiver.local_addr()?)?;
///
/// let mut buf = [0; 64];
/// let (n, from) = loop {
///     match receiver.recv_from(&mut buf) {
///         Ok(received) => break received,
///         Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
///             poll.poll(&mut events, Some(Duration::from_secs(5)))?;
///         }
///         Err(e) => return Err(e),
///     }
/// };
/// assert_eq!(&buf[..n], b"ping");
/// assert_eq!(from, sender.local_addr()?);
/// # Ok(())
/// # }
/// ```
pub struct UdpSocket {
    inner: IoSource<net::UdpSocket>,
}

impl UdpSocket {
    /// Creates a non-blocking UDP socket bound to `addr`.
    ///
    /// Binding to port 0 lets the OS pick a free port; read it back with
    /// [`UdpSocket::local_addr`].
    ///
    /// # Errors
    ///
    /// - `ErrorKind::AddrInUse` if another socket is bound to `addr`.
    /// - `ErrorKind::AddrNotAvailable` if `addr` is not an address of this
    ///   host.
    /// - Other OS errors are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use metal_io::net::UdpSocket;
    ///
    /// let socket = UdpSocket::bind("127.0.0.1:0".parse().unwrap())?;
    /// assert_ne!(socket.local_addr()?.port(), 0);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn bind(addr: SocketAddr) -> io::Result<UdpSocket> {
        sys::udp::bind(addr).map(UdpSocket::from_std)
    }

    /// Wraps a std UDP socket.
    ///
    /// Nothing about the socket is changed: the caller puts it in
    /// non-blocking mode first (`set_nonblocking(true)`), or operations on
    /// it block the event loop.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use metal_io::net::UdpSocket;
    ///
    /// let std_socket = std::net::UdpSocket::bind("127.0.0.1:0")?;
    /// std_socket.set_nonblocking(true)?;
    /// let socket = UdpSocket::from_std(std_socket);
    /// let err = socket.recv_from(&mut [0; 8]).unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn from_std(socket: net::UdpSocket) -> UdpSocket {
        UdpSocket {
            inner: IoSource::new(socket),
        }
    }

    /// Returns the address this socket is bound to.
    ///
    /// # Errors
    ///
    /// OS errors from `getsockname(2)` are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use std::net::Ipv4Addr;
    /// use metal_io::net::UdpSocket;
    ///
    /// let socket = UdpSocket::bind("127.0.0.1:0".parse().unwrap())?;
    /// // Port 0 left the choice to the OS; the address says what it picked.
    /// let addr = socket.local_addr()?;
    /// assert_eq!(addr.ip(), Ipv4Addr::LOCALHOST);
    /// assert_ne!(addr.port(), 0);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }

    /// Returns the address of the peer set by [`UdpSocket::connect`].
    ///
    /// # Errors
    ///
    /// - `ErrorKind::NotConnected` if the socket is not connected.
    /// - Other OS errors from `getpeername(2)` are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use metal_io::net::UdpSocket;
    ///
    /// let a = UdpSocket::bind("127.0.0.1:0".parse().unwrap())?;
    /// let b = UdpSocket::bind("127.0.0.1:0".parse().unwrap())?;
    /// assert_eq!(a.peer_addr().unwrap_err().kind(), std::io::ErrorKind::NotConnected);
    ///
    /// a.connect(b.local_addr()?)?;
    /// assert_eq!(a.peer_addr()?, b.local_addr()?);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.peer_addr()
    }

    /// Sends one datagram to `target`, returning the number of bytes sent.
    ///
    /// # Errors
    ///
    /// - `ErrorKind::WouldBlock` when the send buffer is full.
    /// - The OS error `EMSGSIZE` for a datagram too large to send.
    /// - Other OS errors are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use std::time::Duration;
    /// use metal_io::net::UdpSocket;
    ///
    /// let socket = UdpSocket::bind("127.0.0.1:0".parse().unwrap())?;
    /// let peer = std::net::UdpSocket::bind("127.0.0.1:0")?;
    /// peer.set_read_timeout(Some(Duration::from_secs(5)))?;
    ///
    /// assert_eq!(socket.send_to(b"hello", peer.local_addr()?)?, 5);
    /// let mut buf = [0; 16];
    /// let (n, from) = peer.recv_from(&mut buf)?;
    /// assert_eq!(&buf[..n], b"hello");
    /// assert_eq!(from, socket.local_addr()?);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn send_to(&self, buf: &[u8], target: SocketAddr) -> io::Result<usize> {
        self.inner.do_io(|inner| inner.send_to(buf, target))
    }

    /// Receives one datagram, returning its length and sender.
    ///
    /// A datagram longer than `buf` is cut short on Unix (the rest is lost)
    /// and fails on Windows; see
    /// [the module docs](crate::net#datagrams-and-short-buffers).
    ///
    /// # Errors
    ///
    /// - `ErrorKind::WouldBlock` when no datagram is waiting.
    /// - Other OS errors are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use std::io::ErrorKind;
    /// use std::time::Duration;
    /// use metal_io::net::UdpSocket;
    /// use metal_io::{Events, Interest, Poll, Token};
    ///
    /// # fn main() -> std::io::Result<()> {
    /// # let mut poll = Poll::new()?;
    /// # let mut events = Events::with_capacity(8);
    /// let mut socket = UdpSocket::bind("127.0.0.1:0".parse().unwrap())?;
    /// poll.registry().register(&mut socket, Token(0), Interest::READABLE)?;
    /// let peer = std::net::UdpSocket::bind("127.0.0.1:0")?;
    /// peer.send_to(b"hello", socket.local_addr()?)?;
    ///
    /// let mut buf = [0; 16];
    /// let mut tries = 0;
    /// let (n, from) = loop {
    ///     match socket.recv_from(&mut buf) {
    ///         Ok(received) => break received,
    ///         Err(e) if e.kind() == ErrorKind::WouldBlock && tries < 10 => {
    ///             tries += 1;
    ///             poll.poll(&mut events, Some(Duration::from_secs(1)))?;
    ///         }
    ///         Err(e) => return Err(e),
    ///     }
    /// };
    /// assert_eq!(&buf[..n], b"hello");
    /// assert_eq!(from, peer.local_addr()?);
    /// # Ok(())
    /// # }
    /// ```
    pub fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.inner.do_io(|inner| inner.recv_from(buf))
    }

    /// Receives the next datagram like [`UdpSocket::recv_from`], but leaves
    /// it queued, so the next receive returns it again.
    ///
    /// # Errors
    ///
    /// - `ErrorKind::WouldBlock` when no datagram is waiting.
    /// - Other OS errors are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use std::io::ErrorKind;
    /// use std::time::Duration;
    /// use metal_io::net::UdpSocket;
    /// use metal_io::{Events, Interest, Poll, Token};
    ///
    /// # fn main() -> std::io::Result<()> {
    /// # let mut poll = Poll::new()?;
    /// # let mut events = Events::with_capacity(8);
    /// let mut socket = UdpSocket::bind("127.0.0.1:0".parse().unwrap())?;
    /// poll.registry().register(&mut socket, Token(0), Interest::READABLE)?;
    /// let peer = std::net::UdpSocket::bind("127.0.0.1:0")?;
    /// peer.send_to(b"hello", socket.local_addr()?)?;
    ///
    /// let mut buf = [0; 16];
    /// let mut tries = 0;
    /// let (n, from) = loop {
    ///     match socket.peek_from(&mut buf) {
    ///         Ok(received) => break received,
    ///         Err(e) if e.kind() == ErrorKind::WouldBlock && tries < 10 => {
    ///             tries += 1;
    ///             poll.poll(&mut events, Some(Duration::from_secs(1)))?;
    ///         }
    ///         Err(e) => return Err(e),
    ///     }
    /// };
    /// assert_eq!(&buf[..n], b"hello");
    ///
    /// // The datagram is still queued: receiving returns it again.
    /// assert_eq!(socket.recv_from(&mut buf)?, (n, from));
    /// # Ok(())
    /// # }
    /// ```
    pub fn peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.inner.do_io(|inner| inner.peek_from(buf))
    }

    /// Sends one datagram to the connected peer.
    ///
    /// # Errors
    ///
    /// - `ErrorKind::WouldBlock` when the send buffer is full.
    /// - The OS error `EDESTADDRREQ` (or `NotConnected`) if the socket is
    ///   not connected.
    /// - `ErrorKind::ConnectionRefused` when an earlier datagram to the
    ///   peer was refused (an ICMP "port unreachable" came back).
    /// - Other OS errors are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use std::time::Duration;
    /// use metal_io::net::UdpSocket;
    ///
    /// let socket = UdpSocket::bind("127.0.0.1:0".parse().unwrap())?;
    /// let peer = std::net::UdpSocket::bind("127.0.0.1:0")?;
    /// peer.set_read_timeout(Some(Duration::from_secs(5)))?;
    ///
    /// socket.connect(peer.local_addr()?)?;
    /// assert_eq!(socket.send(b"hello")?, 5);
    /// let mut buf = [0; 16];
    /// let n = peer.recv(&mut buf)?;
    /// assert_eq!(&buf[..n], b"hello");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.inner.do_io(|inner| inner.send(buf))
    }

    /// Receives one datagram from the connected peer.
    ///
    /// # Errors
    ///
    /// - `ErrorKind::WouldBlock` when no datagram is waiting.
    /// - `ErrorKind::ConnectionRefused` when an earlier datagram to the
    ///   peer was refused.
    /// - Other OS errors are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use std::io::ErrorKind;
    /// use std::time::Duration;
    /// use metal_io::net::UdpSocket;
    /// use metal_io::{Events, Interest, Poll, Token};
    ///
    /// # fn main() -> std::io::Result<()> {
    /// # let mut poll = Poll::new()?;
    /// # let mut events = Events::with_capacity(8);
    /// let mut socket = UdpSocket::bind("127.0.0.1:0".parse().unwrap())?;
    /// poll.registry().register(&mut socket, Token(0), Interest::READABLE)?;
    /// let peer = std::net::UdpSocket::bind("127.0.0.1:0")?;
    /// socket.connect(peer.local_addr()?)?;
    /// peer.send_to(b"hello", socket.local_addr()?)?;
    ///
    /// let mut buf = [0; 16];
    /// let mut tries = 0;
    /// let n = loop {
    ///     match socket.recv(&mut buf) {
    ///         Ok(received) => break received,
    ///         Err(e) if e.kind() == ErrorKind::WouldBlock && tries < 10 => {
    ///             tries += 1;
    ///             poll.poll(&mut events, Some(Duration::from_secs(1)))?;
    ///         }
    ///         Err(e) => return Err(e),
    ///     }
    /// };
    /// assert_eq!(&buf[..n], b"hello");
    /// # Ok(())
    /// # }
    /// ```
    pub fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.do_io(|inner| inner.recv(buf))
    }

    /// Receives the next datagram from the connected peer like
    /// [`UdpSocket::recv`], but leaves it queued.
    ///
    /// # Errors
    ///
    /// - `ErrorKind::WouldBlock` when no datagram is waiting.
    /// - Other OS errors are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use std::io::ErrorKind;
    /// use std::time::Duration;
    /// use metal_io::net::UdpSocket;
    /// use metal_io::{Events, Interest, Poll, Token};
    ///
    /// # fn main() -> std::io::Result<()> {
    /// # let mut poll = Poll::new()?;
    /// # let mut events = Events::with_capacity(8);
    /// let mut socket = UdpSocket::bind("127.0.0.1:0".parse().unwrap())?;
    /// poll.registry().register(&mut socket, Token(0), Interest::READABLE)?;
    /// let peer = std::net::UdpSocket::bind("127.0.0.1:0")?;
    /// socket.connect(peer.local_addr()?)?;
    /// peer.send_to(b"hello", socket.local_addr()?)?;
    ///
    /// let mut buf = [0; 16];
    /// let mut tries = 0;
    /// let n = loop {
    ///     match socket.peek(&mut buf) {
    ///         Ok(received) => break received,
    ///         Err(e) if e.kind() == ErrorKind::WouldBlock && tries < 10 => {
    ///             tries += 1;
    ///             poll.poll(&mut events, Some(Duration::from_secs(1)))?;
    ///         }
    ///         Err(e) => return Err(e),
    ///     }
    /// };
    /// assert_eq!(&buf[..n], b"hello");
    ///
    /// // The datagram is still queued: receiving returns it again.
    /// assert_eq!(socket.recv(&mut buf)?, n);
    /// # Ok(())
    /// # }
    /// ```
    pub fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.do_io(|inner| inner.peek(buf))
    }

    /// Sets the socket's one peer: `send` goes to `addr`, and only
    /// datagrams from `addr` are received. Nothing is sent over the network.
    ///
    /// # Errors
    ///
    /// - `ErrorKind::WouldBlock` on systems that need a routing entry they
    ///   cannot create at once; try again later.
    /// - Other OS errors are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use std::io::ErrorKind;
    /// use std::time::Duration;
    /// use metal_io::net::UdpSocket;
    /// use metal_io::{Events, Interest, Poll, Token};
    ///
    /// # fn main() -> std::io::Result<()> {
    /// # let mut poll = Poll::new()?;
    /// # let mut events = Events::with_capacity(8);
    /// let mut socket = UdpSocket::bind("127.0.0.1:0".parse().unwrap())?;
    /// poll.registry().register(&mut socket, Token(0), Interest::READABLE)?;
    /// let peer = std::net::UdpSocket::bind("127.0.0.1:0")?;
    /// let stranger = std::net::UdpSocket::bind("127.0.0.1:0")?;
    ///
    /// socket.connect(peer.local_addr()?)?;
    /// // Only the peer's datagram gets through.
    /// stranger.send_to(b"ignored", socket.local_addr()?)?;
    /// peer.send_to(b"hello", socket.local_addr()?)?;
    ///
    /// let mut buf = [0; 16];
    /// let mut tries = 0;
    /// let n = loop {
    ///     match socket.recv(&mut buf) {
    ///         Ok(received) => break received,
    ///         Err(e) if e.kind() == ErrorKind::WouldBlock && tries < 10 => {
    ///             tries += 1;
    ///             poll.poll(&mut events, Some(Duration::from_secs(1)))?;
    ///         }
    ///         Err(e) => return Err(e),
    ///     }
    /// };
    /// assert_eq!(&buf[..n], b"hello");
    /// # Ok(())
    /// # }
    /// ```
    pub fn connect(&self, addr: SocketAddr) -> io::Result<()> {
        self.inner.connect(addr)
    }

    /// Sets `SO_BROADCAST`, which allows sending to a broadcast address.
    ///
    /// # Errors
    ///
    /// OS errors from `setsockopt(2)` are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use metal_io::net::UdpSocket;
    ///
    /// let socket = UdpSocket::bind("127.0.0.1:0".parse().unwrap())?;
    /// assert!(!socket.broadcast()?);
    /// socket.set_broadcast(true)?;
    /// assert!(socket.broadcast()?);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_broadcast(&self, on: bool) -> io::Result<()> {
        self.inner.set_broadcast(on)
    }

    /// Returns the value of `SO_BROADCAST`.
    ///
    /// # Errors
    ///
    /// OS errors from `getsockopt(2)` are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use metal_io::net::UdpSocket;
    ///
    /// let socket = UdpSocket::bind("127.0.0.1:0".parse().unwrap())?;
    /// // Broadcasting is off until it is asked for.
    /// assert!(!socket.broadcast()?);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn broadcast(&self) -> io::Result<bool> {
        self.inner.broadcast()
    }

    /// Sets `IP_MULTICAST_LOOP`: whether IPv4 multicast datagrams this
    /// socket sends are also delivered to the local host.
    ///
    /// # Errors
    ///
    /// OS errors from `setsockopt(2)` are passed through unchanged (an IPv6
    /// socket may refuse this IPv4 option).
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use metal_io::net::UdpSocket;
    ///
    /// let socket = UdpSocket::bind("127.0.0.1:0".parse().unwrap())?;
    /// socket.set_multicast_loop_v4(false)?;
    /// assert!(!socket.multicast_loop_v4()?);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_multicast_loop_v4(&self, on: bool) -> io::Result<()> {
        self.inner.set_multicast_loop_v4(on)
    }

    /// Returns the value of `IP_MULTICAST_LOOP`.
    ///
    /// # Errors
    ///
    /// OS errors from `getsockopt(2)` are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use metal_io::net::UdpSocket;
    ///
    /// let socket = UdpSocket::bind("127.0.0.1:0".parse().unwrap())?;
    /// socket.set_multicast_loop_v4(true)?;
    /// assert!(socket.multicast_loop_v4()?);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn multicast_loop_v4(&self) -> io::Result<bool> {
        self.inner.multicast_loop_v4()
    }

    /// Sets `IP_MULTICAST_TTL`: how many hops IPv4 multicast datagrams this
    /// socket sends may travel. The default of 1 keeps them on the local
    /// network.
    ///
    /// # Errors
    ///
    /// - `ErrorKind::InvalidInput` for a value the OS rejects (above 255).
    /// - Other OS errors are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use metal_io::net::UdpSocket;
    ///
    /// let socket = UdpSocket::bind("127.0.0.1:0".parse().unwrap())?;
    /// // Let the datagrams cross up to eight routers.
    /// socket.set_multicast_ttl_v4(8)?;
    /// assert_eq!(socket.multicast_ttl_v4()?, 8);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_multicast_ttl_v4(&self, ttl: u32) -> io::Result<()> {
        self.inner.set_multicast_ttl_v4(ttl)
    }

    /// Returns the value of `IP_MULTICAST_TTL`.
    ///
    /// # Errors
    ///
    /// OS errors from `getsockopt(2)` are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use metal_io::net::UdpSocket;
    ///
    /// let socket = UdpSocket::bind("127.0.0.1:0".parse().unwrap())?;
    /// // By default the datagrams stay on the local network.
    /// assert_eq!(socket.multicast_ttl_v4()?, 1);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn multicast_ttl_v4(&self) -> io::Result<u32> {
        self.inner.multicast_ttl_v4()
    }

    /// Sets `IPV6_MULTICAST_LOOP`: whether IPv6 multicast datagrams this
    /// socket sends are also delivered to the local host.
    ///
    /// # Errors
    ///
    /// OS errors from `setsockopt(2)` are passed through unchanged (an IPv4
    /// socket refuses this IPv6 option).
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use metal_io::net::UdpSocket;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// // Skip on a host without IPv6 loopback.
    /// let Ok(socket) = UdpSocket::bind("[::1]:0".parse().unwrap()) else {
    ///     return Ok(());
    /// };
    /// socket.set_multicast_loop_v6(false)?;
    /// assert!(!socket.multicast_loop_v6()?);
    /// # Ok(())
    /// # }
    /// ```
    pub fn set_multicast_loop_v6(&self, on: bool) -> io::Result<()> {
        self.inner.set_multicast_loop_v6(on)
    }

    /// Returns the value of `IPV6_MULTICAST_LOOP`.
    ///
    /// # Errors
    ///
    /// OS errors from `getsockopt(2)` are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use metal_io::net::UdpSocket;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// // Skip on a host without IPv6 loopback.
    /// let Ok(socket) = UdpSocket::bind("[::1]:0".parse().unwrap()) else {
    ///     return Ok(());
    /// };
    /// socket.set_multicast_loop_v6(true)?;
    /// assert!(socket.multicast_loop_v6()?);
    /// # Ok(())
    /// # }
    /// ```
    pub fn multicast_loop_v6(&self) -> io::Result<bool> {
        self.inner.multicast_loop_v6()
    }

    /// Sets the `IP_TTL` option: the time-to-live of every unicast datagram
    /// sent on this socket.
    ///
    /// # Errors
    ///
    /// - `ErrorKind::InvalidInput` for a value the OS rejects (above 255).
    /// - Other OS errors are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use metal_io::net::UdpSocket;
    ///
    /// let socket = UdpSocket::bind("127.0.0.1:0".parse().unwrap())?;
    /// socket.set_ttl(16)?;
    /// assert_eq!(socket.ttl()?, 16);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.inner.set_ttl(ttl)
    }

    /// Returns the value of the `IP_TTL` option.
    ///
    /// # Errors
    ///
    /// OS errors from `getsockopt(2)` are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use metal_io::net::UdpSocket;
    ///
    /// let socket = UdpSocket::bind("127.0.0.1:0".parse().unwrap())?;
    /// // The default differs between systems (often 64 or 128).
    /// assert!((1..=255).contains(&socket.ttl()?));
    /// socket.set_ttl(48)?;
    /// assert_eq!(socket.ttl()?, 48);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn ttl(&self) -> io::Result<u32> {
        self.inner.ttl()
    }

    /// Joins the IPv4 multicast group `multiaddr` on the local interface
    /// with address `interface` (`IP_ADD_MEMBERSHIP`).
    ///
    /// With `Ipv4Addr::UNSPECIFIED` as `interface` the OS picks one.
    ///
    /// # Errors
    ///
    /// - `ErrorKind::InvalidInput` if `multiaddr` is not a multicast
    ///   address.
    /// - The OS error `ENODEV` (or `EADDRNOTAVAIL`) if no interface fits.
    /// - Other OS errors are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use std::net::Ipv4Addr;
    /// use metal_io::net::UdpSocket;
    ///
    /// let socket = UdpSocket::bind("127.0.0.1:0".parse().unwrap())?;
    /// let group = Ipv4Addr::new(224, 0, 0, 123);
    /// socket.join_multicast_v4(&group, &Ipv4Addr::LOCALHOST)?;
    ///
    /// // A unicast address is not a group.
    /// let unicast = Ipv4Addr::new(10, 0, 0, 1);
    /// let err = socket
    ///     .join_multicast_v4(&unicast, &Ipv4Addr::LOCALHOST)
    ///     .unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn join_multicast_v4(&self, multiaddr: &Ipv4Addr, interface: &Ipv4Addr) -> io::Result<()> {
        self.inner.join_multicast_v4(multiaddr, interface)
    }

    /// Joins the IPv6 multicast group `multiaddr` on the interface with
    /// index `interface` (`IPV6_ADD_MEMBERSHIP`, also named
    /// `IPV6_JOIN_GROUP`).
    ///
    /// With index 0 the OS picks the interface.
    ///
    /// # Errors
    ///
    /// - `ErrorKind::InvalidInput` if `multiaddr` is not a multicast
    ///   address.
    /// - Other OS errors are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use std::net::Ipv6Addr;
    /// use metal_io::net::UdpSocket;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// // Skip on a host without IPv6 loopback.
    /// let Ok(socket) = UdpSocket::bind("[::1]:0".parse().unwrap()) else {
    ///     return Ok(());
    /// };
    /// let group = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0x123);
    /// // Index 0 lets the OS pick the interface; a host may have none for it.
    /// if socket.join_multicast_v6(&group, 0).is_ok() {
    ///     // The socket is now a member, so leaving succeeds.
    ///     socket.leave_multicast_v6(&group, 0)?;
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn join_multicast_v6(&self, multiaddr: &Ipv6Addr, interface: u32) -> io::Result<()> {
        self.inner.join_multicast_v6(multiaddr, interface)
    }

    /// Leaves an IPv4 multicast group joined with
    /// [`UdpSocket::join_multicast_v4`] (`IP_DROP_MEMBERSHIP`).
    ///
    /// # Errors
    ///
    /// - The OS error `EADDRNOTAVAIL` if the socket is not a member.
    /// - Other OS errors are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use std::net::Ipv4Addr;
    /// use metal_io::net::UdpSocket;
    ///
    /// let socket = UdpSocket::bind("127.0.0.1:0".parse().unwrap())?;
    /// let group = Ipv4Addr::new(224, 0, 0, 123);
    /// let interface = Ipv4Addr::LOCALHOST;
    /// socket.join_multicast_v4(&group, &interface)?;
    /// socket.leave_multicast_v4(&group, &interface)?;
    ///
    /// // Leaving again fails: the socket is no longer a member.
    /// assert!(socket.leave_multicast_v4(&group, &interface).is_err());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn leave_multicast_v4(&self, multiaddr: &Ipv4Addr, interface: &Ipv4Addr) -> io::Result<()> {
        self.inner.leave_multicast_v4(multiaddr, interface)
    }

    /// Leaves an IPv6 multicast group joined with
    /// [`UdpSocket::join_multicast_v6`] (`IPV6_DROP_MEMBERSHIP`).
    ///
    /// # Errors
    ///
    /// - The OS error `EADDRNOTAVAIL` if the socket is not a member.
    /// - Other OS errors are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use std::net::Ipv6Addr;
    /// use metal_io::net::UdpSocket;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// // Skip on a host without IPv6 loopback.
    /// let Ok(socket) = UdpSocket::bind("[::1]:0".parse().unwrap()) else {
    ///     return Ok(());
    /// };
    /// let group = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0x123);
    /// // A host may have no interface for IPv6 multicast.
    /// if socket.join_multicast_v6(&group, 0).is_ok() {
    ///     socket.leave_multicast_v6(&group, 0)?;
    ///     // Leaving again fails: the socket is no longer a member.
    ///     assert!(socket.leave_multicast_v6(&group, 0).is_err());
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn leave_multicast_v6(&self, multiaddr: &Ipv6Addr, interface: u32) -> io::Result<()> {
        self.inner.leave_multicast_v6(multiaddr, interface)
    }

    /// Returns the value of `IPV6_V6ONLY`: whether an IPv6 socket is kept
    /// from exchanging IPv4 traffic through IPv4-mapped addresses.
    ///
    /// # Errors
    ///
    /// - An OS error for an IPv4 socket, which has no such option
    ///   (`ENOPROTOOPT` on Linux, `WSAEINVAL` on Windows).
    /// - Other OS errors from `getsockopt(2)` are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use metal_io::net::UdpSocket;
    ///
    /// let v4 = UdpSocket::bind("127.0.0.1:0".parse().unwrap())?;
    /// // An IPv4 socket has no such option.
    /// assert!(v4.only_v6().is_err());
    ///
    /// // On an IPv6 socket it reads the system's default, which varies.
    /// if let Ok(v6) = UdpSocket::bind("[::1]:0".parse().unwrap()) {
    ///     println!("IPV6_V6ONLY is {}", v6.only_v6()?);
    /// }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn only_v6(&self) -> io::Result<bool> {
        sys::udp::only_v6(&self.inner)
    }

    /// Returns and clears the socket's pending error (`SO_ERROR`), such as
    /// a refusal reported by ICMP for an earlier datagram.
    ///
    /// `Ok(None)` means no error was pending.
    ///
    /// # Errors
    ///
    /// OS errors from `getsockopt(2)` itself are passed through unchanged.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
    /// use metal_io::net::UdpSocket;
    ///
    /// let socket = UdpSocket::bind("127.0.0.1:0".parse().unwrap())?;
    /// // Nothing has gone wrong on a fresh socket.
    /// assert!(socket.take_error()?.is_none());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.inner.take_error()
    }

    /// Runs `f`, an I/O operation of the caller's on this socket, in the
    /// way metal-io runs its own.
    ///
    /// Use it for system calls metal-io does not wrap (for example
    /// `recvmsg(2)` to read ancillary data). `f` must return the
    /// operation's result unchanged, and `WouldBlock` when the operation
    /// would block: backends that emulate edge-triggered readiness re-arm
    /// the socket on seeing it. Without this wrapper such a backend may
    /// never report the socket ready again.
    ///
    /// # Errors
    ///
    /// Whatever `f` returns.
    ///
    /// # Examples
    ///
    #[cfg_attr(all(unix, feature = "os-poll", feature = "net"), doc = "```")]
    #[cfg_attr(
        not(all(unix, feature = "os-poll", feature = "net")),
        doc = "```ignore"
    )]
    /// use std::io;
    /// use std::os::fd::AsRawFd;
    /// use metal_io::net::UdpSocket;
    ///
    /// let socket = UdpSocket::bind("127.0.0.1:0".parse().unwrap())?;
    ///
    /// // Nothing has arrived, so the caller's own `recv(2)` would block.
    /// let mut buf = [0; 16];
    /// let result = socket.try_io(|| {
    ///     let fd = socket.as_raw_fd();
    ///     // SAFETY: `buf` is writable for `buf.len()` bytes and `fd`
    ///     // stays open while `socket` is borrowed.
    ///     let n = unsafe { libc::recv(fd, buf.as_mut_ptr().cast(), buf.len(), 0) };
    ///     if n < 0 {
    ///         Err(io::Error::last_os_error())
    ///     } else {
    ///         Ok(n as usize)
    ///     }
    /// });
    /// assert_eq!(result.unwrap_err().kind(), io::ErrorKind::WouldBlock);
    /// # Ok::<(), io::Error>(())
    /// ```
    pub fn try_io<F, T>(&self, f: F) -> io::Result<T>
    where
        F: FnOnce() -> io::Result<T>,
    {
        self.inner.do_io(|_| f())
    }
}

impl_os_handle!(UdpSocket, net::UdpSocket);
