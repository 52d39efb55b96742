//! Instructions per round trip through `valgrind --tool=callgrind`, for
//! machines whose kernel offers no hardware instruction counter (virtual
//! machines often do not).
//!
//! The benchmark binary runs itself under callgrind in its single-scenario
//! mode (`--scenario pingpong --backend X --iterations N --no-counters`),
//! twice with different N. The difference of the two totals, divided by
//! the difference of N, is the user-space instructions of one round trip,
//! client and server together; start-up and set-up cancel out.

use std::process::Command;

use crate::scenario::BackendId;

/// Whether valgrind can be run.
pub fn available() -> bool {
    Command::new("valgrind")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Total instructions of one run of the ping-pong mode.
fn collected(backend: BackendId, iterations: u64) -> Result<u64, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = Command::new("valgrind")
        .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
        .arg(exe)
        .args(["--scenario", "pingpong", "--backend", backend.name()])
        .args(["--iterations", &iterations.to_string(), "--no-counters"])
        .output()
        .map_err(|e| format!("cannot run valgrind: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "valgrind failed: {}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("")
        ));
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    stderr
        .lines()
        .find_map(|l| l.split("Collected :").nth(1))
        .and_then(|n| n.trim().parse().ok())
        .ok_or_else(|| "no 'Collected' line in callgrind's output".to_string())
}

/// User-space instructions per ping-pong round trip.
pub fn per_round_trip(backend: BackendId, small: u64, large: u64) -> Result<f64, String> {
    let a = collected(backend, small)?;
    let b = collected(backend, large)?;
    Ok((b as f64 - a as f64) / (large - small) as f64)
}
