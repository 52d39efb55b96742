//! Picks what interrupts a blocked wait on this system.
//!
//! An `eventfd(2)` where the selector is epoll; `EVFILT_USER` on kqueue
//! systems that have it; a registered pipe on OpenBSD, or with
//! `--cfg metal_io_force_pipe_waker`. The `poll(2)` selector has a wake-up
//! pipe of its own, and its signal (in `selector/poll.rs`) writes to it.

// The configuration that uses an eventfd: epoll, no pipe asked for.
#[cfg(all(
    not(metal_io_force_pipe_waker),
    not(metal_io_force_poll),
    any(target_os = "android", target_os = "illumos", target_os = "linux")
))]
mod eventfd;
#[cfg(all(
    not(metal_io_force_pipe_waker),
    not(metal_io_force_poll),
    any(target_os = "android", target_os = "illumos", target_os = "linux")
))]
pub(crate) use self::eventfd::WakerSignal;

// Every other configuration has a use for a pipe: as the signal, as the
// fallback of `EVFILT_USER`, or inside the `poll(2)` selector.
#[cfg(not(all(
    not(metal_io_force_pipe_waker),
    not(metal_io_force_poll),
    any(target_os = "android", target_os = "illumos", target_os = "linux")
)))]
mod pipe;
#[cfg(not(all(
    not(metal_io_force_pipe_waker),
    not(metal_io_force_poll),
    any(target_os = "android", target_os = "illumos", target_os = "linux")
)))]
#[allow(unused_imports)]
pub(crate) use self::pipe::Pipe;

#[cfg(all(
    not(metal_io_force_pipe_waker),
    not(metal_io_force_poll),
    any(
        target_os = "dragonfly",
        target_os = "freebsd",
        target_os = "ios",
        target_os = "macos",
        target_os = "netbsd",
        target_os = "tvos",
        target_os = "visionos",
        target_os = "watchos",
    )
))]
mod kqueue;
#[cfg(all(
    not(metal_io_force_pipe_waker),
    not(metal_io_force_poll),
    any(
        target_os = "dragonfly",
        target_os = "freebsd",
        target_os = "ios",
        target_os = "macos",
        target_os = "netbsd",
        target_os = "tvos",
        target_os = "visionos",
        target_os = "watchos",
    )
))]
pub(crate) use self::kqueue::WakerSignal;

// The pipe as the signal: asked for, or OpenBSD, on epoll or kqueue.
#[cfg(all(
    not(metal_io_force_poll),
    any(metal_io_force_pipe_waker, target_os = "openbsd"),
    any(
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
    )
))]
pub(crate) use self::pipe::WakerSignal;

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
pub(crate) use super::selector::poll::WakerSignal;
