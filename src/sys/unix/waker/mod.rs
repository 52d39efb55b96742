//! Picks what interrupts a blocked wait on this system.
//!
//! An `eventfd(2)` where the selector is epoll; `EVFILT_USER` on kqueue
//! systems that have it; a pipe elsewhere, or with
//! `--cfg metal_io_force_pipe_waker`.

#[cfg(all(
    not(metal_io_force_pipe_waker),
    not(metal_io_force_poll),
    any(target_os = "linux", target_os = "android", target_os = "illumos")
))]
mod eventfd;
#[cfg(all(
    not(metal_io_force_pipe_waker),
    not(metal_io_force_poll),
    any(target_os = "linux", target_os = "android", target_os = "illumos")
))]
pub(crate) use self::eventfd::WakerSignal;
