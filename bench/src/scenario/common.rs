//! Sockets and non-blocking I/O steps shared by the scenarios.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::driver::{Driver, Ev};

/// The size of every message.
pub const MSG: usize = 64;

/// How long any single wait may last before a scenario gives up: a stall
/// is reported as an error, never a hang.
pub const STALL: Duration = Duration::from_secs(5);

/// The token used for wakers.
pub const WAKER: usize = usize::MAX - 1;

/// The token passed to a scenario's hook after each wait of a backend whose
/// wakes are not events (polling): "a wake may have happened".
pub const MAYBE_WOKEN: usize = usize::MAX;

/// A connected loopback TCP pair, both ends non-blocking and with Nagle's
/// algorithm off.
pub type Pair = (TcpStream, TcpStream);

/// Whether the two threads of the latency scenarios share one CPU.
static PIN: AtomicBool = AtomicBool::new(true);

/// Turns pinning off (`--no-pin`).
pub fn disable_pinning() {
    PIN.store(false, Ordering::Relaxed);
}

/// Pins the calling thread to the first CPU the process may use, when
/// pinning is on; returns whether it did.
///
/// The latency scenarios pin both of their threads to one CPU. Left to
/// the scheduler, a pair of threads that hand work back and forth lands
/// sometimes on one CPU and sometimes on two, and on a virtual machine the
/// two cases differ by a factor of two (waking an idle virtual CPU is
/// slow), which would drown the differences between backends.
pub fn pin_here() -> bool {
    pin_to(0)
}

/// Pins the calling thread to the `nth` CPU the process may use (counting
/// round), when pinning is on; returns whether it did.
pub fn pin_to(nth: usize) -> bool {
    if !PIN.load(Ordering::Relaxed) {
        return false;
    }
    // SAFETY: `cpu_set_t` is plain data for which all zeroes is valid.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    let size = std::mem::size_of::<libc::cpu_set_t>();
    // SAFETY: `set` is a writable `cpu_set_t` of `size` bytes.
    if unsafe { libc::sched_getaffinity(0, size, &mut set) } != 0 {
        return false;
    }
    // SAFETY: `set` was filled in by the kernel just above.
    let allowed: Vec<usize> = (0..libc::CPU_SETSIZE as usize)
        .filter(|&c| unsafe { libc::CPU_ISSET(c, &set) })
        .collect();
    if allowed.is_empty() {
        return false;
    }
    let cpu = allowed[nth % allowed.len()];
    // SAFETY: as above, all zeroes is a valid `cpu_set_t`.
    let mut one: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: `cpu` is below `CPU_SETSIZE`.
    unsafe { libc::CPU_SET(cpu, &mut one) };
    // SAFETY: `one` is a valid `cpu_set_t` of `size` bytes.
    unsafe { libc::sched_setaffinity(0, size, &one) == 0 }
}

/// Raises the descriptor limit to the hard limit: the scenarios hold
/// about 12,000 sockets at most.
pub fn raise_descriptor_limit() {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a valid, writable `rlimit`.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0
        || lim.rlim_cur >= lim.rlim_max
    {
        return;
    }
    lim.rlim_cur = lim.rlim_max;
    // SAFETY: `lim` is a valid `rlimit`. A failure leaves the old limit,
    // and a scenario that needs more says so when it sets up.
    unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lim) };
}

/// Fails with a clear message when the process may not open `n` more
/// descriptors than a small reserve.
pub fn ensure_descriptors(n: usize) -> io::Result<()> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a valid, writable `rlimit`.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let need = n as u64 + 256;
    if lim.rlim_cur < need {
        return Err(io::Error::other(format!(
            "needs {need} file descriptors, but RLIMIT_NOFILE is {} (raise it with ulimit -n)",
            lim.rlim_cur
        )));
    }
    Ok(())
}

/// Connects `n` loopback pairs.
pub fn pairs(n: usize) -> io::Result<Vec<Pair>> {
    ensure_descriptors(2 * n)?;
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    let addr = listener.local_addr()?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        // One at a time, so that `accept` returns this connection's peer.
        let client = TcpStream::connect(addr)?;
        let (server, _) = listener.accept()?;
        for s in [&client, &server] {
            s.set_nodelay(true)?;
            s.set_nonblocking(true)?;
        }
        out.push((client, server));
    }
    Ok(out)
}

/// Binds `n` non-blocking loopback UDP sockets.
pub fn udps(n: usize) -> io::Result<Vec<UdpSocket>> {
    ensure_descriptors(n)?;
    (0..n)
        .map(|_| {
            let s = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?;
            s.set_nonblocking(true)?;
            Ok(s)
        })
        .collect()
}

/// Writes as much of `buf` as the socket takes now; returns how much.
#[inline]
pub fn write_some(s: &mut impl Write, buf: &[u8]) -> io::Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        match s.write(&buf[done..]) {
            Ok(0) => return Err(ErrorKind::WriteZero.into()),
            Ok(n) => done += n,
            Err(e) if e.kind() == ErrorKind::WouldBlock => break,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

/// Writes all of a small message that must fit in the socket buffer.
#[inline]
pub fn write_msg(s: &mut impl Write, buf: &[u8]) -> io::Result<()> {
    if write_some(s, buf)? == buf.len() {
        Ok(())
    } else {
        Err(io::Error::other(
            "a small message did not fit in the socket buffer",
        ))
    }
}

/// Reads until `WouldBlock`, as the readiness contract asks; returns the
/// bytes read and whether the peer closed. `seen` is called with every
/// chunk.
#[inline]
pub fn drain(
    s: &mut impl Read,
    buf: &mut [u8],
    mut seen: impl FnMut(&[u8]),
) -> io::Result<(usize, bool)> {
    let mut total = 0;
    loop {
        match s.read(buf) {
            Ok(0) => return Ok((total, true)),
            Ok(n) => {
                total += n;
                seen(&buf[..n]);
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok((total, false)),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Polls until `want` bytes have been read from `s`, registered as
/// `token`. Events for other tokens go to `other`; with a backend whose
/// wakes are not events, `other` also gets [`MAYBE_WOKEN`] after each wait.
#[inline]
pub fn await_read<D: Driver>(
    d: &mut D,
    s: &mut D::Stream,
    token: usize,
    want: usize,
    buf: &mut [u8],
    mut other: impl FnMut(Ev),
) -> io::Result<()> {
    let mut got = 0;
    let mut since = None;
    loop {
        d.poll(Some(STALL))?;
        let mut ready = false;
        d.for_each(|e| {
            if e.token == token {
                ready |= e.readable;
            } else {
                other(e);
            }
        });
        if !D::WAKE_IS_EVENT {
            other(Ev {
                token: MAYBE_WOKEN,
                readable: false,
            });
        }

        if ready {
            let (n, closed) = drain(s, buf, |_| {})?;
            got += n;
            if got >= want {
                return Ok(());
            }
            if closed {
                return Err(ErrorKind::UnexpectedEof.into());
            }
        }
        stall_check(&mut since)?;
    }
}

/// Fails once [`STALL`] has passed since the first call with this `since`.
pub fn stall_check(since: &mut Option<Instant>) -> io::Result<()> {
    let start = *since.get_or_insert_with(Instant::now);
    if start.elapsed() > STALL {
        Err(io::Error::new(
            ErrorKind::TimedOut,
            "scenario stalled: no progress in 5 s",
        ))
    } else {
        Ok(())
    }
}

/// One round trip inside one loop: `a` sends a message that `b` echoes.
/// Both ends are registered with `d` as tokens 0 (`a`) and 1 (`b`).
#[inline]
pub fn local_round_trip<D: Driver>(
    d: &mut D,
    a: &mut D::Stream,
    b: &mut D::Stream,
    buf: &mut [u8],
    mut other: impl FnMut(Ev),
) -> io::Result<()> {
    let msg = [7u8; MSG];
    write_msg(a, &msg)?;
    await_read(d, b, 1, MSG, buf, &mut other)?;
    write_msg(b, &msg)?;
    await_read(d, a, 0, MSG, buf, &mut other)
}
