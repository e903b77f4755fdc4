//! Hand-written SVG charts (a few primitives, no chart crate needed):
//!
//! - latency: the percentile curve of every system on a log-odds x axis (points, hollow where
//!   a percentile rests on fewer than 10 samples) and a log y axis, beside a p50 panel on a
//!   linear scale (a bar to the median, a whisker from p25 to p75);
//! - growth: small multiples, one panel per system, its own line on top of the others' in
//!   grey, so no line hides another.
//!
//! Every system keeps one colour and marker in every chart ([`style`]): ours in warm colours
//! with solid lines, the peers in cool colours with dashed ones. Every chart's footer names
//! the machine, the commit, the date and the command line ([`RunInfo`]).

use crate::stats::{Summary, CURVE};
use crate::timing::UNIT;
use crate::workloads::LatencyTable;
use std::fmt::Write;

/// What every chart's footer says about the run.
#[derive(Debug, Clone, Default)]
pub struct RunInfo {
    /// CPU model.
    pub cpu: String,
    /// `git rev-parse --short HEAD`, or `unknown`.
    pub commit: String,
    /// When the run started, `YYYY-MM-DD HH:MM UTC`.
    pub date: String,
    /// The command line.
    pub command: String,
}

/// Warm colours for this project's systems.
const OURS_COLOURS: [&str; 8] = [
    "#d62728", "#ff7f0e", "#8c564b", "#e377c2", "#9467bd", "#b8860b", "#7b2d26", "#c51b7d",
];
/// Cool colours for the peers.
const PEER_COLOURS: [&str; 8] = [
    "#1f77b4", "#2ca02c", "#17becf", "#7f7f7f", "#bcbd22", "#08306b", "#7570b3", "#111111",
];

/// Our systems in a fixed order: the n-th takes colour n mod 8 and marker n mod 6, so the
/// systems of one chart (neighbours here) differ in colour.
const OURS_ORDER: [&str; 24] = [
    "HiSlab",
    "alloc bounded",
    "alloc unbounded",
    "nexus-slab",
    "TaggedHiSlab",
    "HiSlab + filter",
    "BufferSlab",
    "Arena",
    "alloc claim",
    "alloc insert",
    "HiSlab (no read)",
    "Tagged (no read)",
    "Slot",
    "Access",
    "Access versioned",
    "alloc Access",
    "alloc unchecked",
    "alloc Acc. vers.",
    "alloc unb. Access",
    "alloc unb. unchk.",
    "BoundedSlab Acc.",
    "HiSlab get",
    "SendSlot",
    "SendSlot, FreeBatch",
];
/// The peers in a fixed order, as [`OURS_ORDER`].
const PEER_ORDER: [&str; 17] = [
    "slab",
    "slotmap",
    "Box",
    "nexus2 bounded",
    "nexus2 unbounded",
    "hislab 0.2.6",
    "talc",
    "buddy_system",
    "linked_list",
    "slab rejection",
    "slab + filter",
    "vec![0u8; 4096]",
    "Box<[u8; 4096]>",
    "Box::new",
    "typed-arena",
    "bumpalo",
    "channel to owner",
];

/// A marker shape.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Marker {
    Circle,
    Square,
    Diamond,
    Up,
    Down,
    Cross,
}

const MARKERS: [Marker; 6] = [
    Marker::Circle,
    Marker::Square,
    Marker::Diamond,
    Marker::Up,
    Marker::Down,
    Marker::Cross,
];

/// How one system is drawn in every chart.
#[derive(Debug, Clone, Copy)]
struct Style {
    colour: &'static str,
    marker: Marker,
    ours: bool,
}

/// The style of `system`: from its place in [`OURS_ORDER`] or [`PEER_ORDER`]; a name in
/// neither takes a place from a hash of its name, the same in every chart.
fn style(system: &str, ours: bool) -> Style {
    let (order, colours): (&[&str], _) = if ours {
        (&OURS_ORDER, &OURS_COLOURS)
    } else {
        (&PEER_ORDER, &PEER_COLOURS)
    };
    let i = order.iter().position(|n| *n == system).unwrap_or_else(|| {
        let h = system.bytes().fold(0usize, |h, b| {
            h.wrapping_mul(31).wrapping_add(usize::from(b))
        });
        order.len() + h % 48
    });
    Style {
        colour: colours[i % colours.len()],
        marker: MARKERS[i % MARKERS.len()],
        ours,
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A marker at `(x, y)`, filled or hollow (white inside).
fn marker(s: &mut String, st: Style, x: f64, y: f64, filled: bool) {
    let fill = if filled { st.colour } else { "white" };
    let c = st.colour;
    let r = 4.0;
    let attrs = format!(r#"fill="{fill}" stroke="{c}" stroke-width="1.5""#);
    let _ = match st.marker {
        Marker::Circle => writeln!(s, r#"<circle cx="{x:.1}" cy="{y:.1}" r="{r}" {attrs}/>"#),
        Marker::Square => writeln!(
            s,
            r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" {attrs}/>"#,
            x - r * 0.85,
            y - r * 0.85,
            r * 1.7,
            r * 1.7
        ),
        Marker::Diamond => writeln!(
            s,
            r#"<polygon points="{x:.1},{:.1} {:.1},{y:.1} {x:.1},{:.1} {:.1},{y:.1}" {attrs}/>"#,
            y - r * 1.2,
            x + r * 1.2,
            y + r * 1.2,
            x - r * 1.2
        ),
        Marker::Up | Marker::Down => {
            let d = if st.marker == Marker::Up { 1.0 } else { -1.0 };
            writeln!(
                s,
                r#"<polygon points="{x:.1},{:.1} {:.1},{:.1} {:.1},{:.1}" {attrs}/>"#,
                y - d * r * 1.2,
                x + r * 1.1,
                y + d * r * 0.8,
                x - r * 1.1,
                y + d * r * 0.8
            )
        }
        Marker::Cross => {
            // A plus sign, drawn as a polygon so it can be hollow too.
            let (a, b) = (r * 1.2, r * 0.4);
            writeln!(
                s,
                r#"<polygon points="{:.1},{:.1} {:.1},{:.1} {:.1},{:.1} {:.1},{:.1} {:.1},{:.1} {:.1},{:.1} {:.1},{:.1} {:.1},{:.1} {:.1},{:.1} {:.1},{:.1} {:.1},{:.1} {:.1},{:.1}" {attrs}/>"#,
                x - b,
                y - a,
                x + b,
                y - a,
                x + b,
                y - b,
                x + a,
                y - b,
                x + a,
                y + b,
                x + b,
                y + b,
                x + b,
                y + a,
                x - b,
                y + a,
                x - b,
                y + b,
                x - a,
                y + b,
                x - a,
                y - b,
                x - b,
                y - b
            )
        }
    };
}

/// A line through `points` in `st`'s colour: solid for ours, dashed for a peer.
fn line(s: &mut String, st: Style, points: &[(f64, f64)], width: f64, opacity: f64) {
    if points.len() < 2 {
        return;
    }
    let dash = if st.ours {
        ""
    } else {
        r#" stroke-dasharray="5 3""#
    };
    let p: Vec<String> = points
        .iter()
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect();
    let _ = writeln!(
        s,
        r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="{width}" stroke-opacity="{opacity}"{dash}/>"#,
        p.join(" "),
        st.colour
    );
}

/// A log10 axis over `lo..=hi` (whole decades) mapped onto the pixel rows `top..=bottom`.
struct LogAxis {
    lo_exp: i32,
    hi_exp: i32,
    top: f64,
    bottom: f64,
}

impl LogAxis {
    fn new(values: impl Iterator<Item = f64>, top: f64, bottom: f64) -> LogAxis {
        let (mut lo, mut hi) = (f64::INFINITY, 0f64);
        for v in values.filter(|v| *v > 0.0 && v.is_finite()) {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        if !lo.is_finite() {
            (lo, hi) = (1.0, 10.0);
        }
        let lo_exp = lo.log10().floor() as i32;
        let hi_exp = (hi.log10().ceil() as i32).max(lo_exp + 1);
        LogAxis {
            lo_exp,
            hi_exp,
            top,
            bottom,
        }
    }

    /// Pixel row of `v` (values at or below zero sit on the bottom edge).
    fn y(&self, v: f64) -> f64 {
        let lo = f64::from(self.lo_exp);
        let span = f64::from(self.hi_exp) - lo;
        let l = if v > 0.0 { v.log10().max(lo) } else { lo };
        self.bottom - (l - lo) / span * (self.bottom - self.top)
    }

    /// Grid lines from `x0` to `x1`, labelled at each decade when `labels`.
    fn draw(&self, s: &mut String, x0: f64, x1: f64, labels: bool) {
        let few = self.hi_exp - self.lo_exp <= 3;
        for e in self.lo_exp..=self.hi_exp {
            let y = self.y(10f64.powi(e));
            let _ = writeln!(
                s,
                r##"<line x1="{x0:.1}" y1="{y:.1}" x2="{x1:.1}" y2="{y:.1}" stroke="#ccc"/>"##
            );
            if labels {
                let _ = writeln!(
                    s,
                    r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
                    x0 - 5.0,
                    y + 4.0,
                    number(10f64.powi(e))
                );
            }
            if e < self.hi_exp {
                for m in [2.0, 5.0] {
                    let v = m * 10f64.powi(e);
                    let y = self.y(v);
                    let _ = writeln!(
                        s,
                        r##"<line x1="{x0:.1}" y1="{y:.1}" x2="{x1:.1}" y2="{y:.1}" stroke="#eee"/>"##
                    );
                    if labels && few {
                        let _ = writeln!(
                            s,
                            r##"<text x="{:.1}" y="{:.1}" text-anchor="end" font-size="10" fill="#777">{}</text>"##,
                            x0 - 5.0,
                            y + 3.5,
                            number(v)
                        );
                    }
                }
            }
        }
    }
}

/// `0.5`, `20`, `5k`, `2M`: a round figure, short.
fn number(v: f64) -> String {
    let (d, suffix) = match v {
        v if v >= 1e9 => (1e9, "G"),
        v if v >= 1e6 => (1e6, "M"),
        v if v >= 1e3 => (1e3, "k"),
        _ => (1.0, ""),
    };
    let x = v / d;
    let text = if x >= 10.0 || x.fract() == 0.0 {
        format!("{x:.0}")
    } else if x >= 1.0 {
        format!("{x:.1}")
    } else {
        format!("{}", (x * 1000.0).round() / 1000.0)
    };
    format!("{text}{suffix}")
}

/// The start of a chart `w`×`h` with its title and subtitle.
fn header(s: &mut String, w: f64, h: f64, title: &str, subtitle: &str) {
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="16" y="22" font-size="16" font-weight="bold">{}</text>"#,
        escape(title)
    );
    let _ = writeln!(
        s,
        r##"<text x="16" y="40" fill="#444">{}</text>"##,
        escape(subtitle)
    );
}

/// The footer (machine, commit, date, command line) and the end of the chart.
fn footer(s: &mut String, h: f64, run: &RunInfo) {
    let mut command = run.command.clone();
    if command.chars().count() > 170 {
        command = command.chars().take(169).collect::<String>() + "…";
    }
    let _ = writeln!(
        s,
        r##"<text x="16" y="{:.1}" font-size="11" fill="#555">{} · commit {} · {}</text>"##,
        h - 24.0,
        escape(&run.cpu),
        escape(&run.commit),
        escape(&run.date)
    );
    let _ = writeln!(
        s,
        r##"<text x="16" y="{:.1}" font-size="11" fill="#555" font-family="monospace">{}</text>"##,
        h - 9.0,
        escape(&command)
    );
    s.push_str("</svg>\n");
}

/// `ln(p / (1 − p))`.
fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

/// Samples a percentile `p` of `n` samples rests on: those beyond it, `n·(1 − p)`.
fn resting_on(n: u64, p: f64) -> f64 {
    n as f64 * (1.0 - p)
}

/// `p` as a label: `p50`, `p99.9`.
fn p_label(p: f64) -> String {
    let pct = p * 100.0;
    let mut t = format!("{pct:.3}");
    while t.ends_with('0') {
        t.pop();
    }
    if t.ends_with('.') {
        t.pop();
    }
    format!("p{t}")
}

/// One system's curve: `(quantile, value, hollow)`, the percentiles resting on at least one
/// sample, then the maximum at `1 − 1/n` (always hollow: it rests on one sample).
fn curve(sm: &Summary) -> Vec<(f64, f64, bool)> {
    let n = sm.samples.max(2);
    let mut pts: Vec<(f64, f64, bool)> = CURVE
        .iter()
        .zip(sm.curve)
        .filter(|(p, _)| resting_on(n, **p) >= 1.0)
        .map(|(p, v)| (*p, v, resting_on(n, *p) < 10.0))
        .collect();
    let p_max = 1.0 - 1.0 / n as f64;
    if pts.last().is_none_or(|(p, _, _)| *p < p_max) {
        pts.push((p_max, sm.max, true));
    }
    pts
}

/// A latency table's chart: the percentile curves beside the p50 panel.
pub fn percentile_chart(t: &LatencyTable, run: &RunInfo) -> String {
    const W: f64 = 1100.0;
    // The curve panel, left.
    const CX0: f64 = 70.0;
    const CX1: f64 = 620.0;
    const TOP: f64 = 78.0;
    // The p50 panel: names from NX, bars from BX0 to BX1.
    const NX: f64 = 790.0;
    const BX0: f64 = 800.0;
    const BX1: f64 = 1060.0;
    let rows = t.rows.len().max(1) as f64;
    let bottom = (TOP + 34.0 * rows).max(TOP + 300.0);
    let h = bottom + 100.0;
    let mut s = String::new();
    let per_sample = t.rows.first().map_or(1, |r| r.summary.ops_per_sample);
    let subtitle = if per_sample > 1 {
        format!("{UNIT} per op; each sample is the mean of {per_sample} ops")
    } else {
        format!("{UNIT} per op; each op timed alone")
    };
    header(&mut s, W, h, &t.title, &subtitle);

    // Curve panel.
    let curves: Vec<_> = t.rows.iter().map(|r| curve(&r.summary)).collect();
    let axis = LogAxis::new(curves.iter().flatten().map(|(_, v, _)| *v), TOP, bottom);
    let max_n = t
        .rows
        .iter()
        .map(|r| r.summary.samples)
        .max()
        .unwrap_or(2)
        .max(2);
    let (l0, l1) = (logit(0.1) - 0.4, logit(1.0 - 1.0 / max_n as f64) + 0.4);
    let x = |p: f64| CX0 + (logit(p) - l0) / (l1 - l0) * (CX1 - CX0);
    let _ = writeln!(
        s,
        r#"<text x="{CX0}" y="{:.1}" font-weight="bold">percentiles (log-odds axis), {UNIT}/op on a log scale</text>"#,
        TOP - 14.0
    );
    axis.draw(&mut s, CX0, CX1, true);
    for p in CURVE.iter().filter(|p| resting_on(max_n, **p) >= 1.0) {
        let px = x(*p);
        let _ = writeln!(
            s,
            r##"<line x1="{px:.1}" y1="{TOP}" x2="{px:.1}" y2="{bottom:.1}" stroke="#eee"/><text x="{px:.1}" y="{:.1}" text-anchor="middle" font-size="11">{}</text>"##,
            bottom + 15.0,
            p_label(*p)
        );
    }
    let _ = writeln!(
        s,
        r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="11" fill="#555">percentile (right end: the max, at 1 − 1/samples); hollow: fewer than 10 samples beyond it</text>"##,
        (CX0 + CX1) / 2.0,
        bottom + 32.0
    );
    for (r, pts) in t.rows.iter().zip(&curves) {
        let st = style(r.system, r.ours);
        let xy: Vec<(f64, f64)> = pts.iter().map(|(p, v, _)| (x(*p), axis.y(*v))).collect();
        line(&mut s, st, &xy, if r.ours { 1.8 } else { 1.3 }, 0.7);
    }
    for (r, pts) in t.rows.iter().zip(&curves) {
        let st = style(r.system, r.ours);
        for (p, v, hollow) in pts {
            marker(&mut s, st, x(*p), axis.y(*v), !hollow);
        }
    }
    let _ = writeln!(
        s,
        r##"<rect x="{CX0}" y="{TOP}" width="{:.1}" height="{:.1}" fill="none" stroke="#888"/>"##,
        CX1 - CX0,
        bottom - TOP
    );

    // p50 panel: one row per system, a bar to p50 and a whisker from p25 to p75.
    let hi = t
        .rows
        .iter()
        .map(|r| r.summary.p75)
        .fold(0f64, f64::max)
        .max(1e-9)
        * 1.12;
    let bx = |v: f64| BX0 + v.max(0.0) / hi * (BX1 - BX0);
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{:.1}" font-weight="bold">p50, linear scale (whisker: p25–p75)</text>"#,
        NX - 120.0,
        TOP - 14.0
    );
    let step = tick_step(hi);
    let mut v = 0.0;
    while v <= hi {
        let px = bx(v);
        let _ = writeln!(
            s,
            r##"<line x1="{px:.1}" y1="{TOP}" x2="{px:.1}" y2="{bottom:.1}" stroke="#e4e4e4"/><text x="{px:.1}" y="{:.1}" text-anchor="middle" font-size="11">{}</text>"##,
            bottom + 15.0,
            number(v)
        );
        v += step;
    }
    let _ = writeln!(
        s,
        r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="11" fill="#555">{UNIT}/op</text>"##,
        (BX0 + BX1) / 2.0,
        bottom + 32.0
    );
    let row_h = (bottom - TOP) / rows;
    for (i, r) in t.rows.iter().enumerate() {
        let st = style(r.system, r.ours);
        let cy = TOP + row_h * (i as f64 + 0.5);
        let weight = if r.ours { "bold" } else { "normal" };
        marker(&mut s, st, NX - 120.0 - 12.0, cy, true);
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="start" font-weight="{weight}">{}</text>"#,
            NX - 120.0,
            cy + 4.0,
            escape(r.system)
        );
        let bar_h = (row_h * 0.55).min(18.0);
        let opacity = if r.ours { 0.85 } else { 0.55 };
        let _ = writeln!(
            s,
            r#"<rect x="{BX0}" y="{:.1}" width="{:.1}" height="{bar_h:.1}" fill="{}" fill-opacity="{opacity}"/>"#,
            cy - bar_h / 2.0,
            bx(r.summary.p50) - BX0,
            st.colour
        );
        let (a, b) = (bx(r.summary.p25), bx(r.summary.p75));
        let _ = writeln!(
            s,
            r##"<line x1="{a:.1}" y1="{cy:.1}" x2="{b:.1}" y2="{cy:.1}" stroke="#222" stroke-width="1.5"/><line x1="{a:.1}" y1="{:.1}" x2="{a:.1}" y2="{:.1}" stroke="#222" stroke-width="1.5"/><line x1="{b:.1}" y1="{:.1}" x2="{b:.1}" y2="{:.1}" stroke="#222" stroke-width="1.5"/>"##,
            cy - 5.0,
            cy + 5.0,
            cy - 5.0,
            cy + 5.0
        );
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end">{}</text>"#,
            bx(r.summary.p50).max(BX0 + 24.0),
            cy - bar_h / 2.0 - 3.0,
            crate::output::table::num(r.summary.p50)
        );
    }
    let _ = writeln!(
        s,
        r##"<line x1="{BX0}" y1="{TOP}" x2="{BX0}" y2="{bottom:.1}" stroke="#888"/>"##
    );
    footer(&mut s, h, run);
    s
}

/// A round step for about five ticks up to `hi`.
fn tick_step(hi: f64) -> f64 {
    let raw = hi / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag)
}

/// Growth: small multiples, one panel per system: the slowest insert of each stretch of
/// `t.bucket_len` inserts (the smallest such figure over the runs) over the insert number,
/// on one log scale shared by all panels; the other systems in grey behind.
pub fn growth_chart(t: &LatencyTable, run: &RunInfo) -> String {
    const W: f64 = 1100.0;
    const COLS: usize = 3;
    const PW: f64 = 300.0;
    const PH: f64 = 150.0;
    const GAP_X: f64 = 60.0;
    const GAP_Y: f64 = 62.0;
    const LEFT: f64 = 70.0;
    const TOP: f64 = 84.0;
    let n = t.rows.len().max(1);
    let grid_rows = n.div_ceil(COLS);
    let h = TOP + grid_rows as f64 * (PH + GAP_Y) + 60.0;
    let buckets = t
        .rows
        .iter()
        .map(|r| r.series.len())
        .max()
        .unwrap_or(0)
        .max(1);
    let total = buckets * t.bucket_len.max(1);
    let mut s = String::new();
    header(
        &mut s,
        W,
        h,
        &t.title,
        &format!(
            "slowest insert per {} inserts, min over runs ({UNIT}, overhead subtracted, log \
             scale, the same in every panel); grey: the other systems",
            t.bucket_len
        ),
    );
    let all = t.rows.iter().flat_map(|r| r.series.iter().copied());
    let proto = LogAxis::new(all, 0.0, 1.0);
    for (k, r) in t.rows.iter().enumerate() {
        let st = style(r.system, r.ours);
        let (col, row) = (k % COLS, k / COLS);
        let x0 = LEFT + col as f64 * (PW + GAP_X);
        let y0 = TOP + row as f64 * (PH + GAP_Y);
        let axis = LogAxis {
            top: y0,
            bottom: y0 + PH,
            ..proto
        };
        let x = |insert: f64| x0 + insert / total as f64 * PW;
        let weight = if r.ours { "bold" } else { "normal" };
        marker(&mut s, st, x0 + 5.0, y0 - 12.0, true);
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{:.1}" font-weight="{weight}">{}</text><text x="{:.1}" y="{:.1}" text-anchor="end" font-size="11" fill="#444">total {:.1} M{UNIT} per run</text>"##,
            x0 + 16.0,
            y0 - 8.0,
            escape(r.system),
            x0 + PW,
            y0 - 8.0,
            r.summary.total(t.rounds as u64) / 1e6
        );
        axis.draw(&mut s, x0, x0 + PW, true);
        let points = |r: &crate::workloads::Row| -> Vec<(f64, f64)> {
            r.series
                .iter()
                .enumerate()
                .map(|(i, v)| (x((i as f64 + 0.5) * t.bucket_len as f64), axis.y(*v)))
                .collect()
        };
        for other in t.rows.iter().filter(|o| o.system != r.system) {
            let grey = Style {
                colour: "#d4d4d4",
                ours: true,
                ..st
            };
            line(&mut s, grey, &points(other), 0.7, 0.9);
        }
        line(&mut s, Style { ours: true, ..st }, &points(r), 1.6, 1.0);
        for q in 0..=2 {
            let at = total * q / 2;
            let label = if at >= 1 << 20 {
                format!("{:.1} Mi", at as f64 / (1u64 << 20) as f64)
            } else {
                format!("{} Ki", at >> 10)
            };
            let anchor = ["start", "middle", "end"][q];
            let _ = writeln!(
                s,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="{anchor}" font-size="11">{label}</text>"#,
                x(at as f64),
                y0 + PH + 14.0
            );
        }
        let _ = writeln!(
            s,
            r##"<rect x="{x0:.1}" y="{y0:.1}" width="{PW}" height="{PH}" fill="none" stroke="#888"/>"##
        );
    }
    let _ = writeln!(
        s,
        r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#555">insert number (x) · slowest insert in {UNIT} (y)</text>"##,
        W / 2.0,
        h - 44.0
    );
    footer(&mut s, h, run);
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workloads::Row;

    fn table(values: [f64; 5]) -> LatencyTable {
        let summary = Summary {
            p25: values[0],
            p50: values[0],
            p75: values[0],
            curve: [values[0]; CURVE.len()],
            p99: values[1],
            p999: values[2],
            p9999: values[3],
            max: values[4],
            mean: values[0],
            samples: 1,
            ops_per_sample: 1,
        };
        LatencyTable {
            workload: "growth",
            id: "t".into(),
            title: "a < b & c".into(),
            method: String::new(),
            value_bytes: 32,
            bucket_len: 4,
            rounds: 1,
            rows: vec![Row {
                system: "HiSlab",
                ours: true,
                summary,
                rounds: vec![summary],
                series: vec![0.0, 3.0, 1e6],
                growth: None,
                round_wall_ns: Vec::new(),
            }],
            not_run: Vec::new(),
        }
    }

    #[test]
    fn charts_are_closed_and_escaped_even_with_zeros() {
        let t = table([0.0, 1.0, 10.0, 1e3, 1e7]);
        let run = RunInfo {
            command: "report --out <x>".into(),
            ..RunInfo::default()
        };
        for svg in [percentile_chart(&t, &run), growth_chart(&t, &run)] {
            assert!(svg.starts_with("<svg") && svg.ends_with("</svg>\n"));
            assert!(svg.contains("a &lt; b &amp; c"));
            assert!(svg.contains("report --out &lt;x&gt;"));
            assert!(!svg.contains("NaN") && !svg.contains("inf"));
        }
    }

    #[test]
    fn every_named_system_has_its_own_colour_and_marker() {
        for (order, ours) in [(&OURS_ORDER[..], true), (&PEER_ORDER[..], false)] {
            let mut seen = Vec::new();
            for name in order {
                let st = style(name, ours);
                let key = (st.colour, st.marker as u8);
                assert!(!seen.contains(&key), "{name} shares a style");
                seen.push(key);
            }
        }
        assert_eq!(
            style("no such", false).colour,
            style("no such", false).colour
        );
    }

    #[test]
    fn labels_are_short() {
        assert_eq!(p_label(0.999), "p99.9");
        assert_eq!(p_label(0.5), "p50");
        assert_eq!(number(5000.0), "5k");
        assert_eq!(number(0.5), "0.5");
        assert_eq!(tick_step(23.0), 5.0);
    }
}
