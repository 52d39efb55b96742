//! Non-blocking I/O readiness: the layer event loops and async runtimes are
//! built on.
//!
//! metal-io tells a program which of its sockets, pipes and other sources
//! are ready to read or write, using each operating system's own selector:
//! epoll on Linux, Android and illumos, kqueue on Apple systems and the BSDs,
//! an I/O completion port on Windows, and `poll(2)` elsewhere. Its public
//! API is the same as mio 1.x, so code written for mio runs on metal-io by
//! changing one line of `Cargo.toml`.
//!
//! The pieces:
//!
//! - [`Poll`] waits for readiness; its [`Registry`] registers sources.
//! - [`Token`] names a source in the events it produces; [`Interest`] says
//!   what to watch for.
//! - [`Events`] is the buffer [`Poll::poll`] fills with
//!   [`Event`](event::Event)s.
//! - [`Waker`] wakes a blocked `Poll` from another thread.
//! - [`event::Source`] is implemented by everything that can be registered:
//!   the socket types in [`net`], the pipes in `unix::pipe`, and any Unix
//!   descriptor through `unix::SourceFd`.
//!
//! Read the [readiness contract](Poll#the-readiness-contract) before writing
//! an event loop; the [`guide`] walks through one.
//!
//! # Features
//!
//! The [`features`] module describes each one in full.
//!
//! | Feature | Gives |
//! |---|---|
//! | `os-poll` | [`Poll::new`]: the OS selector |
//! | `os-ext` | `unix::pipe`, `unix::SourceFd`, `windows::NamedPipe` (implies `os-poll`) |
//! | `net` | the socket types in [`net`] |
//! | `log` (default) | trace messages for registrations, through the `log` crate |

#![deny(
    missing_docs,
    missing_debug_implementations,
    rust_2018_idioms,
    unsafe_op_in_unsafe_fn
)]
#![warn(unreachable_pub)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![doc(test(attr(deny(warnings))))]

#[macro_use]
mod macros;

mod interest;
mod poll;
mod sys;
mod token;
mod waker;

pub mod event;
pub mod features;
pub mod guide;

macros::cfg_io_source! {
    mod io_source;
}

macros::cfg_net! {
    pub mod net;
}

#[doc(no_inline)]
pub use event::Events;
pub use interest::Interest;
pub use poll::{Poll, Registry};
pub use token::Token;
pub use waker::Waker;

#[cfg(all(unix, feature = "os-ext"))]
#[cfg_attr(docsrs, doc(cfg(all(unix, feature = "os-ext"))))]
pub mod unix;

#[cfg(all(windows, feature = "os-ext"))]
#[cfg_attr(docsrs, doc(cfg(all(windows, feature = "os-ext"))))]
pub mod windows;
