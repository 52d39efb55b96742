//! A hand-written SVG chart: each backend's median against mio's, per
//! metric, on a log scale, with mio's noise band shaded.

use std::fmt::Write as _;

use crate::results::{fmt_ratio, Results, Slot};
use crate::stats;

const WIDTH: f64 = 980.0;
const LABEL: f64 = 380.0;
const PLOT: f64 = 520.0;
const BAR: f64 = 7.0;
const GAP: f64 = 12.0;
/// The plotted range is 1/RANGE .. RANGE; longer bars are clipped.
const RANGE: f64 = 8.0;

/// The slots drawn, with their colours.
const SERIES: [(Slot, &str); 4] = [
    (Slot::ALL[0], "#d9480f"),
    (Slot::ALL[2], "#1c7ed6"),
    (Slot::ALL[3], "#495057"),
    (Slot::ALL[4], "#adb5bd"),
];

fn x(ratio: f64) -> f64 {
    let r = ratio.clamp(1.0 / RANGE, RANGE);
    LABEL + PLOT / 2.0 + r.log2() / RANGE.log2() * (PLOT / 2.0)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The chart; `title` names the machine.
pub fn chart(results: &Results, title: &str) -> String {
    let rows: Vec<_> = results
        .shown()
        .filter(|r| !r.metric.info && r.summary().median[1].is_finite())
        .collect();
    let group = SERIES.len() as f64 * BAR + GAP;
    let top = 70.0;
    let height = top + rows.len() as f64 * group + 40.0;

    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" font-family="sans-serif" font-size="11">"#
    );
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="10" y="18" font-size="14" font-weight="bold">Median against mio (right of 1.0 = better than mio; log scale)</text>"#
    );
    let _ = writeln!(s, r#"<text x="10" y="34">{}</text>"#, escape(title));

    // Legend.
    for (i, (slot, colour)) in SERIES.iter().enumerate() {
        let lx = 10.0 + i as f64 * 130.0;
        let _ = writeln!(
            s,
            r#"<rect x="{lx}" y="44" width="12" height="8" fill="{colour}"/>"#
        );
        let _ = writeln!(
            s,
            r#"<text x="{}" y="52">{}</text>"#,
            lx + 16.0,
            escape(slot.name())
        );
    }
    let _ = writeln!(
        s,
        r##"<rect x="540" y="44" width="12" height="8" fill="#fff3bf"/><text x="556" y="52">noise band</text>"##
    );

    // Axis ticks.
    let bottom = top + rows.len() as f64 * group;
    for t in [0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0] {
        let tx = x(t);
        let stroke = if t == 1.0 { "#000" } else { "#dee2e6" };
        let _ = writeln!(
            s,
            r#"<line x1="{tx:.1}" y1="{}" x2="{tx:.1}" y2="{bottom}" stroke="{stroke}"/>"#,
            top - 4.0
        );
        let _ = writeln!(
            s,
            r#"<text x="{tx:.1}" y="{}" text-anchor="middle">{t}</text>"#,
            bottom + 14.0
        );
    }

    for (i, row) in rows.iter().enumerate() {
        let sum = row.summary();
        let gy = top + i as f64 * group;
        let band = sum.noise;
        let (bx0, bx1) = (x(1.0 - band), x(1.0 + band));
        let _ = writeln!(
            s,
            r##"<rect x="{bx0:.1}" y="{gy:.1}" width="{:.1}" height="{:.1}" fill="#fff3bf"/>"##,
            bx1 - bx0,
            group - GAP
        );
        let label = format!("{} ({})", row.metric.label, row.metric.unit);
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            LABEL - 8.0,
            gy + (group - GAP) / 2.0 + 4.0,
            escape(&label)
        );

        for (j, (slot, colour)) in SERIES.iter().enumerate() {
            let r = stats::ratio(sum.median[slot.index()], sum.median[1], row.metric.better);
            if r.is_nan() {
                continue;
            }
            let y = gy + j as f64 * BAR;
            let (a, b) = (x(1.0), x(r));
            let _ = writeln!(
                s,
                r#"<rect x="{:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{colour}"/>"#,
                a.min(b),
                (b - a).abs().max(1.0),
                BAR - 1.0
            );
            let _ = writeln!(
                s,
                r#"<text x="{:.1}" y="{:.1}" font-size="8">{}</text>"#,
                a.max(b) + 3.0,
                y + BAR - 1.0,
                escape(&fmt_ratio(r))
            );
        }
    }
    let _ = writeln!(s, "</svg>");
    s
}
