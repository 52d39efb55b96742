//! The scenarios, each written once and run over every backend.

use std::io;
use std::time::Duration;

pub mod busy;
pub mod churn;
pub mod common;
pub mod echo;
pub mod idle;
pub mod memory;
pub mod pingpong;
pub mod waker;

/// A backend, as chosen at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BackendId {
    Metal,
    Mio,
    Polling,
    Raw,
}

impl BackendId {
    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            BackendId::Metal => "metal-io",
            BackendId::Mio => "mio",
            BackendId::Polling => "polling",
            BackendId::Raw => "raw-epoll",
        }
    }

    /// Parses a name given on the command line.
    pub fn parse(name: &str) -> Option<BackendId> {
        match name {
            "metal-io" | "metal" => Some(BackendId::Metal),
            "mio" => Some(BackendId::Mio),
            "polling" => Some(BackendId::Polling),
            "raw" | "raw-epoll" | "epoll" => Some(BackendId::Raw),
            _ => None,
        }
    }
}

/// Runs `$body` with `$d` naming the driver type of backend `$b`.
macro_rules! dispatch {
    ($b:expr, $d:ident => $body:expr) => {
        match $b {
            $crate::scenario::BackendId::Metal => {
                type $d = $crate::backend::metal::Backend;
                $body
            }
            $crate::scenario::BackendId::Mio => {
                type $d = $crate::backend::mio::Backend;
                $body
            }
            $crate::scenario::BackendId::Polling => {
                type $d = $crate::backend::polling::Backend;
                $body
            }
            $crate::scenario::BackendId::Raw => {
                type $d = $crate::backend::raw::Backend;
                $body
            }
        }
    };
}
pub(crate) use dispatch;

/// Which way a metric improves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    Lower,
    Higher,
}

/// One figure a scenario reports.
#[derive(Debug, Clone)]
pub struct Metric {
    /// Short identifier, unique over all scenarios (CSV key).
    pub key: String,
    /// What it is, for tables.
    pub label: String,
    pub unit: &'static str,
    pub better: Better,
    /// A count that does not depend on timing (system calls, allocations),
    /// so it has no noise band.
    pub exact: bool,
    /// Shown for information; takes no part in the verdict.
    pub info: bool,
    /// The report section it belongs in, when not its scenario's own.
    pub section: Option<&'static str>,
}

impl Metric {
    pub fn timed(key: &str, label: &str, unit: &'static str, better: Better) -> Metric {
        Metric {
            key: key.to_string(),
            label: label.to_string(),
            unit,
            better,
            exact: false,
            info: false,
            section: None,
        }
    }

    /// Files the metric under another section of the report.
    pub fn in_section(self, section: &'static str) -> Metric {
        Metric {
            section: Some(section),
            ..self
        }
    }

    pub fn info(key: &str, label: &str, unit: &'static str) -> Metric {
        Metric {
            info: true,
            ..Metric::timed(key, label, unit, Better::Lower)
        }
    }

    pub fn count(key: &str, label: &str, unit: &'static str) -> Metric {
        Metric {
            exact: true,
            ..Metric::timed(key, label, unit, Better::Lower)
        }
    }
}

/// How much time each backend gets per round, and how many round trips
/// the latency scenario runs at most.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// Length of one measured run of one backend.
    pub slice: Duration,
    /// Upper bound on iterations of the counted loops.
    pub max_iterations: u64,
}

/// A benchmark scenario.
pub trait Scenario {
    /// Its number and name in reports, e.g. "1 ping-pong latency".
    fn title(&self) -> String;

    /// The figures [`Scenario::run`] returns, in order.
    fn metrics(&self) -> Vec<Metric>;

    /// Creates the sockets the runs share; called once before the rounds.
    fn setup(&mut self) -> io::Result<()>;

    /// Runs one backend once; one value per metric, NaN where the
    /// figure is not available on this machine.
    fn run(&mut self, backend: BackendId, budget: &Budget) -> io::Result<Vec<f64>>;
}

/// The section for per-round-trip counts.
pub const COUNTS: &str = "8 system calls, instructions and allocations per ping-pong round trip";

/// Every scenario, in report order.
pub fn all() -> Vec<Box<dyn Scenario>> {
    vec![
        Box::new(pingpong::PingPong::default()),
        Box::new(echo::Echo::new(64)),
        Box::new(echo::Echo::new(1000)),
        Box::new(waker::WakerRoundTrip),
        Box::new(churn::Churn::default()),
        Box::new(idle::Idle::default()),
        Box::new(memory::Memory::default()),
        Box::new(busy::Busy::default()),
    ]
}

/// A count per unit of work, or NaN when the count is not available.
pub fn per(count: Option<u64>, units: u64) -> f64 {
    match count {
        Some(c) if units > 0 => c as f64 / units as f64,
        _ => f64::NAN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [BackendId; 4] = [
        BackendId::Metal,
        BackendId::Mio,
        BackendId::Polling,
        BackendId::Raw,
    ];

    fn short() -> Budget {
        Budget {
            slice: Duration::from_millis(20),
            max_iterations: 200,
        }
    }

    #[test]
    fn ping_pong_runs_and_leaves_the_pair_clean() {
        for backend in ALL {
            let pair = common::pairs(1).unwrap().pop().unwrap();
            let out = dispatch!(backend, D => pingpong::run::<D>(pair, 100, None, true)).unwrap();
            assert_eq!(out.round_trips, 100, "{}", backend.name());
            assert_eq!(out.samples.len(), 100);
            // The forced poll(2) backend grows its `pollfd` list in the first
            // waits of a new `Poll`, as that selector's module docs say.
            if !cfg!(metal_io_force_poll) {
                assert_eq!(out.counts.allocs, 0, "{} allocated", backend.name());
            }

            // A second run on the same pair works: nothing was left over.
            let again = dispatch!(backend, D => pingpong::run::<D>(out.pair, 10, None, false));
            assert_eq!(again.unwrap().round_trips, 10);
        }
    }

    #[test]
    fn every_scenario_runs_on_every_backend() {
        common::raise_descriptor_limit();
        for mut sc in all() {
            if let Err(e) = sc.setup() {
                // Only a descriptor limit below what scenarios 5 and 6
                // need is tolerated, with a note; anything else fails.
                assert!(
                    e.to_string().contains("RLIMIT_NOFILE"),
                    "{}: {e}",
                    sc.title()
                );
                eprintln!("skipping {}: {e}", sc.title());
                continue;
            }
            let n = sc.metrics().len();
            for backend in ALL {
                let values = sc
                    .run(backend, &short())
                    .unwrap_or_else(|e| panic!("{} / {}: {e}", sc.title(), backend.name()));
                assert_eq!(values.len(), n, "{}", sc.title());
            }
        }
    }

    #[test]
    fn names_parse_back() {
        for backend in ALL {
            assert_eq!(BackendId::parse(backend.name()), Some(backend));
        }
        assert_eq!(BackendId::parse("raw"), Some(BackendId::Raw));
        assert_eq!(BackendId::parse("tokio"), None);
    }
}
