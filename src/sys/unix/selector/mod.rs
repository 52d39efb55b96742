//! Picks the selector for this system.
//!
//! epoll on Linux, Android and illumos; kqueue on Apple systems and the
//! BSDs; `poll(2)` everywhere else, and wherever `--cfg metal_io_force_poll`
//! asks for it. The choice itself is made once, in the crate's `build.rs`,
//! which sets one of the cfgs `metal_io_epoll`, `metal_io_kqueue` and
//! `metal_io_poll`; this file maps it to a module.

#[cfg(metal_io_epoll)]
mod epoll;
#[cfg(metal_io_epoll)]
pub(crate) use self::epoll::{event, Event, Events, Selector};

#[cfg(metal_io_kqueue)]
pub(crate) mod kqueue;
#[cfg(metal_io_kqueue)]
pub(crate) use self::kqueue::{event, Event, Events, Selector};

// The kqueue rules are plain functions, built everywhere so that their unit
// tests run on every Unix, Linux included.
pub(crate) mod kqueue_logic;

#[cfg(metal_io_poll)]
pub(crate) mod poll;
#[cfg(metal_io_poll)]
pub(crate) use self::poll::{event, Event, Events, Selector};
