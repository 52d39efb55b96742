//! Scenario 5: idle scaling.
//!
//! One driver with N idle UDP sockets registered for reading, beside one
//! active TCP pair whose both ends are registered with the same driver.
//! A single thread runs round trips over the pair (write on one end, wait,
//! read and answer on the other, wait, read), so the figure is the loop's
//! own cost per round trip, without thread hand-offs. With an O(ready)
//! selector it must not grow with N.

use std::io;
use std::net::UdpSocket;
use std::time::Instant;

use super::common::{self, Pair};
use super::{dispatch, per, BackendId, Better, Budget, Metric, Scenario};
use crate::driver::{Driver, Want};
use crate::measure::Span;

/// The idle counts measured.
pub const SIZES: [usize; 3] = [10, 1_000, 10_000];

#[derive(Default)]
pub struct Idle {
    idle: Vec<UdpSocket>,
    pair: Option<Pair>,
}

/// Runs local round trips with `n` idle sockets registered; returns ns per
/// round trip and system calls per round trip.
fn measure<D: Driver>(
    idle: &mut Vec<UdpSocket>,
    pair: Pair,
    n: usize,
    budget: &Budget,
) -> (io::Result<(f64, f64)>, Pair) {
    let mut d = match D::new(256) {
        Ok(d) => d,
        Err(e) => return (Err(e), pair),
    };
    let mut a = D::stream(pair.0);
    let mut b = D::stream(pair.1);
    let mut sockets: Vec<D::Udp> = idle.drain(..n).map(D::udp).collect();

    let result = (|| {
        d.register(&mut a, 0, Want::Read)?;
        d.register(&mut b, 1, Want::Read)?;
        for (i, s) in sockets.iter_mut().enumerate() {
            d.register_udp(s, 2 + i)?;
        }

        let mut buf = [0u8; 4096];
        let span = Span::start();
        let start = Instant::now();
        let mut trips = 0u64;
        while trips < budget.max_iterations && start.elapsed() < budget.slice {
            for _ in 0..16 {
                common::local_round_trip(&mut d, &mut a, &mut b, &mut buf, |_| {})?;
            }
            trips += 16;
        }
        let elapsed = start.elapsed();
        let counts = span.stop();

        for s in sockets.iter_mut() {
            d.deregister_udp(s)?;
        }
        d.deregister(&mut a)?;
        d.deregister(&mut b)?;
        Ok((
            elapsed.as_nanos() as f64 / trips as f64,
            per(counts.syscalls, trips),
        ))
    })();

    // Idle sockets go back in front, in their old order.
    let back: Vec<UdpSocket> = sockets.into_iter().map(D::unudp).collect();
    idle.splice(0..0, back);
    (result, (D::unstream(a), D::unstream(b)))
}

impl Idle {
    fn go<D: Driver>(&mut self, budget: &Budget) -> io::Result<Vec<f64>> {
        let mut out = Vec::new();
        let mut syscalls = Vec::new();
        for n in SIZES {
            let pair = self
                .pair
                .take()
                .ok_or_else(|| io::Error::other("lost the pair"))?;
            let (result, pair) = measure::<D>(&mut self.idle, pair, n, budget);
            self.pair = Some(pair);
            let (ns, calls) = result?;
            out.push(ns);
            syscalls.push(calls);
        }

        // Growth from the smallest to the largest idle set.
        out.push(out[SIZES.len() - 1] / out[0]);
        out.push(syscalls[SIZES.len() - 1]);
        Ok(out)
    }
}

impl Scenario for Idle {
    fn title(&self) -> String {
        "5 idle scaling (one active pair in one loop beside N idle sockets)".to_string()
    }

    fn metrics(&self) -> Vec<Metric> {
        let mut m: Vec<Metric> = SIZES
            .iter()
            .map(|n| {
                Metric::timed(
                    &format!("idle{n}_rtt"),
                    &format!("round trip with {n} idle sockets"),
                    "ns",
                    Better::Lower,
                )
            })
            .collect();
        m.push(Metric::timed(
            "idle_growth",
            "round trip at 10,000 idle / at 10 idle",
            "x",
            Better::Lower,
        ));
        m.push(Metric::timed(
            "idle_syscalls",
            "system calls per in-loop round trip",
            "calls",
            Better::Lower,
        ));
        m
    }

    fn setup(&mut self) -> io::Result<()> {
        self.idle = common::udps(SIZES[SIZES.len() - 1])?;
        self.pair = common::pairs(1)?.pop();
        Ok(())
    }

    fn run(&mut self, backend: BackendId, budget: &Budget) -> io::Result<Vec<f64>> {
        dispatch!(backend, D => self.go::<D>(budget))
    }
}
