//! Scenario 4: registration churn.
//!
//! One driver and a set of connected TCP streams. Each step registers
//! every stream for reading and writing, then deregisters every stream;
//! the figure is register + deregister pairs per second.

use std::io;
use std::time::Instant;

use super::common::{self, Pair};
use super::{dispatch, per, BackendId, Better, Budget, Metric, Scenario};
use crate::driver::{Driver, Want};
use crate::measure::Span;

/// Streams registered per step.
const STREAMS: usize = 64;

#[derive(Default)]
pub struct Churn {
    pairs: Vec<Pair>,
}

impl Churn {
    fn go<D: Driver>(&mut self, budget: &Budget) -> io::Result<Vec<f64>> {
        let mut d = D::new(64)?;
        let mut streams: Vec<D::Stream> = Vec::with_capacity(self.pairs.len());
        let mut peers = Vec::with_capacity(self.pairs.len());
        for (client, server) in self.pairs.drain(..) {
            streams.push(D::stream(client));
            peers.push(server);
        }

        let span = Span::start();
        let start = Instant::now();
        let mut pairs = 0u64;
        let result = (|| {
            while pairs < budget.max_iterations && start.elapsed() < budget.slice {
                for (i, s) in streams.iter_mut().enumerate() {
                    d.register(s, i, Want::Both)?;
                }
                for s in streams.iter_mut() {
                    d.deregister(s)?;
                }
                pairs += streams.len() as u64;
            }
            Ok::<_, io::Error>(())
        })();
        let elapsed = start.elapsed();
        let counts = span.stop();

        self.pairs = streams.into_iter().map(D::unstream).zip(peers).collect();
        result?;
        Ok(vec![
            pairs as f64 / elapsed.as_secs_f64(),
            per(counts.syscalls, pairs),
            per(Some(counts.allocs), pairs),
        ])
    }
}

impl Scenario for Churn {
    fn title(&self) -> String {
        format!("4 registration churn (register + deregister, {STREAMS} TCP streams)")
    }

    fn metrics(&self) -> Vec<Metric> {
        vec![
            Metric::timed(
                "churn_rate",
                "register + deregister pairs",
                "pairs/s",
                Better::Higher,
            ),
            Metric::timed(
                "churn_syscalls",
                "system calls per pair",
                "calls",
                Better::Lower,
            ),
            Metric::count("churn_allocs", "allocations per pair", "allocs"),
        ]
    }

    fn setup(&mut self) -> io::Result<()> {
        self.pairs = common::pairs(STREAMS)?;
        Ok(())
    }

    fn run(&mut self, backend: BackendId, budget: &Budget) -> io::Result<Vec<f64>> {
        dispatch!(backend, D => self.go::<D>(budget))
    }
}
