//! Scenario 7: wakes while the loop is busy.
//!
//! The loop thread runs back-to-back round trips over a TCP pair
//! registered with its own driver (as in scenario 5), so it is always
//! handling socket events. Meanwhile `WAKERS` threads call the driver's
//! wake in a tight loop. Reported: wake calls per second (all waker
//! threads together), system calls per wake (counted on the waker threads
//! only), and the loop's own round trips per second while being woken.
//!
//! The loop thread is pinned to one CPU and the waker threads to another
//! (on a machine with one CPU, all share it), so that every backend runs
//! with the same placement.
//!
//! Every wake must still be followed by a waker event: before its last
//! wake each waker thread raises a flag, and the loop, whenever it sees a
//! waker event, checks whether all flags are up. A run in which the loop
//! never sees a waker event after the last wakes fails. On polling, whose
//! wakes are not events, any return from the wait counts as the event.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use super::common::{self, Pair, MAYBE_WOKEN, WAKER};
use super::{dispatch, per, BackendId, Better, Budget, Metric, Scenario};
use crate::driver::{Driver, Want};
use crate::measure::{Counts, Span};

/// Threads calling wake.
pub const WAKERS: usize = 2;

/// How long the loop may take to report the last wakes.
const LAST_WAKE: Duration = Duration::from_secs(2);

#[derive(Default)]
pub struct Busy {
    pair: Option<Pair>,
}

/// What the loop thread reports.
struct LoopOut {
    trips: u64,
    elapsed: Duration,
    wake_events: u64,
    pair: Pair,
}

fn busy_loop<D: Driver>(
    pair: Pair,
    waker_tx: mpsc::Sender<D::Waker>,
    barrier: &Barrier,
    stop: &AtomicBool,
    last: &[AtomicBool; WAKERS],
) -> io::Result<LoopOut> {
    let mut d = D::new(256)?;
    let mut a = D::stream(pair.0);
    let mut b = D::stream(pair.1);
    d.register(&mut a, 0, Want::Read)?;
    d.register(&mut b, 1, Want::Read)?;
    let waker = d.waker(WAKER)?;
    for _ in 0..WAKERS {
        waker_tx.send(waker.clone()).map_err(io::Error::other)?;
    }
    let mut buf = [0u8; 4096];
    barrier.wait();

    let start = Instant::now();
    let mut trips = 0u64;
    let mut wake_events = 0u64;
    let mut seen_last = false;
    let mut stopped_at = None;
    let result = loop {
        let step = common::local_round_trip(&mut d, &mut a, &mut b, &mut buf, |e| {
            if e.token == WAKER || e.token == MAYBE_WOKEN {
                wake_events += u64::from(e.token == WAKER);
                seen_last |= last.iter().all(|f| f.load(Ordering::Acquire));
            }
        });
        if let Err(e) = step {
            break Err(e);
        }
        trips += 1;

        if stop.load(Ordering::Acquire) {
            // Round trips and time are counted up to the stop; what runs
            // after it only waits for the last waker event.
            let (at, _) = *stopped_at.get_or_insert_with(|| (Instant::now(), trips));
            if seen_last {
                break Ok(());
            }
            if at.elapsed() > LAST_WAKE {
                break Err(io::Error::other(
                    "lost wake: no waker event after the last Waker::wake",
                ));
            }
        }
    };
    let (end, trips) = stopped_at.unwrap_or_else(|| (Instant::now(), trips));
    let elapsed = end - start;

    d.deregister(&mut a)?;
    d.deregister(&mut b)?;
    result?;
    Ok(LoopOut {
        trips,
        elapsed,
        wake_events,
        pair: (D::unstream(a), D::unstream(b)),
    })
}

fn waker_thread<D: Driver>(
    waker: D::Waker,
    barrier: &Barrier,
    limit: Duration,
    last: &AtomicBool,
) -> io::Result<(u64, Duration, Counts)> {
    barrier.wait();
    let span = Span::start();
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < limit {
        for _ in 0..64 {
            D::wake(&waker)?;
        }
        n += 64;
    }

    // The last wake, announced first so the loop can tell it was seen.
    last.store(true, Ordering::Release);
    D::wake(&waker)?;
    n += 1;
    let elapsed = start.elapsed();
    Ok((n, elapsed, span.stop()))
}

impl Busy {
    fn go<D: Driver>(&mut self, budget: &Budget) -> io::Result<Vec<f64>> {
        let pair = self
            .pair
            .take()
            .ok_or_else(|| io::Error::other("lost the pair"))?;
        let barrier = Arc::new(Barrier::new(WAKERS + 1));
        let stop = Arc::new(AtomicBool::new(false));
        let last: Arc<[AtomicBool; WAKERS]> = Arc::new(Default::default());
        let (tx, rx) = mpsc::channel();

        let looper = {
            let (barrier, stop, last) =
                (Arc::clone(&barrier), Arc::clone(&stop), Arc::clone(&last));
            thread::spawn(move || {
                common::pin_to(0);
                busy_loop::<D>(pair, tx, &barrier, &stop, &last)
            })
        };
        let mut wakers = Vec::new();
        for i in 0..WAKERS {
            let Ok(waker) = rx.recv() else {
                break;
            };
            let (barrier, last) = (Arc::clone(&barrier), Arc::clone(&last));
            let limit = budget.slice;
            wakers.push(thread::spawn(move || {
                common::pin_to(1);
                waker_thread::<D>(waker, &barrier, limit, &last[i])
            }));
        }

        let mut wakes = 0u64;
        let mut rate = 0.0;
        let mut counts = Counts {
            syscalls: Some(0),
            instructions: Some(0),
            allocs: 0,
        };
        let mut failed = None;
        for w in wakers {
            match w
                .join()
                .map_err(|_| io::Error::other("waker thread panicked"))?
            {
                Ok((n, elapsed, c)) => {
                    wakes += n;
                    rate += n as f64 / elapsed.as_secs_f64();
                    counts = counts.add(c);
                }
                Err(e) => failed = Some(e),
            }
        }
        if failed.is_some() {
            // The loop waits for flags that will not all come up.
            for f in last.iter() {
                f.store(true, Ordering::Release);
            }
        }
        stop.store(true, Ordering::Release);
        let out = looper
            .join()
            .map_err(|_| io::Error::other("busy loop panicked"))??;
        self.pair = Some(out.pair);
        if let Some(e) = failed {
            return Err(e);
        }

        Ok(vec![
            rate,
            per(counts.syscalls, wakes),
            out.trips as f64 / out.elapsed.as_secs_f64(),
            out.wake_events as f64,
        ])
    }
}

impl Scenario for Busy {
    fn title(&self) -> String {
        format!("7 wakes while busy ({WAKERS} threads calling wake, loop handling socket events)")
    }

    fn metrics(&self) -> Vec<Metric> {
        vec![
            Metric::timed(
                "busy_wakes",
                "wake calls while the loop is busy",
                "wakes/s",
                Better::Higher,
            ),
            Metric::timed(
                "busy_syscalls",
                "system calls per wake",
                "calls",
                Better::Lower,
            ),
            Metric::timed(
                "busy_loop",
                "loop round trips while being woken",
                "rt/s",
                Better::Higher,
            ),
            Metric::info("busy_events", "waker events seen by the loop", "events"),
        ]
    }

    fn setup(&mut self) -> io::Result<()> {
        self.pair = common::pairs(1)?.pop();
        Ok(())
    }

    fn run(&mut self, backend: BackendId, budget: &Budget) -> io::Result<Vec<f64>> {
        dispatch!(backend, D => self.go::<D>(budget))
    }
}
