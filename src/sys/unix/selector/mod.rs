//! Picks the selector for this system.
//!
//! epoll on Linux, Android and illumos; kqueue on Apple systems and the
//! BSDs; `poll(2)` everywhere else, and wherever `--cfg metal_io_force_poll`
//! asks for it. This file and `waker/mod.rs` are the only places that name
//! systems to choose a backend.

#[cfg(all(
    not(metal_io_force_poll),
    any(target_os = "android", target_os = "illumos", target_os = "linux")
))]
mod epoll;
#[cfg(all(
    not(metal_io_force_poll),
    any(target_os = "android", target_os = "illumos", target_os = "linux")
))]
pub(crate) use self::epoll::{event, Event, Events, Selector};

#[cfg(all(
    not(metal_io_force_poll),
    any(
        target_os = "dragonfly",
        target_os = "freebsd",
        target_os = "ios",
        target_os = "macos",
        target_os = "netbsd",
        target_os = "openbsd",
        target_os = "tvos",
        target_os = "visionos",
        target_os = "watchos",
    )
))]
pub(crate) mod kqueue;
#[cfg(all(
    not(metal_io_force_poll),
    any(
        target_os = "dragonfly",
        target_os = "freebsd",
        target_os = "ios",
        target_os = "macos",
        target_os = "netbsd",
        target_os = "openbsd",
        target_os = "tvos",
        target_os = "visionos",
        target_os = "watchos",
    )
))]
pub(crate) use self::kqueue::{event, Event, Events, Selector};

// The kqueue rules are plain functions, built everywhere so that their unit
// tests run on every Unix, Linux included.
pub(crate) mod kqueue_logic;

#[cfg(any(
    metal_io_force_poll,
    not(any(
        target_os = "android",
        target_os = "illumos",
        target_os = "linux",
        target_os = "dragonfly",
        target_os = "freebsd",
        target_os = "ios",
        target_os = "macos",
        target_os = "netbsd",
        target_os = "openbsd",
        target_os = "tvos",
        target_os = "visionos",
        target_os = "watchos",
    ))
))]
pub(crate) mod poll;
#[cfg(any(
    metal_io_force_poll,
    not(any(
        target_os = "android",
        target_os = "illumos",
        target_os = "linux",
        target_os = "dragonfly",
        target_os = "freebsd",
        target_os = "ios",
        target_os = "macos",
        target_os = "netbsd",
        target_os = "openbsd",
        target_os = "tvos",
        target_os = "visionos",
        target_os = "watchos",
    ))
))]
pub(crate) use self::poll::{event, Event, Events, Selector};
