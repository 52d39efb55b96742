//! metal-io's benchmark suite: metal-io against mio, polling and a raw
//! epoll loop, in one process and in interleaved rounds.
//!
//! Run `cargo run --release -p metal-io-bench -- --help` for the options;
//! bench/README.md explains the scenarios and how figures are counted.

use std::io::{self, IsTerminal, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

mod backend;
mod callgrind;
mod driver;
mod machine;
mod measure;
mod report;
mod results;
mod scenario;
mod stats;
mod svg;

use results::{Results, Row, Slot};
use scenario::{BackendId, Better, Budget, Metric, COUNTS};

#[global_allocator]
static ALLOCATOR: measure::Counting = measure::Counting;

const HELP: &str = "\
metal-io-bench: metal-io against mio, polling and a raw epoll loop

USAGE:
    cargo run --release -p metal-io-bench -- [OPTIONS]

Runs every scenario over every backend in interleaved rounds (each round
runs metal-io, mio, polling, raw epoll and a second mio run, the A/A
control, in a rotating order), then prints a table and writes results.md,
results.csv, rounds.csv and results.svg.

OPTIONS:
    --quick              every scenario briefly (seconds in all), for CI;
                         results go to a temporary folder unless --out
    --rounds N           rounds per scenario (default 11, quick 3)
    --slice MS           milliseconds per backend per run (default 250,
                         quick 15)
    --out DIR            where to write results (default bench/results)
    --only LIST          scenarios to run, by number: e.g. 1,3,7
    --no-callgrind       skip the instruction counts under valgrind
    --no-pin             let the scheduler place the threads of scenarios
                         1, 3 and 7 instead of pinning them
    --help               this text

SINGLE-RUN MODE (for profilers such as callgrind, perf or strace):
    --scenario pingpong|churn --backend NAME --iterations N [--no-counters]
        runs N ping-pong round trips (or about N register + deregister
        pairs) on one backend (metal-io, mio, polling, raw) and prints what
        was counted; --no-counters leaves perf_event_open(2) alone (under
        valgrind or strace)

SCENARIOS:
    1 ping-pong latency      5 idle scaling (10, 1,000, 10,000 idle)
    2 echo throughput        6 memory per registered socket
    3 waker round trip       7 wakes while the loop is busy
    4 registration churn     8 system calls and instructions per round trip
";

/// Parsed command line.
struct Options {
    quick: bool,
    rounds: Option<usize>,
    slice: Option<u64>,
    out: Option<PathBuf>,
    only: Option<Vec<u32>>,
    callgrind: bool,
    single: Option<(Single, BackendId, u64)>,
}

/// What the single-run mode runs.
#[derive(Clone, Copy)]
enum Single {
    PingPong,
    Churn,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        quick: false,
        rounds: None,
        slice: None,
        out: None,
        only: None,
        callgrind: true,
        single: None,
    };
    let mut scenario = None;
    let mut backend = None;
    let mut iterations = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        let number = |v: String| v.parse::<u64>().map_err(|_| format!("not a number: {v}"));
        match arg.as_str() {
            "--help" | "-h" => {
                print!("{HELP}");
                std::process::exit(0);
            }
            "--quick" => o.quick = true,
            "--rounds" => o.rounds = Some(number(value(&arg)?)?.max(1) as usize),
            "--slice" => o.slice = Some(number(value(&arg)?)?.max(1)),
            "--out" => o.out = Some(PathBuf::from(value(&arg)?)),
            "--only" => {
                let list = value(&arg)?;
                let ids = list
                    .split(',')
                    .map(|s| {
                        s.trim()
                            .parse::<u32>()
                            .map_err(|_| format!("bad scenario: {s}"))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                o.only = Some(ids);
            }
            "--no-callgrind" => o.callgrind = false,
            "--no-pin" => scenario::common::disable_pinning(),
            "--no-counters" => measure::disable(),
            "--scenario" => scenario = Some(value(&arg)?),
            "--backend" => {
                let name = value(&arg)?;
                backend = Some(BackendId::parse(&name).ok_or(format!("unknown backend: {name}"))?);
            }
            "--iterations" => iterations = Some(number(value(&arg)?)?.max(1)),
            other => return Err(format!("unknown option: {other} (try --help)")),
        }
    }

    let which = match scenario.as_deref() {
        None => None,
        Some("pingpong") => Some(Single::PingPong),
        Some("churn") => Some(Single::Churn),
        Some(s) => {
            return Err(format!(
                "single-run mode knows 'pingpong' and 'churn', not '{s}'"
            ))
        }
    };
    match (which, backend, iterations) {
        (None, None, None) => {}
        (Some(s), Some(b), Some(n)) => o.single = Some((s, b, n)),
        _ => return Err("single-run mode needs --scenario, --backend and --iterations".into()),
    }
    Ok(o)
}

/// The single-run mode: one backend, N ping-pong round trips or N
/// register + deregister pairs.
fn single(which: Single, backend: BackendId, iterations: u64) -> io::Result<()> {
    if let Single::Churn = which {
        use scenario::Scenario;
        let mut churn = scenario::churn::Churn::default();
        churn.setup()?;
        let budget = Budget {
            slice: Duration::from_secs(3600),
            max_iterations: iterations,
        };
        let v = churn.run(backend, &budget)?;
        println!(
            "backend={} pairs_per_s={:.0} syscalls_per_pair={:.3}",
            backend.name(),
            v[0],
            v[1]
        );
        return Ok(());
    }

    let pair = scenario::common::pairs(1)?
        .pop()
        .ok_or_else(|| io::Error::other("no pair"))?;
    let out = scenario::dispatch!(backend, D => scenario::pingpong::run::<D>(pair, iterations, None, false))?;
    let show = |v: Option<u64>| v.map_or("n/a".to_string(), |v| v.to_string());
    println!(
        "backend={} round_trips={} elapsed_ns={} syscalls={} instructions={} allocs={}",
        backend.name(),
        out.round_trips,
        out.elapsed.as_nanos(),
        show(out.counts.syscalls),
        show(out.counts.instructions),
        out.counts.allocs
    );
    Ok(())
}

/// Writes the progress line, in place on a terminal.
struct Progress {
    tty: bool,
    start: Instant,
}

impl Progress {
    fn show(&self, text: &str) {
        let mut err = io::stderr().lock();
        if self.tty {
            let _ = write!(
                err,
                "\r\x1b[2K[{:6.1}s] {text}",
                self.start.elapsed().as_secs_f64()
            );
        } else {
            let _ = writeln!(err, "[{:6.1}s] {text}", self.start.elapsed().as_secs_f64());
        }
        let _ = err.flush();
    }

    fn done(&self) {
        if self.tty {
            eprint!("\r\x1b[2K");
        }
    }
}

/// The section a metric is reported under.
fn section(title: &str, metric: &Metric) -> String {
    metric
        .section
        .map_or_else(|| title.to_string(), str::to_string)
}

fn run_suite(o: &Options, results: &mut Results, progress: &Progress) {
    let budget = Budget {
        slice: Duration::from_millis(o.slice.unwrap_or(if o.quick { 15 } else { 250 })),
        max_iterations: if o.quick { 20_000 } else { 10_000_000 },
    };
    results.rounds = o.rounds.unwrap_or(if o.quick { 3 } else { 11 });

    for mut sc in scenario::all() {
        let title = sc.title();
        let number: u32 = title
            .split(' ')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        if o.only.as_ref().is_some_and(|only| !only.contains(&number)) {
            continue;
        }
        let metrics = sc.metrics();
        let first = results.rows.len();
        for m in &metrics {
            let sec = section(&title, m);
            if !results.scenarios.contains(&sec) {
                results.scenarios.push(sec.clone());
            }
            results.rows.push(Row::new(&sec, m.clone()));
        }

        progress.show(&format!("{title}: setting up"));
        if let Err(e) = sc.setup() {
            results.failures.push(format!("{title}: setup failed: {e}"));
            continue;
        }
        for round in 0..results.rounds {
            for k in 0..Slot::ALL.len() {
                let slot = Slot::ALL[(k + round) % Slot::ALL.len()];
                progress.show(&format!(
                    "{title}: round {}/{}, {}",
                    round + 1,
                    results.rounds,
                    slot.name()
                ));
                let values = match sc.run(slot.backend, &budget) {
                    Ok(v) => v,
                    Err(e) => {
                        results
                            .failures
                            .push(format!("{title} / {}: {e}", slot.name()));
                        // The run may have lost its sockets: start afresh.
                        if let Err(e) = sc.setup() {
                            results.failures.push(format!("{title}: setup failed: {e}"));
                        }
                        vec![f64::NAN; metrics.len()]
                    }
                };
                for (i, v) in values.into_iter().enumerate().take(metrics.len()) {
                    results.rows[first + i].values[slot.index()].push(v);
                }
            }
        }
    }
}

/// Adds callgrind's instruction counts to the per-round-trip section.
fn run_callgrind(o: &Options, results: &mut Results, progress: &Progress) {
    let have_perf = results
        .rows
        .iter()
        .find(|r| r.metric.key == "pingpong_instructions")
        .is_some_and(|r| r.values[0].iter().any(|v| v.is_finite()));
    let wanted = o
        .only
        .as_ref()
        .is_none_or(|only| only.contains(&8) || only.contains(&1));
    if have_perf || !o.callgrind || !wanted {
        return;
    }
    if !callgrind::available() {
        results
            .methods
            .push("Instructions: not counted (no hardware counter and no valgrind).".into());
        return;
    }

    let (small, large) = if o.quick { (200, 600) } else { (2_000, 6_000) };
    let repeats = if o.quick { 1 } else { 3 };
    // Not exact: how often a thread finds data already there, and so how
    // many waits and reads a round trip takes, varies a little between
    // runs even under valgrind.
    let mut row = Row::new(
        COUNTS,
        Metric::timed(
            "pingpong_instructions_callgrind",
            "user-space instructions per round trip (callgrind)",
            "instr",
            Better::Lower,
        ),
    );
    for rep in 0..repeats {
        for slot in Slot::ALL {
            progress.show(&format!(
                "{COUNTS}: callgrind {}/{repeats}, {}",
                rep + 1,
                slot.name()
            ));
            match callgrind::per_round_trip(slot.backend, small, large) {
                Ok(v) => row.values[slot.index()].push(v),
                Err(e) => results
                    .failures
                    .push(format!("callgrind / {}: {e}", slot.name())),
            }
        }
    }
    if !results.scenarios.iter().any(|s| s == COUNTS) {
        results.scenarios.push(COUNTS.to_string());
    }
    results.rows.push(row);
    results.methods.push(format!(
        "Instructions: `valgrind --tool=callgrind` on this binary's single-run mode \
         with {small} and {large} round trips; the difference divided by {} is one \
         round trip, client and server threads together, user space only \
         ({repeats} run(s) per backend).",
        large - small
    ));
}

fn write_outputs(dir: &PathBuf, results: &Results, machine: &machine::Machine) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(
        dir.join("results.md"),
        report::markdown(results, machine, "results.svg"),
    )?;
    std::fs::write(dir.join("results.csv"), report::summary_csv(results))?;
    std::fs::write(dir.join("rounds.csv"), report::rounds_csv(results))?;
    std::fs::write(
        dir.join("results.svg"),
        svg::chart(results, &machine.line()),
    )?;
    Ok(())
}

fn main() -> ExitCode {
    let o = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    scenario::common::raise_descriptor_limit();

    if let Some((which, backend, n)) = o.single {
        return match single(which, backend, n) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        };
    }

    let machine = machine::Machine::detect();
    println!("metal-io-bench on {}", machine.line());
    let progress = Progress {
        tty: io::stderr().is_terminal(),
        start: Instant::now(),
    };
    let mut results = Results::default();
    results
        .methods
        .push(if measure::available(measure::Kind::Syscalls) {
            "System calls: counted per thread over each measured loop with \
         perf_event_open(2) on the raw_syscalls:sys_enter tracepoint (what \
         `perf stat -e raw_syscalls:sys_enter` counts)."
                .into()
        } else {
            "System calls: not counted (perf_event_open(2) on the raw_syscalls \
         tracepoint is not allowed here); run the single-run mode under \
         `strace -c -f` instead."
                .into()
        });
    results.methods.push(
        "Allocations and heap bytes: a counting global allocator wrapping the system's.".into(),
    );
    results.methods.push(
        "Kernel memory: per-thread counters on the kmem:kmem_cache_alloc and kmem:kmalloc \
         tracepoints, one per slab object size, around the registration loop."
            .into(),
    );

    run_suite(&o, &mut results, &progress);
    run_callgrind(&o, &mut results, &progress);
    results.seconds = progress.start.elapsed().as_secs_f64();
    progress.done();

    print!("{}", report::terminal(&results));
    for f in &results.failures {
        eprintln!("failure: {f}");
    }

    let dir = o.out.clone().unwrap_or_else(|| {
        if o.quick {
            std::env::temp_dir().join("metal-io-bench-quick")
        } else {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/results"))
        }
    });
    match write_outputs(&dir, &results, &machine) {
        Ok(()) => println!("results written to {}", dir.display()),
        Err(e) => {
            eprintln!("error: cannot write results to {}: {e}", dir.display());
            return ExitCode::FAILURE;
        }
    }
    if results.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
