//! Collected values and their summary: best, median, ratios, noise band.

use crate::scenario::{BackendId, Better, Metric};
use crate::stats;

/// A column of results: a backend, and for mio a second, independent copy
/// that runs in every round too (the A/A control that measures noise).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub backend: BackendId,
    pub control: bool,
}

impl Slot {
    /// The slots of every round, in their base order.
    pub const ALL: [Slot; 5] = [
        Slot::of(BackendId::Metal),
        Slot::of(BackendId::Mio),
        Slot::of(BackendId::Polling),
        Slot::of(BackendId::Raw),
        Slot {
            backend: BackendId::Mio,
            control: true,
        },
    ];

    pub const fn of(backend: BackendId) -> Slot {
        Slot {
            backend,
            control: false,
        }
    }

    pub fn name(self) -> &'static str {
        if self.control {
            "mio (A/A)"
        } else {
            self.backend.name()
        }
    }

    pub fn index(self) -> usize {
        Slot::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }
}

/// One metric and its values per slot, one per round.
#[derive(Debug, Clone)]
pub struct Row {
    pub scenario: String,
    pub metric: Metric,
    pub values: [Vec<f64>; 5],
}

/// What a row says.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    pub best: [f64; 5],
    pub median: [f64; 5],
    /// metal-io against raw epoll, by median; above 1 means metal-io is
    /// better.
    pub vs_raw: f64,
    /// metal-io against mio, by median.
    pub vs_mio: f64,
    /// mio's control copy against mio: what pure noise looks like.
    pub aa: f64,
    /// The relative noise band: the larger of |1 - A/A| and half the
    /// interquartile range of mio's rounds (both copies pooled), and at
    /// least [`Row::floor`].
    pub noise: f64,
}

/// How a row compares with the target "at least as good as mio".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Better than mio by more than the noise band.
    Ahead,
    /// Within the noise band.
    Even,
    /// Worse than mio by more than the noise band.
    Behind,
    /// For information, or figures missing.
    None,
}

impl Verdict {
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Ahead => "ahead",
            Verdict::Even => "even",
            Verdict::Behind => "BEHIND",
            Verdict::None => "-",
        }
    }
}

impl Row {
    pub fn new(scenario: &str, metric: Metric) -> Row {
        Row {
            scenario: scenario.to_string(),
            metric,
            values: Default::default(),
        }
    }

    pub fn summary(&self) -> Summary {
        let better = self.metric.better;
        let best = std::array::from_fn(|i| stats::best(&self.values[i], better));
        let median: [f64; 5] = std::array::from_fn(|i| stats::median(&self.values[i]));
        let (metal, mio, raw, control) = (median[0], median[1], median[3], median[4]);
        let aa = stats::ratio(control, mio, better);

        let measured = if self.metric.exact {
            0.0
        } else {
            let pooled: Vec<f64> = self.values[1]
                .iter()
                .chain(&self.values[4])
                .copied()
                .collect();
            let aa_dev = if aa.is_finite() {
                (1.0 - aa).abs()
            } else {
                0.0
            };
            aa_dev.max(stats::relative_half_iqr(&pooled))
        };
        let noise = measured.max(self.floor());
        Summary {
            best,
            median,
            vs_raw: stats::ratio(metal, raw, better),
            vs_mio: stats::ratio(metal, mio, better),
            aa,
            noise,
        }
    }

    /// The smallest noise band a row gets.
    ///
    /// Exact counts may still differ by a stray call or two per thousand
    /// (a spurious wake-up); a tenth of a percent is allowed. Timed figures
    /// get at least one percent: separate runs of the same binary moved
    /// metal-io's ping-pong ratio between 0.99 and 1.01 (memory layout
    /// differs from process to process), a spread the A/A control inside
    /// one run cannot see.
    pub fn floor(&self) -> f64 {
        if self.metric.exact {
            0.001
        } else {
            0.01
        }
    }

    pub fn verdict(&self) -> Verdict {
        let s = self.summary();
        if self.metric.info || s.vs_mio.is_nan() {
            return Verdict::None;
        }
        let band = s.noise;
        if s.vs_mio > 1.0 + band {
            Verdict::Ahead
        } else if s.vs_mio >= 1.0 - band {
            Verdict::Even
        } else {
            Verdict::Behind
        }
    }
}

/// Everything one run of the suite produced.
#[derive(Debug, Default)]
pub struct Results {
    pub rows: Vec<Row>,
    /// Scenario titles in order, for grouping.
    pub scenarios: Vec<String>,
    /// Failures, as "scenario / backend: error".
    pub failures: Vec<String>,
    /// How many rounds ran.
    pub rounds: usize,
    /// Seconds the whole suite took.
    pub seconds: f64,
    /// How system calls and instructions were counted.
    pub methods: Vec<String>,
}

impl Results {
    /// The rows to show: those with at least one figure. A counter this
    /// machine does not have (hardware instructions on most virtual
    /// machines) leaves a row with none, and another row stands in for it.
    pub fn shown(&self) -> impl Iterator<Item = &Row> {
        self.rows
            .iter()
            .filter(|r| r.values.iter().flatten().any(|v| v.is_finite()))
    }
}

/// Formats a value with three significant digits and a thousands
/// separator where it helps.
pub fn fmt_value(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".to_string();
    }
    let a = v.abs();
    if a >= 1e6 {
        format!("{:.2}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.1}k", v / 1e3)
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 0.01 || a == 0.0 {
        format!("{v:.2}")
    } else {
        // Rates such as system calls per wake can be tiny but not zero.
        format!("{v:.1e}")
    }
}

/// Formats a ratio such as "1.03".
pub fn fmt_ratio(v: f64) -> String {
    if v.is_nan() {
        "n/a".to_string()
    } else if v >= 100.0 {
        // Against a figure of (nearly) zero, the ratio says little more.
        ">100".to_string()
    } else {
        format!("{v:.2}")
    }
}

/// The better direction as a word.
pub fn better_word(b: Better) -> &'static str {
    match b {
        Better::Lower => "lower",
        Better::Higher => "higher",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row whose slots hold the given values.
    fn row(metric: Metric, values: [&[f64]; 5]) -> Row {
        let mut r = Row::new("test", metric);
        for (i, v) in values.iter().enumerate() {
            r.values[i] = v.to_vec();
        }
        r
    }

    fn latency() -> Metric {
        Metric::timed("t", "latency", "ns", Better::Lower)
    }

    #[test]
    fn verdict_is_even_inside_the_noise_band() {
        // mio and its control differ by 4%, so 3% behind is noise.
        let r = row(latency(), [&[103.0], &[100.0], &[1.0], &[1.0], &[104.0]]);
        let s = r.summary();
        assert!(
            (s.noise - 1.0 / 1.04 * 0.04).abs() < 0.01,
            "noise {}",
            s.noise
        );
        assert_eq!(r.verdict(), Verdict::Even);
    }

    #[test]
    fn verdict_outside_the_band_says_which_way() {
        let behind = row(latency(), [&[120.0], &[100.0], &[1.0], &[1.0], &[100.0]]);
        assert_eq!(behind.verdict(), Verdict::Behind);
        let ahead = row(latency(), [&[80.0], &[100.0], &[1.0], &[1.0], &[100.0]]);
        assert_eq!(ahead.verdict(), Verdict::Ahead);
        assert!((ahead.summary().vs_mio - 1.25).abs() < 1e-12);
    }

    #[test]
    fn information_rows_and_missing_figures_have_no_verdict() {
        let info = row(
            Metric::info("i", "events", "events"),
            [&[1.0], &[2.0], &[1.0], &[1.0], &[2.0]],
        );
        assert_eq!(info.verdict(), Verdict::None);
        let missing = row(latency(), [&[f64::NAN], &[1.0], &[1.0], &[1.0], &[1.0]]);
        assert_eq!(missing.verdict(), Verdict::None);
    }

    #[test]
    fn values_and_ratios_format_compactly() {
        assert_eq!(fmt_value(2_500_000.0), "2.50M");
        assert_eq!(fmt_value(12_345.0), "12.3k");
        assert_eq!(fmt_value(8.0), "8.00");
        assert_eq!(fmt_value(1.7e-8), "1.7e-8");
        assert_eq!(fmt_value(f64::NAN), "n/a");
        assert_eq!(fmt_ratio(f64::INFINITY), ">100");
        assert_eq!(fmt_ratio(1.234), "1.23");
    }
}
