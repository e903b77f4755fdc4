//! The latency report: every workload, every system, one process.
//!
//! `cargo run --release -p nexus-slab-benches --bin report [-- --quick] [-- --workload NAME]`
//!
//! Prints one table per workload and value size on stdout, progress on stderr, and writes
//! CSV files and SVG charts to `target/report/`. Instruction counts of the same loops (under
//! callgrind): `bash benches/instructions.sh` (the `instructions` binary).

use nexus_slab_benches::output::{self, table};
use nexus_slab_benches::pin::pin_to_one_cpu;
use nexus_slab_benches::targets;
use nexus_slab_benches::timing::{self, Clock, UNIT};
use nexus_slab_benches::warmup::fault_in_and_release;
use nexus_slab_benches::workloads::{growth, memory, Config, Ctx, Outcome, Workload};
use std::process::ExitCode;
use std::time::Instant;

fn usage() -> String {
    let mut s = String::from(
        "report: latency of nexus-slab's HiSlab and per-thread allocators against slab, slotmap, \
         Box,\nnexus-slab 2.4 (bounded, unbounded) and hislab 0.2.6; its TaggedHiSlab, BufferSlab \
         and sampling;\nits byte allocator against talc, buddy_system_allocator and \
         linked_list_allocator\n\n\
         usage: cargo run --release -p nexus-slab-benches --bin report -- [OPTIONS]\n\n\
         options:\n  \
         --quick            fewer samples (same sizes), for a fast look\n  \
         --workload NAME    run only this workload (may be repeated)\n  \
         --cpu N            pin to CPU N (default: the highest CPU allowed)\n  \
         --out DIR          write CSV and SVG here (default: target/report/)\n  \
         --help             this text\n\nworkloads:\n",
    );
    for w in Workload::ALL {
        s.push_str(&format!("  {:<14} {}\n", w.name, w.describe));
    }
    s.push_str(
        "\ninstructions per operation (churn, batch and steady churn, tight loop; counted by \
         callgrind,\nwhich does not drift as cycles do): bash benches/instructions.sh\n",
    );
    s
}

struct Args {
    quick: bool,
    workloads: Vec<&'static Workload>,
    cpu: Option<usize>,
    out: Option<std::path::PathBuf>,
}

fn parse(argv: impl IntoIterator<Item = String>) -> Result<Option<Args>, lexopt::Error> {
    use lexopt::prelude::*;
    let mut args = Args {
        quick: false,
        workloads: Vec::new(),
        cpu: None,
        out: None,
    };
    let mut p = lexopt::Parser::from_args(argv);
    while let Some(a) = p.next()? {
        match a {
            Long("help") | Short('h') => return Ok(None),
            Long("quick") => args.quick = true,
            Long("workload") => {
                let name = p.value()?.string()?;
                let w = Workload::from_name(&name)
                    .ok_or_else(|| lexopt::Error::from(format!("no workload called {name:?}")))?;
                args.workloads.push(w);
            }
            Long("cpu") => args.cpu = Some(p.value()?.parse()?),
            Long("out") => args.out = Some(p.value()?.into()),
            _ => return Err(a.unexpected()),
        }
    }
    if args.workloads.is_empty() {
        args.workloads = Workload::ALL.to_vec();
    }
    Ok(Some(args))
}

/// `report --memory-probe SYSTEM N PATTERN`: the child of the memory workload.
fn probe(argv: &[String]) -> ExitCode {
    let (Some(system), Some(n), Some(removal)) = (
        argv.get(2),
        argv.get(3).and_then(|n| n.parse().ok()),
        argv.get(4),
    ) else {
        eprintln!(
            "usage: report {} SYSTEM N top90|random90",
            memory::PROBE_FLAG
        );
        return ExitCode::FAILURE;
    };
    match memory::probe(system, n, removal) {
        Ok(readings) => {
            println!("{}", memory::format_readings(&readings));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// `report --growth-probe KIND SYSTEM BYTES N BUCKETS OVERHEAD`: one run of the growth
/// workload's fresh variant.
fn growth_probe(argv: &[String]) -> ExitCode {
    match growth::probe_main(&argv[2..]) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().collect();
    match argv.get(1).map(String::as_str) {
        Some(memory::PROBE_FLAG) => return probe(&argv),
        Some(growth::PROBE_FLAG) => return growth_probe(&argv),
        _ => {}
    }
    let args = match parse(argv.into_iter().skip(1)) {
        Ok(Some(a)) => a,
        Ok(None) => {
            print!("{}", usage());
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("report: {e} (see --help)");
            return ExitCode::FAILURE;
        }
    };
    if !timing::tsc_available() {
        eprintln!("report: this x86-64 CPU has no rdtscp; cannot time");
        return ExitCode::FAILURE;
    }
    let started = Instant::now();
    let run = output::RunInfo::now(cpu_model());
    let pinning = pin_to_one_cpu(args.cpu);
    eprintln!("warming up: faulting in and freeing 1 GiB");
    fault_in_and_release(1 << 30);
    let clock = Clock::calibrate(100_000);
    let ticks = timing::ticks_per_us(100);
    let cfg = if args.quick {
        Config::quick()
    } else {
        Config::full()
    };
    println!(
        "nexus-slab latency report{}",
        if args.quick { " (--quick)" } else { "" }
    );
    println!(
        "  cpu: {}; {}\n  clock: {UNIT}, {ticks:.0} per µs, advancing in steps of {}; \
         empty timestamp pair: {} {UNIT} (subtracted from every sample)",
        run.cpu,
        pinning,
        clock.resolution(),
        clock.overhead()
    );
    println!();
    // The workloads measuring in fresh processes run this binary again as their child.
    let exe = std::env::current_exe().ok();
    let ctx = Ctx { cfg, clock, exe };
    let mut outcomes = Vec::new();
    let total = args.workloads.len();
    for (i, w) in args.workloads.iter().enumerate() {
        let t = Instant::now();
        eprintln!("[{}/{total}] {} ...", i + 1, w.name);
        // One line per table as it starts (the label is "TABLE SYSTEM").
        let mut current = String::new();
        let mut progress = |label: &str| {
            let table = label.split_once(' ').map_or(label, |(t, _)| t);
            if table != current {
                eprintln!("      {table}");
                current = table.to_string();
            }
        };
        let results = (w.run)(&ctx, &mut progress);
        eprintln!(
            "[{}/{total}] {} done in {:.1} s",
            i + 1,
            w.name,
            t.elapsed().as_secs_f64()
        );
        for o in &results {
            match o {
                Outcome::Latency(t) => println!("{}", table::latency(t)),
                Outcome::Memory(m) => println!("{}", table::memory(m)),
                Outcome::Fragmentation(f) => println!("{}", table::fragmentation(f)),
            }
        }
        outcomes.extend(results);
    }
    let checks = targets::check(&outcomes);
    if !checks.is_empty() {
        println!("{}", table::targets(&checks));
    }
    let dir = args.out.unwrap_or_else(output::report_dir);
    match output::write_dir(&dir, &outcomes, &checks, &run) {
        Ok(files) => {
            let shown = dir.canonicalize().unwrap_or(dir.clone());
            println!("wrote {} files to {}", files.len(), shown.display());
        }
        Err(e) => {
            eprintln!("report: writing {}: {e}", dir.display());
            return ExitCode::FAILURE;
        }
    }
    eprintln!("total {:.1} s", started.elapsed().as_secs_f64());
    ExitCode::SUCCESS
}
