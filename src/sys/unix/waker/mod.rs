//! Picks what interrupts a blocked wait on this system.
//!
//! An `eventfd(2)` where the selector is epoll; `EVFILT_USER` on kqueue
//! systems that have it; a registered pipe on OpenBSD, or with
//! `--cfg metal_io_force_pipe_waker`. The `poll(2)` selector has a wake-up
//! pipe of its own, and its signal (in `selector/poll.rs`) writes to it.
//! The crate's `build.rs` makes the choice and sets `metal_io_eventfd`,
//! `metal_io_evfilt_user` or `metal_io_pipe_signal`; this file maps it to a
//! module.

// The configuration that uses an eventfd: epoll, no pipe asked for.
#[cfg(metal_io_eventfd)]
mod eventfd;
#[cfg(metal_io_eventfd)]
pub(crate) use self::eventfd::WakerSignal;

// Every other configuration has a use for a pipe: as the signal, as the
// fallback of `EVFILT_USER`, or inside the `poll(2)` selector.
#[cfg(not(metal_io_eventfd))]
mod pipe;
#[cfg(not(metal_io_eventfd))]
#[allow(unused_imports)]
pub(crate) use self::pipe::Pipe;

#[cfg(metal_io_evfilt_user)]
mod kqueue;
#[cfg(metal_io_evfilt_user)]
pub(crate) use self::kqueue::WakerSignal;

// The pipe as the signal: asked for, or OpenBSD, on epoll or kqueue.
#[cfg(metal_io_pipe_signal)]
pub(crate) use self::pipe::WakerSignal;

#[cfg(metal_io_poll)]
pub(crate) use super::selector::poll::WakerSignal;
