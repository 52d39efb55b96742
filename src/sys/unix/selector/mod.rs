//! Picks the selector for this system.
//!
//! epoll on Linux, Android and illumos; kqueue on Apple systems and the
//! BSDs; `poll(2)` everywhere else, and wherever `--cfg metal_io_force_poll`
//! asks for it.

#[cfg(all(
    not(metal_io_force_poll),
    any(target_os = "linux", target_os = "android", target_os = "illumos")
))]
mod epoll;
#[cfg(all(
    not(metal_io_force_poll),
    any(target_os = "linux", target_os = "android", target_os = "illumos")
))]
pub(crate) use self::epoll::{event, Event, Events, Selector};
