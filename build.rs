//! Chooses the Unix selector and waker signal, once, for the whole crate.
//!
//! The sources test the cfgs set here instead of repeating lists of
//! systems:
//!
//! - the selector: `metal_io_epoll` (Linux, Android, illumos),
//!   `metal_io_kqueue` (Apple systems and the BSDs) or `metal_io_poll`
//!   (every other Unix, and any Unix built with `--cfg metal_io_force_poll`);
//! - the waker signal: `metal_io_eventfd` on epoll, `metal_io_evfilt_user`
//!   on kqueue systems that have `EVFILT_USER`, `metal_io_pipe_signal`
//!   where a registered pipe serves (OpenBSD, or any epoll or kqueue system
//!   built with `--cfg metal_io_force_pipe_waker`). The `poll(2)` selector
//!   brings its own signal.
//!
//! None of them is set on Windows.

use std::env;

const EPOLL: &[&str] = &["android", "illumos", "linux"];
const KQUEUE: &[&str] = &[
    "dragonfly",
    "freebsd",
    "ios",
    "macos",
    "netbsd",
    "openbsd",
    "tvos",
    "visionos",
    "watchos",
];

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    for cfg in [
        "metal_io_epoll",
        "metal_io_kqueue",
        "metal_io_poll",
        "metal_io_eventfd",
        "metal_io_evfilt_user",
        "metal_io_pipe_signal",
    ] {
        println!("cargo::rustc-check-cfg=cfg({cfg})");
    }

    // Cargo passes the target's cfgs, those from RUSTFLAGS included, as
    // `CARGO_CFG_*` variables.
    let unix = env::var("CARGO_CFG_TARGET_FAMILY").is_ok_and(|f| f.split(',').any(|f| f == "unix"));
    if !unix {
        return;
    }
    let os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let force_poll = env::var_os("CARGO_CFG_METAL_IO_FORCE_POLL").is_some();
    let force_pipe = env::var_os("CARGO_CFG_METAL_IO_FORCE_PIPE_WAKER").is_some();

    let selector = if force_poll {
        "metal_io_poll"
    } else if EPOLL.contains(&os.as_str()) {
        "metal_io_epoll"
    } else if KQUEUE.contains(&os.as_str()) {
        "metal_io_kqueue"
    } else {
        "metal_io_poll"
    };
    println!("cargo::rustc-cfg={selector}");

    let signal = match selector {
        "metal_io_poll" => None,
        "metal_io_epoll" if !force_pipe => Some("metal_io_eventfd"),
        "metal_io_kqueue" if !force_pipe && os != "openbsd" => Some("metal_io_evfilt_user"),
        _ => Some("metal_io_pipe_signal"),
    };
    if let Some(signal) = signal {
        println!("cargo::rustc-cfg={signal}");
    }
}
