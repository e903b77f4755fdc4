//! Instructions per operation of the report's tight loops, for every system (and the
//! remote-free workload's owner-local churn, `SendSlot` against `Slot`): the figure cycles
//! cannot give (they drift with the machine; instruction counts do not).
//!
//! `bash benches/instructions.sh` runs every case under callgrind and prints the table. By
//! hand:
//!
//! - `instructions --list`: one case per line, `WORKLOAD<TAB>BYTES<TAB>SYSTEM`;
//! - `instructions WORKLOAD BYTES SYSTEM`: sets the case up (store built, steady churn's
//!   store filled, one warm-up pass of the loop), then runs the timed loop's body of the
//!   report (`workloads::setup::{churn_loop, batch_loop, steady_loop}` in the tight shape)
//!   inside [`counted_region`], and prints the operations it ran. Under
//!   `valgrind --tool=callgrind --toggle-collect='*counted_region*'` only that call is
//!   counted, callees (`malloc`, a store's out-of-line paths) included.

use nexus_slab_benches::payload::{Payload, V256, V32};
use nexus_slab_benches::systems::{each_system, IndexSlab, Visit};
use nexus_slab_benches::workloads::busy::Busywork;
use nexus_slab_benches::workloads::setup::{
    batch_loop, churn_loop, drop_all, fill, positions, steady_loop, SEED,
};
use nexus_slab_benches::workloads::Config;
use std::process::ExitCode;

/// Timestamp pairs' worth of operations counted per case.
const REPS: usize = 2_000;

/// The workloads counted.
const WORKLOADS: [&str; 3] = ["churn", "batch", "steady-churn"];

/// The only function callgrind counts (`--toggle-collect='*counted_region*'`): runs `f`.
#[inline(never)]
fn counted_region(f: impl FnOnce()) {
    f();
}

/// The next `ops` positions of `pos` from `at` (from the start again when they would run
/// past the end), as the report's steady churn walks them.
fn window<'p>(pos: &'p [u32], at: &mut usize, ops: usize) -> &'p [u32] {
    if *at + ops > pos.len() {
        *at = 0;
    }
    *at += ops;
    &pos[*at - ops..*at]
}

/// One case: runs it when `system` is the one visited.
struct Case<'a> {
    workload: &'a str,
    system: &'a str,
    cfg: Config,
    /// Operations counted, once the case has run.
    ops: Option<usize>,
}

impl<V: Payload> Visit<V> for Case<'_> {
    fn visit<S: IndexSlab<V>>(&mut self) {
        if S::NAME != self.system {
            return;
        }
        let cfg = &self.cfg;
        let mut busy = Busywork::new();
        self.ops = match self.workload {
            "churn" => {
                let ops = cfg.loop_batch;
                let mut s = S::with_capacity(1 << 20);
                let mut seed = 0u64;
                churn_loop::<V, S, true, false>(&mut s, &mut seed, ops, &mut busy);
                counted_region(|| {
                    for _ in 0..REPS {
                        churn_loop::<V, S, true, false>(&mut s, &mut seed, ops, &mut busy);
                    }
                });
                Some(REPS * ops)
            }
            "batch" => {
                let len = cfg.batch_len;
                let mut s = S::with_capacity(1 << 20);
                let mut handles = Vec::with_capacity(len);
                let mut seed = 0u64;
                batch_loop::<V, S, true, false>(&mut s, &mut handles, &mut seed, len, &mut busy);
                counted_region(|| {
                    for _ in 0..REPS {
                        batch_loop::<V, S, true, false>(
                            &mut s,
                            &mut handles,
                            &mut seed,
                            len,
                            &mut busy,
                        );
                    }
                });
                Some(REPS * len)
            }
            "steady-churn" => {
                let ops = cfg.loop_batch;
                let mut s = S::with_capacity(cfg.live);
                let mut handles = fill(&mut s, cfg.live);
                let pos = positions(cfg.live, 1 << 16, SEED);
                let mut seed = cfg.live as u64;
                let mut at = 0;
                let ps = window(&pos, &mut at, ops);
                steady_loop::<V, S, true, false>(&mut s, &mut handles, ps, &mut seed, &mut busy);
                counted_region(|| {
                    for _ in 0..REPS {
                        let ps = window(&pos, &mut at, ops);
                        steady_loop::<V, S, true, false>(
                            &mut s,
                            &mut handles,
                            ps,
                            &mut seed,
                            &mut busy,
                        );
                    }
                });
                drop_all(s, handles);
                Some(REPS * ops)
            }
            _ => None,
        };
    }
}

nexus_slab::create_allocator!(owned, V32);

/// The owner-local churn of the remote-free workload: insert + drop on the allocator's own
/// thread, a `SendSlot` (`name::insert_send`) or a `Slot`, the reference through
/// `black_box` as there. Operations run, or `None` for another system name.
fn owner_local(system: &str, ops: usize) -> Option<usize> {
    use std::hint::black_box;
    owned::init().bounded(1 << 20).build();
    let run = |send: bool| {
        for seed in 0..ops as u64 {
            if send {
                let slot = owned::insert_send(V32::new(seed));
                black_box(&*slot);
            } else {
                let slot = owned::insert(V32::new(seed));
                black_box(&*slot);
            }
        }
    };
    let send = match system {
        "SendSlot" => true,
        "Slot" => false,
        _ => return None,
    };
    run(send);
    counted_region(|| {
        for _ in 0..REPS {
            run(send);
        }
    });
    Some(REPS * ops)
}

/// Names of the systems, in table order.
struct Names(Vec<&'static str>);

impl Visit<V32> for Names {
    fn visit<S: IndexSlab<V32>>(&mut self) {
        self.0.push(S::NAME);
    }
}

/// What the command line asks for.
enum Command {
    /// `--list`.
    List,
    /// `WORKLOAD BYTES SYSTEM`.
    Case(String, String, String),
}

const USAGE: &str = "usage: instructions --list | instructions WORKLOAD BYTES SYSTEM\n\
                     (bash benches/instructions.sh runs every case under callgrind)";

fn parse() -> Result<Command, lexopt::Error> {
    use lexopt::prelude::*;
    let mut p = lexopt::Parser::from_env();
    let mut list = false;
    let mut free = Vec::new();
    while let Some(a) = p.next()? {
        match a {
            Long("list") => list = true,
            Value(v) => free.push(v.string()?),
            _ => return Err(a.unexpected()),
        }
    }
    match (list, <[String; 3]>::try_from(free)) {
        (true, Err(free)) if free.is_empty() => Ok(Command::List),
        (false, Ok([w, b, s])) => Ok(Command::Case(w, b, s)),
        _ => Err("expected --list alone, or WORKLOAD BYTES SYSTEM".into()),
    }
}

fn main() -> ExitCode {
    let command = match parse() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("instructions: {e}\n{USAGE}");
            return ExitCode::FAILURE;
        }
    };
    match command {
        Command::List => {
            let mut names = Names(Vec::new());
            each_system(&mut names);
            for w in WORKLOADS {
                for bytes in [V32::BYTES, V256::BYTES] {
                    for n in &names.0 {
                        println!("{w}\t{bytes}\t{n}");
                    }
                }
            }
            for n in ["SendSlot", "Slot"] {
                println!("owner-local\t{}\t{n}", V32::BYTES);
            }
            ExitCode::SUCCESS
        }
        Command::Case(workload, bytes, system) => {
            if (workload.as_str(), bytes.as_str()) == ("owner-local", "32") {
                let ops = Config::full().loop_batch;
                if let Some(ops) = owner_local(&system, ops) {
                    println!("{ops}");
                    return ExitCode::SUCCESS;
                }
            }
            let mut case = Case {
                workload: workload.as_str(),
                system: system.as_str(),
                cfg: Config::full(),
                ops: None,
            };
            match bytes.as_str() {
                "32" => each_system::<V32, _>(&mut case),
                "256" => each_system::<V256, _>(&mut case),
                _ => {}
            }
            match case.ops {
                Some(ops) => {
                    println!("{ops}");
                    ExitCode::SUCCESS
                }
                None => {
                    eprintln!("instructions: no case {workload} {bytes} {system:?} (see --list)");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
