//! Scenario 1 (and the counts of scenario 8): ping-pong latency.
//!
//! One loopback TCP connection; a client thread and a server thread, each
//! with its own driver of the backend under test. The client sends a
//! 64-byte message and waits for the server's echo before sending the
//! next. Both threads count their system calls, instructions (where the
//! machine has a counter) and allocations over the measured loop.

use std::io;
use std::net::TcpStream;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use super::common::{self, Pair, MSG};
use super::{dispatch, per, BackendId, Budget, Metric, Scenario, COUNTS};
use crate::driver::{Driver, Want};
use crate::measure::{Counts, Span};
use crate::stats;

/// The first byte of the message that ends the server's loop.
const STOP: u8 = 0xff;

/// What one ping-pong run measured.
pub struct Outcome {
    pub round_trips: u64,
    pub elapsed: Duration,
    /// Nanoseconds per round trip, when sampled.
    pub samples: Vec<u32>,
    /// Client and server together.
    pub counts: Counts,
    pub pair: Pair,
}

/// Runs ping-pong on `pair` for at most `iterations` round trips and, if
/// given, at most `limit` time. With `sample`, each round trip is timed.
pub fn run<D: Driver>(
    pair: Pair,
    iterations: u64,
    limit: Option<Duration>,
    sample: bool,
) -> io::Result<Outcome> {
    let (client, server) = pair;
    let barrier = Arc::new(Barrier::new(2));
    let server = {
        let barrier = Arc::clone(&barrier);
        thread::spawn(move || {
            common::pin_here();
            serve::<D>(server, &barrier)
        })
    };
    let client = {
        let barrier = Arc::clone(&barrier);
        thread::spawn(move || {
            common::pin_here();
            client_loop::<D>(client, &barrier, iterations, limit, sample)
        })
    };

    let result = client
        .join()
        .map_err(|_| io::Error::other("ping-pong client panicked"))?;
    let served = server
        .join()
        .map_err(|_| io::Error::other("ping-pong server panicked"));
    let (round_trips, elapsed, samples, counts, client) = result?;
    let (server_counts, server) = served??;
    Ok(Outcome {
        round_trips,
        elapsed,
        samples,
        counts: counts.add(server_counts),
        pair: (client, server),
    })
}

type ClientResult = (u64, Duration, Vec<u32>, Counts, TcpStream);

fn client_loop<D: Driver>(
    client: TcpStream,
    barrier: &Barrier,
    iterations: u64,
    limit: Option<Duration>,
    sample: bool,
) -> io::Result<ClientResult> {
    let mut d = D::new(64)?;
    let mut s = D::stream(client);
    d.register(&mut s, 0, Want::Read)?;
    let mut buf = [0u8; 4096];
    let mut msg = [1u8; MSG];
    // Samples are stored without growing the vector inside the loop.
    let iterations = if sample {
        iterations.min(1 << 20)
    } else {
        iterations
    };
    let mut samples = Vec::with_capacity(if sample { iterations as usize } else { 0 });
    barrier.wait();

    let span = Span::start();
    let start = Instant::now();
    let mut done = 0;
    while done < iterations {
        let t0 = sample.then(Instant::now);
        common::write_msg(&mut s, &msg)?;
        common::await_read(&mut d, &mut s, 0, MSG, &mut buf, |_| {})?;
        if let Some(t0) = t0 {
            samples.push(t0.elapsed().as_nanos().min(u32::MAX as u128) as u32);
        }
        done += 1;

        // Looking at the clock every 64 round trips keeps it off the
        // counted path when not sampling.
        if let Some(limit) = limit {
            if done % 64 == 0 && start.elapsed() >= limit {
                break;
            }
        }
    }
    let elapsed = start.elapsed();
    let counts = span.stop();

    // Tell the server to stop, and take its last echo so the connection
    // is clean for the next run.
    msg[0] = STOP;
    common::write_msg(&mut s, &msg)?;
    common::await_read(&mut d, &mut s, 0, MSG, &mut buf, |_| {})?;
    d.deregister(&mut s)?;
    Ok((done, elapsed, samples, counts, D::unstream(s)))
}

fn serve<D: Driver>(server: TcpStream, barrier: &Barrier) -> io::Result<(Counts, TcpStream)> {
    let mut d = D::new(64)?;
    let mut s = D::stream(server);
    d.register(&mut s, 1, Want::Read)?;
    let mut buf = [0u8; 4096];
    let mut echo = [0u8; 4 * MSG];
    barrier.wait();

    let span = Span::start();
    // Bytes of the current message already seen, to find message starts.
    let mut offset = 0;
    let mut stop = false;
    let mut since = None;
    while !stop {
        d.poll(Some(common::STALL))?;
        let mut ready = false;
        d.for_each(|e| ready |= e.token == 1 && e.readable);
        if !ready {
            common::stall_check(&mut since)?;
            continue;
        }
        since = None;

        // Read everything there is, then echo it in one write. The client
        // has one message in flight, so this is one message.
        let mut len = 0;
        let mut overflow = false;
        let (n, closed) = common::drain(&mut s, &mut buf, |chunk| {
            let mut at = 0;
            while at < chunk.len() {
                stop |= offset == 0 && chunk[at] == STOP;
                let step = (MSG - offset).min(chunk.len() - at);
                offset = (offset + step) % MSG;
                at += step;
            }
            overflow |= len + chunk.len() > echo.len();
            if !overflow {
                echo[len..len + chunk.len()].copy_from_slice(chunk);
                len += chunk.len();
            }
        })?;
        if overflow {
            return Err(io::Error::other("the client sent more than it may"));
        }
        if n > 0 {
            common::write_msg(&mut s, &echo[..len])?;
        }
        if closed {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
    }
    let counts = span.stop();
    d.deregister(&mut s)?;
    Ok((counts, D::unstream(s)))
}

/// The scenario: latency percentiles and per-round-trip counts.
#[derive(Default)]
pub struct PingPong {
    pair: Option<Pair>,
}

impl Scenario for PingPong {
    fn title(&self) -> String {
        "1 ping-pong latency (1 TCP connection, 64-byte messages, 2 threads)".to_string()
    }

    fn metrics(&self) -> Vec<Metric> {
        use super::Better::Lower;
        vec![
            Metric::timed("pingpong_p50", "ping-pong median round trip", "ns", Lower),
            Metric::timed("pingpong_p99", "ping-pong p99 round trip", "ns", Lower),
            // How often a wait finds data already there depends on timing,
            // so even this count has a little noise.
            Metric::timed(
                "pingpong_syscalls",
                "system calls per round trip",
                "calls",
                Lower,
            )
            .in_section(COUNTS),
            Metric::count("pingpong_allocs", "allocations per round trip", "allocs")
                .in_section(COUNTS),
            Metric::count(
                "pingpong_instructions",
                "user-space instructions per round trip (perf)",
                "instr",
            )
            .in_section(COUNTS),
        ]
    }

    fn setup(&mut self) -> io::Result<()> {
        self.pair = common::pairs(1)?.pop();
        Ok(())
    }

    fn run(&mut self, backend: BackendId, budget: &Budget) -> io::Result<Vec<f64>> {
        let pair = self
            .pair
            .take()
            .ok_or_else(|| io::Error::other("lost the pair"))?;
        let out = dispatch!(backend, D => run::<D>(pair, budget.max_iterations, Some(budget.slice), true))?;
        self.pair = Some(out.pair);

        let mut samples = out.samples;
        samples.sort_unstable();
        let rt = out.round_trips;
        Ok(vec![
            stats::percentile_sorted(&samples, 0.50),
            stats::percentile_sorted(&samples, 0.99),
            per(out.counts.syscalls, rt),
            per(Some(out.counts.allocs), rt),
            per(out.counts.instructions, rt),
        ])
    }
}
