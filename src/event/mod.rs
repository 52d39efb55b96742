//! Readiness events and the trait for things that produce them.
//!
//! [`Poll::poll`](crate::Poll::poll) fills an [`Events`] buffer with
//! [`Event`]s; anything that can be registered implements [`Source`].
//!
//! # Examples
//!
//! An event loop usually hands each event to code chosen by its token:
//!
#![cfg_attr(feature = "os-poll", doc = "```")]
#![cfg_attr(not(feature = "os-poll"), doc = "```ignore")]
//! use std::time::Duration;
//! use metal_io::event::Event;
//! use metal_io::{Events, Poll, Token, Waker};
//!
//! const WAKE: Token = Token(0);
//!
//! fn describe(event: &Event) -> &'static str {
//!     match event.token() {
//!         WAKE if event.is_readable() => "woken",
//!         _ => "something else",
//!     }
//! }
//!
//! # fn main() -> std::io::Result<()> {
//! let mut poll = Poll::new()?;
//! let mut events = Events::with_capacity(8);
//! let waker = Waker::new(poll.registry(), WAKE)?;
//! waker.wake()?;
//! poll.poll(&mut events, Some(Duration::from_secs(5)))?;
//! assert!(events.iter().any(|event| describe(event) == "woken"));
//! # Ok(())
//! # }
//! ```

#[allow(clippy::module_inception)]
mod event;
mod events;
mod source;

pub use self::event::Event;
pub use self::events::{Events, Iter};
pub use self::source::Source;
