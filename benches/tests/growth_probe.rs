//! The growth workload's fresh variant: its runs in child processes of the report binary.

use nexus_slab_benches::timing::Clock;
use nexus_slab_benches::workloads::growth::{self, Kind, Probe};
use nexus_slab_benches::workloads::{Config, Ctx};
use std::path::Path;
use std::process::Command;

fn report() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_report"))
}

fn probe(kind: Kind, system: &str) -> Probe {
    Probe {
        kind,
        system: system.into(),
        bytes: 32,
        n: 1 << 12,
        buckets: 16,
        overhead: 0,
    }
}

#[test]
fn probe_runs_in_a_child_and_its_output_parses() {
    for system in ["slab", "alloc unbounded"] {
        let timed = probe(Kind::Timed, system)
            .run_in_child(report())
            .expect("timed probe");
        let rec = timed.rec.expect("a timed run sends its samples");
        assert_eq!(rec.samples(), 1 << 12, "{system}");
        assert_eq!(timed.series.len(), 16, "{system}");
        assert!(timed.loop_ns > 0, "{system}");
        // A store growing to 4096 values of 32 bytes takes at least one new page.
        assert!(timed.faults.is_some_and(|f| f > 0), "{system}");

        let wall = probe(Kind::Wall, system)
            .run_in_child(report())
            .expect("wall probe");
        assert!(wall.rec.is_none() && wall.series.is_empty(), "{system}");
        assert!(wall.loop_ns > 0, "{system}");
    }
}

#[test]
fn probe_rejects_an_unknown_system() {
    let err = probe(Kind::Timed, "nonexistent")
        .run_in_child(report())
        .err()
        .expect("no such system");
    assert!(err.contains("no system called \"nonexistent\""), "{err}");
    // Bad arguments: a usage message and a failing exit, nothing on stdout.
    let out = Command::new(report())
        .args([growth::PROBE_FLAG, "timed", "slab", "32"])
        .output()
        .expect("report runs");
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("usage"));
}

#[test]
fn fresh_and_warm_tables_at_tiny_sizes() {
    let ctx = Ctx {
        cfg: Config::tiny(),
        clock: Clock::raw(),
        exe: Some(report().to_path_buf()),
    };
    let tables = growth::tables(&ctx, &mut |_| {});
    let ids: Vec<_> = tables.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "growth_fresh_32B",
            "growth_warm_32B",
            "growth_fresh_256B",
            "growth_warm_256B"
        ]
    );
    for t in &tables {
        assert_eq!(t.rows.len(), 9, "{}", t.id);
        for r in &t.rows {
            let g = r.growth.expect("growth figures");
            let len = growth::SIZES.of(&ctx.cfg).len;
            assert_eq!(r.summary.samples, len as u64, "{}", t.id);
            assert!(g.wall_ns > 0.0, "{} {}", t.id, r.system);
            assert!(g.faults_per_mi.is_some(), "{} {}", t.id, r.system);
        }
    }
}
