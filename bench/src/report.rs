//! The terminal table, Markdown and CSV.

use std::fmt::Write as _;

use crate::machine::Machine;
use crate::results::{better_word, fmt_ratio, fmt_value, Results, Row, Slot};

const LABEL: usize = 44;
const CELL: usize = 15;

/// "median / best" for one slot.
fn cell(row: &Row, slot: usize) -> String {
    let s = row.summary();
    if row.metric.exact {
        fmt_value(s.median[slot])
    } else {
        format!(
            "{} / {}",
            fmt_value(s.median[slot]),
            fmt_value(s.best[slot])
        )
    }
}

fn noise(row: &Row) -> String {
    if row.metric.exact {
        "exact".to_string()
    } else {
        format!("±{:.1}%", row.summary().noise * 100.0)
    }
}

/// The table printed on the terminal.
pub fn terminal(results: &Results) -> String {
    let mut out = String::new();
    let slots = &Slot::ALL[..4];
    let _ = write!(out, "{:LABEL$}", "median / best per round");
    for s in slots {
        let _ = write!(out, " {:>CELL$}", s.name());
    }
    let _ = writeln!(
        out,
        "  {:>6} {:>6} {:>7} {:>6}  verdict",
        "vs raw", "vs mio", "noise", "A/A"
    );

    for title in &results.scenarios {
        let _ = writeln!(out, "{title}");
        for row in results.shown().filter(|r| &r.scenario == title) {
            let s = row.summary();
            let label = format!("  {} ({})", row.metric.label, row.metric.unit);
            let _ = write!(out, "{label:LABEL$}");
            for slot in slots {
                let _ = write!(out, " {:>CELL$}", cell(row, slot.index()));
            }
            let _ = writeln!(
                out,
                "  {:>6} {:>6} {:>7} {:>6}  {}",
                fmt_ratio(s.vs_raw),
                fmt_ratio(s.vs_mio),
                noise(row),
                fmt_ratio(s.aa),
                row.verdict().word()
            );
        }
    }
    out
}

/// The Markdown report, with the machine, the method and the table.
pub fn markdown(results: &Results, machine: &Machine, svg_name: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# metal-io benchmark results\n");
    let _ = writeln!(out, "{}\n", machine.markdown());
    let _ = writeln!(
        out,
        "{} interleaved rounds (each round runs every backend once, in a rotating \
         order), {:.0} s in all. Cells are `median / best` over the rounds; \
         counts marked exact show the median. Ratios compare medians and are \
         above 1.00 when metal-io is better. The noise band is the larger of \
         mio's A/A deviation (a second, independent mio run in every round) and \
         half the interquartile range of mio's rounds, and at least 1% (0.1% for \
         counts marked exact), since separate runs of the same binary differ by \
         about that much.\n",
        results.rounds, results.seconds
    );
    for m in &results.methods {
        let _ = writeln!(out, "- {m}");
    }
    let _ = writeln!(out, "\n![ratios against mio]({svg_name})\n");

    let _ = write!(out, "| metric | unit | better |");
    for s in Slot::ALL {
        let _ = write!(out, " {} |", s.name());
    }
    let _ = writeln!(out, " vs raw | vs mio | noise | verdict |");
    let _ = writeln!(
        out,
        "|---|---|---|{}---|---|---|---|",
        "---|".repeat(Slot::ALL.len())
    );
    for title in &results.scenarios {
        let _ = writeln!(out, "| **{title}** |||||||||||");
        for row in results.shown().filter(|r| &r.scenario == title) {
            let s = row.summary();
            let _ = write!(
                out,
                "| {} | {} | {} |",
                row.metric.label,
                row.metric.unit,
                better_word(row.metric.better)
            );
            for slot in Slot::ALL {
                let _ = write!(out, " {} |", cell(row, slot.index()));
            }
            let _ = writeln!(
                out,
                " {} | {} | {} | {} |",
                fmt_ratio(s.vs_raw),
                fmt_ratio(s.vs_mio),
                noise(row),
                row.verdict().word()
            );
        }
    }

    if !results.failures.is_empty() {
        let _ = writeln!(out, "\n## Failures\n");
        for f in &results.failures {
            let _ = writeln!(out, "- {f}");
        }
    }
    out
}

/// One line per metric and backend: the summary.
pub fn summary_csv(results: &Results) -> String {
    let mut out = String::from(
        "key,label,unit,better,backend,median,best,rounds,vs_raw,vs_mio,noise,verdict\n",
    );
    for row in &results.rows {
        let s = row.summary();
        for slot in Slot::ALL {
            let i = slot.index();
            let n = row.values[i].iter().filter(|v| v.is_finite()).count();
            let _ = writeln!(
                out,
                "{},\"{}\",{},{},{},{},{},{},{},{},{},{}",
                row.metric.key,
                row.metric.label,
                row.metric.unit,
                better_word(row.metric.better),
                slot.name(),
                s.median[i],
                s.best[i],
                n,
                s.vs_raw,
                s.vs_mio,
                s.noise,
                row.verdict().word()
            );
        }
    }
    out
}

/// One line per metric, backend and round: every value measured.
pub fn rounds_csv(results: &Results) -> String {
    let mut out = String::from("key,backend,round,value\n");
    for row in &results.rows {
        for slot in Slot::ALL {
            for (round, v) in row.values[slot.index()].iter().enumerate() {
                let _ = writeln!(
                    out,
                    "{},{},{},{}",
                    row.metric.key,
                    slot.name(),
                    round + 1,
                    v
                );
            }
        }
    }
    out
}
