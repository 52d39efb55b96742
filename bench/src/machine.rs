//! What the results were measured on.

use std::fs;
use std::process::Command;

/// The machine and the versions under test.
#[derive(Debug, Clone)]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub kernel: String,
    pub rustc: String,
    pub versions: Vec<(String, String)>,
}

/// The model name from `lscpu`, with the family and model numbers, which
/// tell the generation where a virtual machine hides the full name.
fn lscpu_model() -> Option<String> {
    let out = Command::new("lscpu").output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().to_string())
    };
    let name = field("Model name:")?;
    match (field("CPU family:"), field("Model:")) {
        (Some(family), Some(model)) => Some(format!("{name} (family {family}, model {model})")),
        _ => Some(name),
    }
}

fn cpuinfo_model() -> Option<String> {
    let text = fs::read_to_string("/proc/cpuinfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("model name"))?;
    Some(line.split_once(':')?.1.trim().to_string())
}

/// Versions of the compared crates, from the workspace's lock file.
fn locked_versions() -> Vec<(String, String)> {
    let lock = concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.lock");
    let text = fs::read_to_string(lock).unwrap_or_default();
    let mut out = Vec::new();
    let mut name = None;
    for line in text.lines() {
        if let Some(n) = line.strip_prefix("name = ") {
            name = Some(n.trim_matches('"').to_string());
        } else if let Some(v) = line.strip_prefix("version = ") {
            if let Some(n) = name.take() {
                if ["metal-io", "mio", "polling", "libc", "rustix"].contains(&n.as_str()) {
                    out.push((n, v.trim_matches('"').to_string()));
                }
            }
        }
    }
    out
}

impl Machine {
    pub fn detect() -> Machine {
        let cpu = lscpu_model()
            .or_else(cpuinfo_model)
            .unwrap_or_else(|| "unknown CPU".to_string());
        let rustc = Command::new("rustc")
            .arg("-V")
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "rustc (unknown version)".to_string());
        Machine {
            cpu,
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            kernel: fs::read_to_string("/proc/sys/kernel/osrelease")
                .map(|s| s.trim().to_string())
                .unwrap_or_else(|_| "unknown".to_string()),
            rustc,
            versions: locked_versions(),
        }
    }

    /// One line for the terminal and the chart.
    pub fn line(&self) -> String {
        format!(
            "{}, {} cores, Linux {}, {}",
            self.cpu, self.cores, self.kernel, self.rustc
        )
    }

    pub fn markdown(&self) -> String {
        let versions: Vec<String> = self
            .versions
            .iter()
            .map(|(n, v)| format!("{n} {v}"))
            .collect();
        format!(
            "- CPU: {}\n- Cores available: {}\n- Kernel: Linux {}\n- Compiler: {}\n- Crates: {}",
            self.cpu,
            self.cores,
            self.kernel,
            self.rustc,
            versions.join(", ")
        )
    }
}
