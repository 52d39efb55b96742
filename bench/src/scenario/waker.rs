//! Scenario 3: waker round trip between two threads.
//!
//! Two threads, each with its own driver and waker. Thread A bumps a
//! sequence number and wakes B; B, once woken and seeing the new number,
//! echoes it back and wakes A. Each side waits in its driver, so every
//! round trip is two wakes of a blocked wait. The sequence numbers make
//! the protocol the same for every backend; on backends whose wakes are
//! events, a side also waits for the waker's event before looking.

use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::{Duration, Instant};

use super::common::{self, MAYBE_WOKEN, WAKER};
use super::{dispatch, per, BackendId, Better, Budget, Metric, Scenario};
use crate::driver::Driver;
use crate::measure::{Counts, Span};

/// The value that tells B to stop.
const DONE: u64 = u64::MAX;

pub struct WakerRoundTrip;

/// Waits in `d` until `seq` holds at least `want`; returns what it holds.
fn wait_for<D: Driver>(d: &mut D, seq: &AtomicU64, want: u64) -> io::Result<u64> {
    let mut since = None;
    loop {
        // A wake-up is always followed by an event (or by the wait
        // returning, on polling); only then is the number looked at.
        d.poll(Some(common::STALL))?;
        let mut woken = !D::WAKE_IS_EVENT;
        d.for_each(|e| woken |= e.token == WAKER || e.token == MAYBE_WOKEN);
        if woken {
            let now = seq.load(Ordering::Acquire);
            if now >= want {
                return Ok(now);
            }
        }
        common::stall_check(&mut since)?;
    }
}

impl WakerRoundTrip {
    fn go<D: Driver>(&mut self, budget: &Budget) -> io::Result<Vec<f64>> {
        let to_b = Arc::new(AtomicU64::new(0));
        let to_a = Arc::new(AtomicU64::new(0));
        let (tx, rx) = mpsc::channel();
        let (back_tx, back_rx) = mpsc::channel();

        // Thread B: created first, hands its waker over, then echoes.
        let b = {
            let (to_b, to_a) = (Arc::clone(&to_b), Arc::clone(&to_a));
            thread::spawn(move || -> io::Result<Counts> {
                common::pin_here();
                let mut d = D::new(16)?;
                // The waker stays alive here as well: with some backends,
                // dropping the last handle closes the descriptor and
                // takes a wake that is not yet reported with it.
                let own = d.waker(WAKER)?;
                tx.send(own.clone()).map_err(io::Error::other)?;
                let wake_a: D::Waker = back_rx.recv().map_err(io::Error::other)?;
                let span = Span::start();
                let mut want = 1;
                loop {
                    let seq = wait_for(&mut d, &to_b, want)?;
                    if seq == DONE {
                        break;
                    }
                    to_a.store(seq, Ordering::Release);
                    D::wake(&wake_a)?;
                    want = seq + 1;
                }
                let counts = span.stop();
                drop(own);
                Ok(counts)
            })
        };

        // Thread A: the one that measures.
        let a = {
            let (to_b, to_a) = (Arc::clone(&to_b), Arc::clone(&to_a));
            let budget = *budget;
            thread::spawn(move || {
                common::pin_here();
                side_a::<D>(&to_b, &to_a, rx, back_tx, &budget)
            })
        };
        let result = a
            .join()
            .map_err(|_| io::Error::other("waker thread panicked"))?;
        if result.is_err() {
            // Let B finish instead of waiting out its stall timer.
            to_b.store(DONE, Ordering::Release);
        }

        let b_counts = b
            .join()
            .map_err(|_| io::Error::other("waker thread panicked"))?;
        let (n, elapsed, counts) = result?;
        let counts = counts.add(b_counts?);
        Ok(vec![
            elapsed.as_nanos() as f64 / n as f64,
            per(counts.syscalls, n),
        ])
    }
}

/// Thread A of the round trip: bumps B's number, wakes B, waits for the
/// echo; returns round trips, time and counts.
fn side_a<D: Driver>(
    to_b: &AtomicU64,
    to_a: &AtomicU64,
    rx: mpsc::Receiver<D::Waker>,
    back_tx: mpsc::Sender<D::Waker>,
    budget: &Budget,
) -> io::Result<(u64, Duration, Counts)> {
    let mut d = D::new(16)?;
    let wake_b: D::Waker = rx.recv().map_err(io::Error::other)?;
    let own = d.waker(WAKER)?;
    back_tx.send(own.clone()).map_err(io::Error::other)?;
    let span = Span::start();
    let start = Instant::now();
    let mut n = 0;
    while n < budget.max_iterations && start.elapsed() < budget.slice {
        n += 1;
        to_b.store(n, Ordering::Release);
        D::wake(&wake_b)?;
        wait_for(&mut d, to_a, n)?;
    }
    let elapsed = start.elapsed();
    let counts = span.stop();
    to_b.store(DONE, Ordering::Release);
    D::wake(&wake_b)?;
    drop(own);
    Ok((n, elapsed, counts))
}

impl Scenario for WakerRoundTrip {
    fn title(&self) -> String {
        "3 waker round trip between two threads".to_string()
    }

    fn metrics(&self) -> Vec<Metric> {
        vec![
            Metric::timed("waker_rtt", "waker round trip", "ns", Better::Lower),
            // Whether a wake finds the other side blocked depends on
            // timing, so this count is not exact.
            Metric::timed(
                "waker_syscalls",
                "system calls per waker round trip",
                "calls",
                Better::Lower,
            ),
        ]
    }

    fn setup(&mut self) -> io::Result<()> {
        Ok(())
    }

    fn run(&mut self, backend: BackendId, budget: &Budget) -> io::Result<Vec<f64>> {
        dispatch!(backend, D => self.go::<D>(budget))
    }
}
