//! Readiness events and the trait for things that produce them.
//!
//! [`Poll::poll`](crate::Poll::poll) fills an [`Events`] buffer with
//! [`Event`]s; anything that can be registered implements [`Source`].

#[allow(clippy::module_inception)]
mod event;
mod events;
mod source;

pub use self::event::Event;
pub use self::events::{Events, Iter};
pub use self::source::Source;
