//! Hand-written SVG charts: latency percentiles per system on a log scale, and for growth the
//! slowest insert of each stretch over the insert number.

use crate::stats::Summary;
use crate::timing::UNIT;
use crate::workloads::LatencyTable;
use std::fmt::Write;

const W: f64 = 760.0;
const H: f64 = 400.0;
const LEFT: f64 = 70.0;
/// Room for the legend: names up to 16 characters, bold.
const RIGHT: f64 = 180.0;
const TOP: f64 = 48.0;
const BOTTOM: f64 = 48.0;
/// Colours by row: ours first (red), then the peers.
const COLOURS: [&str; 10] = [
    "#d62728", "#1f77b4", "#2ca02c", "#7f7f7f", "#9467bd", "#ff7f0e", "#8c564b", "#17becf",
    "#bcbd22", "#e377c2",
];

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A log10 axis covering `lo..=hi` in whole decades.
struct LogAxis {
    lo_exp: i32,
    hi_exp: i32,
}

impl LogAxis {
    fn new(values: impl Iterator<Item = f64>) -> LogAxis {
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
        LogAxis { lo_exp, hi_exp }
    }

    /// Pixel row of `v` (values at or below zero sit on the bottom edge).
    fn y(&self, v: f64) -> f64 {
        let lo = f64::from(self.lo_exp);
        let span = f64::from(self.hi_exp) - lo;
        let l = if v > 0.0 { v.log10().max(lo) } else { lo };
        H - BOTTOM - (l - lo) / span * (H - TOP - BOTTOM)
    }

    fn draw(&self, s: &mut String, unit: &str) {
        for e in self.lo_exp..=self.hi_exp {
            let y = self.y(10f64.powi(e));
            let _ = writeln!(
                s,
                r##"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
                W - RIGHT,
                LEFT - 6.0,
                y + 4.0,
                decade_label(e)
            );
            if e < self.hi_exp {
                for m in [2.0, 5.0] {
                    let y = self.y(m * 10f64.powi(e));
                    let _ = writeln!(
                        s,
                        r##"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#f2f2f2"/>"##,
                        W - RIGHT
                    );
                }
            }
        }
        let _ = writeln!(
            s,
            r#"<text x="16" y="{:.1}" transform="rotate(-90 16 {:.1})" text-anchor="middle">{} (log scale)</text>"#,
            H / 2.0,
            H / 2.0,
            escape(unit)
        );
    }
}

fn decade_label(e: i32) -> String {
    match e {
        e if e < 0 => format!("{}", 10f64.powi(e)),
        0..=2 => format!("{}", 10u64.pow(e as u32)),
        3..=5 => format!("{}k", 10u64.pow(e as u32 - 3)),
        6..=8 => format!("{}M", 10u64.pow(e as u32 - 6)),
        _ => format!("1e{e}"),
    }
}

fn header(s: &mut String, title: &str, subtitle: &str) {
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<rect width="{W}" height="{H}" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="{LEFT}" y="20" font-size="15" font-weight="bold">{}</text>"#,
        escape(title)
    );
    let _ = writeln!(
        s,
        r##"<text x="{LEFT}" y="36" fill="#555">{}</text>"##,
        escape(subtitle)
    );
}

fn frame(s: &mut String) {
    let _ = writeln!(
        s,
        r##"<rect x="{LEFT}" y="{TOP}" width="{:.1}" height="{:.1}" fill="none" stroke="#888"/>"##,
        W - LEFT - RIGHT,
        H - TOP - BOTTOM
    );
}

fn legend(s: &mut String, names: &[(&str, bool)]) {
    for (i, (name, ours)) in names.iter().enumerate() {
        let y = TOP + 14.0 + 20.0 * i as f64;
        let x = W - RIGHT + 14.0;
        let weight = if *ours { "bold" } else { "normal" };
        let _ = writeln!(
            s,
            r#"<line x1="{x}" y1="{y}" x2="{:.1}" y2="{y}" stroke="{}" stroke-width="3"/><text x="{:.1}" y="{:.1}" font-weight="{weight}">{}</text>"#,
            x + 22.0,
            COLOURS[i % COLOURS.len()],
            x + 28.0,
            y + 4.0,
            escape(name)
        );
    }
}

/// The percentiles of every system in `t`, one line each, on a log scale.
pub fn percentile_chart(t: &LatencyTable) -> String {
    let axis = LogAxis::new(t.rows.iter().flat_map(|r| r.summary.values()));
    let mut s = String::new();
    let per_sample = t.rows.first().map_or(1, |r| r.summary.ops_per_sample);
    let subtitle = if per_sample > 1 {
        format!("{UNIT} per op by percentile; each sample is the mean of {per_sample} ops")
    } else {
        format!("{UNIT} per op by percentile; each op timed alone")
    };
    header(&mut s, &t.title, &subtitle);
    axis.draw(&mut s, &format!("{UNIT}/op"));
    let n = Summary::COLUMNS.len();
    let x = |i: usize| LEFT + 30.0 + i as f64 * (W - LEFT - RIGHT - 60.0) / (n - 1) as f64;
    for (i, name) in Summary::COLUMNS.iter().enumerate() {
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{name}</text>"#,
            x(i),
            H - BOTTOM + 18.0
        );
    }
    for (k, r) in t.rows.iter().enumerate() {
        let colour = COLOURS[k % COLOURS.len()];
        let points: Vec<String> = r
            .summary
            .values()
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{:.1},{:.1}", x(i), axis.y(*v)))
            .collect();
        let width = if r.ours { 3 } else { 2 };
        let _ = writeln!(
            s,
            r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="{width}"/>"#,
            points.join(" ")
        );
        for p in &points {
            let (px, py) = p.split_once(',').unwrap_or(("0", "0"));
            let _ = writeln!(s, r#"<circle cx="{px}" cy="{py}" r="3" fill="{colour}"/>"#);
        }
    }
    frame(&mut s);
    let names: Vec<_> = t.rows.iter().map(|r| (r.system, r.ours)).collect();
    legend(&mut s, &names);
    s.push_str("</svg>\n");
    s
}

/// Growth: the slowest insert of each stretch of `t.bucket_len` inserts (the smallest such
/// figure over the runs), over the insert number, on a log scale.
pub fn growth_chart(t: &LatencyTable) -> String {
    let axis = LogAxis::new(t.rows.iter().flat_map(|r| r.series.iter().copied()));
    let buckets = t
        .rows
        .iter()
        .map(|r| r.series.len())
        .max()
        .unwrap_or(0)
        .max(1);
    let total = buckets * t.bucket_len;
    let mut s = String::new();
    header(
        &mut s,
        &t.title,
        &format!(
            "slowest insert per {} inserts; min over runs ({UNIT}, overhead subtracted)",
            t.bucket_len
        ),
    );
    axis.draw(&mut s, UNIT);
    let x = |insert: f64| LEFT + insert / total as f64 * (W - LEFT - RIGHT);
    for q in 0..=4 {
        let at = total * q / 4;
        let label = if at >= 1 << 20 {
            format!("{:.2} Mi", at as f64 / (1u64 << 20) as f64)
        } else {
            format!("{} Ki", at >> 10)
        };
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{label}</text>"#,
            x(at as f64),
            H - BOTTOM + 18.0
        );
    }
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">insert number</text>"#,
        (LEFT + W - RIGHT) / 2.0,
        H - 8.0
    );
    for (k, r) in t.rows.iter().enumerate() {
        let colour = COLOURS[k % COLOURS.len()];
        let points: Vec<String> = r
            .series
            .iter()
            .enumerate()
            .map(|(i, v)| {
                format!(
                    "{:.1},{:.1}",
                    x((i as f64 + 0.5) * t.bucket_len as f64),
                    axis.y(*v)
                )
            })
            .collect();
        let width = if r.ours { "2" } else { "1.2" };
        let _ = writeln!(
            s,
            r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="{width}" stroke-opacity="0.85"/>"#,
            points.join(" ")
        );
    }
    frame(&mut s);
    let names: Vec<_> = t.rows.iter().map(|r| (r.system, r.ours)).collect();
    legend(&mut s, &names);
    s.push_str("</svg>\n");
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
            curve: [values[0]; crate::stats::CURVE.len()],
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
        for svg in [percentile_chart(&t), growth_chart(&t)] {
            assert!(svg.starts_with("<svg") && svg.ends_with("</svg>\n"));
            assert!(svg.contains("a &lt; b &amp; c"));
            assert!(!svg.contains("NaN") && !svg.contains("inf"));
        }
    }
}
