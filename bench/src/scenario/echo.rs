//! Scenario 2: echo throughput over many connections.
//!
//! A client thread keeps `DEPTH` 64-byte messages in flight on every
//! connection (pipelined: it writes a message's worth for each one that
//! comes back), and a server thread echoes whatever it reads. Both threads
//! run a driver of the backend under test with every connection registered
//! for reading and writing, and handle short writes by waiting for a
//! writable event.

use std::io::{self, Read};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use super::common::{self, Pair, MSG};
use super::{dispatch, per, BackendId, Better, Budget, Metric, Scenario};
use crate::driver::{Driver, Want};
use crate::measure::{Counts, Span};

/// Messages in flight per connection.
const DEPTH: usize = 16;

/// How long the server waits before looking at its stop flag.
const TICK: Duration = Duration::from_millis(5);

pub struct Echo {
    conns: usize,
    pairs: Vec<Pair>,
}

impl Echo {
    pub fn new(conns: usize) -> Echo {
        Echo {
            conns,
            pairs: Vec::new(),
        }
    }
}

/// The server's view of one connection.
struct Served<S> {
    s: S,
    /// Read but not yet written back.
    pending: Vec<u8>,
}

fn serve<D: Driver>(
    streams: Vec<TcpStream>,
    barrier: &Barrier,
    stop: &AtomicBool,
) -> io::Result<(Counts, Vec<TcpStream>)> {
    let mut d = D::new(1024)?;
    let mut conns = Vec::with_capacity(streams.len());
    for (i, s) in streams.into_iter().enumerate() {
        let mut s = D::stream(s);
        d.register(&mut s, i, Want::Both)?;
        conns.push(Served {
            s,
            pending: Vec::with_capacity(DEPTH * MSG * 4),
        });
    }
    let mut scratch = vec![0u8; 64 * 1024];
    barrier.wait();

    let span = Span::start();
    let mut result = Ok(());
    while !stop.load(Ordering::Acquire) {
        d.poll(Some(TICK))?;
        d.for_each(|e| {
            if result.is_ok() {
                result = serve_one(&mut conns[e.token], &mut scratch);
            }
        });
        std::mem::replace(&mut result, Ok(()))?;
    }
    let counts = span.stop();

    let mut back = Vec::with_capacity(conns.len());
    for mut c in conns {
        d.deregister(&mut c.s)?;
        back.push(D::unstream(c.s));
    }
    Ok((counts, back))
}

/// Flushes what is pending, then echoes until reading or writing blocks.
fn serve_one<S: Read + io::Write>(c: &mut Served<S>, scratch: &mut [u8]) -> io::Result<()> {
    loop {
        if !c.pending.is_empty() {
            let n = common::write_some(&mut c.s, &c.pending)?;
            c.pending.drain(..n);
            if !c.pending.is_empty() {
                // Blocked: the writable event brings us back.
                return Ok(());
            }
        }

        let n = match c.s.read(scratch) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let written = common::write_some(&mut c.s, &scratch[..n])?;
        c.pending.extend_from_slice(&scratch[written..n]);
    }
}

/// The client's view of one connection.
struct Client<S> {
    s: S,
    /// Bytes the client still means to write.
    owed: usize,
    /// Bytes written and not yet echoed back.
    in_flight: usize,
}

/// Runs the client until `limit`, then lets every connection drain.
fn client<D: Driver>(
    streams: Vec<TcpStream>,
    barrier: &Barrier,
    limit: Duration,
) -> io::Result<(u64, Duration, Counts, Vec<TcpStream>)> {
    let mut d = D::new(1024)?;
    let mut conns = Vec::with_capacity(streams.len());
    for (i, s) in streams.into_iter().enumerate() {
        let mut s = D::stream(s);
        d.register(&mut s, i, Want::Both)?;
        conns.push(Client {
            s,
            owed: DEPTH * MSG,
            in_flight: 0,
        });
    }
    let zeros = [0u8; DEPTH * MSG];
    let mut scratch = vec![0u8; 64 * 1024];
    barrier.wait();

    let span = Span::start();
    let start = Instant::now();
    let mut received = 0u64;
    let mut result = Ok(());
    for c in &mut conns {
        flush(c, &zeros)?;
    }
    while start.elapsed() < limit {
        d.poll(Some(common::STALL))?;
        d.for_each(|e| {
            if result.is_ok() {
                result = client_one(&mut conns[e.token], &zeros, &mut scratch, true)
                    .map(|n| received += n as u64);
            }
        });
        std::mem::replace(&mut result, Ok(()))?;
    }
    let elapsed = start.elapsed();
    let counts = span.stop();

    // Stop writing and take every echo back, so the connections are empty
    // for the next run.
    for c in &mut conns {
        c.owed = 0;
    }
    let mut since = None;
    while conns.iter().any(|c| c.in_flight > 0) {
        d.poll(Some(common::STALL))?;
        d.for_each(|e| {
            if result.is_ok() {
                result = client_one(&mut conns[e.token], &zeros, &mut scratch, false).map(drop);
            }
        });
        std::mem::replace(&mut result, Ok(()))?;
        common::stall_check(&mut since)?;
    }

    let mut back = Vec::with_capacity(conns.len());
    for mut c in conns {
        d.deregister(&mut c.s)?;
        back.push(D::unstream(c.s));
    }
    Ok((received / MSG as u64, elapsed, counts, back))
}

/// Writes what is owed, as far as the socket takes it.
fn flush<S: io::Write>(c: &mut Client<S>, zeros: &[u8]) -> io::Result<()> {
    while c.owed > 0 {
        let want = c.owed.min(zeros.len());
        let n = common::write_some(&mut c.s, &zeros[..want])?;
        c.owed -= n;
        c.in_flight += n;
        if n < want {
            break;
        }
    }
    Ok(())
}

/// Reads echoes, owing as many bytes again if `refill`; returns the bytes
/// read.
fn client_one<S: Read + io::Write>(
    c: &mut Client<S>,
    zeros: &[u8],
    scratch: &mut [u8],
    refill: bool,
) -> io::Result<usize> {
    let (n, closed) = common::drain(&mut c.s, scratch, |_| {})?;
    if closed {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    c.in_flight -= n;
    if refill {
        c.owed += n;
    }
    flush(c, zeros)?;
    Ok(n)
}

impl Echo {
    fn go<D: Driver>(&mut self, budget: &Budget) -> io::Result<Vec<f64>> {
        let (clients, servers): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.pairs).into_iter().unzip();
        let barrier = Arc::new(Barrier::new(2));
        let stop = Arc::new(AtomicBool::new(false));
        let server = {
            let (barrier, stop) = (Arc::clone(&barrier), Arc::clone(&stop));
            thread::spawn(move || serve::<D>(servers, &barrier, &stop))
        };

        let result = client::<D>(clients, &barrier, budget.slice);
        stop.store(true, Ordering::Release);
        let served = server
            .join()
            .map_err(|_| io::Error::other("echo server panicked"))?;
        let (messages, elapsed, counts, clients) = result?;
        let (server_counts, servers) = served?;
        self.pairs = clients.into_iter().zip(servers).collect();

        let counts = counts.add(server_counts);
        Ok(vec![
            messages as f64 / elapsed.as_secs_f64(),
            per(counts.syscalls, messages),
        ])
    }
}

impl Scenario for Echo {
    fn title(&self) -> String {
        format!(
            "2 echo throughput ({} connections, {DEPTH} pipelined 64-byte messages each)",
            self.conns
        )
    }

    fn metrics(&self) -> Vec<Metric> {
        let n = self.conns;
        vec![
            Metric::timed(
                &format!("echo{n}_rate"),
                &format!("echo, {n} connections"),
                "msg/s",
                Better::Higher,
            ),
            // Not exact: how many messages one read picks up depends on
            // timing.
            Metric::timed(
                &format!("echo{n}_syscalls"),
                &format!("echo, {n} connections: system calls per message"),
                "calls",
                Better::Lower,
            ),
        ]
    }

    fn setup(&mut self) -> io::Result<()> {
        self.pairs = common::pairs(self.conns)?;
        Ok(())
    }

    fn run(&mut self, backend: BackendId, budget: &Budget) -> io::Result<Vec<f64>> {
        dispatch!(backend, D => self.go::<D>(budget))
    }
}
