//! The baseline: a hand-written epoll loop on libc, with no library.
//!
//! `epoll_create1`, `epoll_ctl` and `epoll_wait` directly, every source
//! edge-triggered with its token in the event's user data, and an
//! `eventfd(2)` as waker: one `write(2)` per wake, never read, since each
//! write is a fresh edge. This is what the libraries are measured against.

use std::io;
use std::net;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::Arc;
use std::time::Duration;

use crate::driver::{Driver, Ev, Want};

/// An epoll descriptor and a buffer of raw events.
pub struct Backend {
    ep: OwnedFd,
    events: Vec<libc::epoll_event>,
    len: usize,
}

/// Turns a `-1` return into the OS error.
fn cvt(ret: libc::c_int) -> io::Result<libc::c_int> {
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

impl Backend {
    fn ctl(&self, op: libc::c_int, fd: RawFd, token: usize, flags: libc::c_int) -> io::Result<()> {
        let mut event = libc::epoll_event {
            events: (flags | libc::EPOLLET) as u32,
            u64: token as u64,
        };
        // SAFETY: `event` lives across the call; the kernel checks both
        // descriptors.
        cvt(unsafe { libc::epoll_ctl(self.ep.as_raw_fd(), op, fd, &mut event) }).map(drop)
    }

    fn del(&self, fd: RawFd) -> io::Result<()> {
        // SAFETY: a null event is allowed for `EPOLL_CTL_DEL`.
        let ret = unsafe {
            libc::epoll_ctl(
                self.ep.as_raw_fd(),
                libc::EPOLL_CTL_DEL,
                fd,
                std::ptr::null_mut(),
            )
        };
        cvt(ret).map(drop)
    }
}

fn flags(want: Want) -> libc::c_int {
    match want {
        Want::Read => libc::EPOLLIN | libc::EPOLLRDHUP,
        Want::Both => libc::EPOLLIN | libc::EPOLLRDHUP | libc::EPOLLOUT,
    }
}

/// Milliseconds for `epoll_wait`, rounded up so a wait never ends early.
fn millis(timeout: Option<Duration>) -> libc::c_int {
    match timeout {
        None => -1,
        Some(t) => {
            let ms = t.as_nanos().div_ceil(1_000_000);
            libc::c_int::try_from(ms).unwrap_or(libc::c_int::MAX)
        }
    }
}

impl Driver for Backend {
    const WAKE_IS_EVENT: bool = true;

    type Stream = net::TcpStream;
    type Udp = net::UdpSocket;
    type Waker = Arc<OwnedFd>;

    fn new(capacity: usize) -> io::Result<Backend> {
        // SAFETY: plain system call with no pointers.
        let fd = cvt(unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) })?;
        Ok(Backend {
            // SAFETY: the kernel just returned this descriptor to us.
            ep: unsafe { OwnedFd::from_raw_fd(fd) },
            events: Vec::with_capacity(capacity.max(1)),
            len: 0,
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
        self.ctl(libc::EPOLL_CTL_ADD, s.as_raw_fd(), token, flags(want))
    }

    #[inline]
    fn deregister(&mut self, s: &mut net::TcpStream) -> io::Result<()> {
        self.del(s.as_raw_fd())
    }

    fn register_udp(&mut self, s: &mut net::UdpSocket, token: usize) -> io::Result<()> {
        self.ctl(libc::EPOLL_CTL_ADD, s.as_raw_fd(), token, flags(Want::Read))
    }

    fn deregister_udp(&mut self, s: &mut net::UdpSocket) -> io::Result<()> {
        self.del(s.as_raw_fd())
    }

    fn waker(&mut self, token: usize) -> io::Result<Arc<OwnedFd>> {
        let flags = libc::EFD_CLOEXEC | libc::EFD_NONBLOCK;
        // SAFETY: plain system call with no pointers.
        let fd = cvt(unsafe { libc::eventfd(0, flags) })?;
        // SAFETY: the kernel just returned this descriptor to us.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        self.ctl(libc::EPOLL_CTL_ADD, fd.as_raw_fd(), token, libc::EPOLLIN)?;
        Ok(Arc::new(fd))
    }

    #[inline]
    fn wake(waker: &Arc<OwnedFd>) -> io::Result<()> {
        let one = 1u64.to_ne_bytes();
        // SAFETY: `one` is 8 readable bytes for the duration of the call.
        let ret = unsafe { libc::write(waker.as_raw_fd(), one.as_ptr().cast(), 8) };
        if ret < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    #[inline]
    fn poll(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        self.len = 0;
        let cap = libc::c_int::try_from(self.events.capacity()).unwrap_or(libc::c_int::MAX);
        // SAFETY: the buffer has room for `cap` events and the kernel
        // writes at most that many.
        let n = unsafe {
            libc::epoll_wait(
                self.ep.as_raw_fd(),
                self.events.as_mut_ptr(),
                cap,
                millis(timeout),
            )
        };
        self.len = cvt(n)? as usize;
        Ok(())
    }

    #[inline]
    fn for_each(&self, mut f: impl FnMut(Ev)) {
        // SAFETY: the kernel initialised the first `len` entries in the
        // last `epoll_wait`.
        let events = unsafe { std::slice::from_raw_parts(self.events.as_ptr(), self.len) };
        for event in events {
            let flags = event.events as libc::c_int;
            f(Ev {
                token: event.u64 as usize,
                readable: flags & libc::EPOLLIN != 0,
            });
        }
    }
}
