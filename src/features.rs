//! The Cargo features of metal-io, and what each one turns on.
//!
//! This module holds no items. It is the place the feature list lives, at
//! the same path as in mio, so that links written for mio keep working.
//!
//! Without features metal-io offers the types that describe readiness
//! ([`Token`], [`Interest`], [`Events`] and [`event::Event`]) and the
//! [`event::Source`] trait, but no way to wait and no sources: enable the
//! features a program needs.
//!
//! | Feature | Turns on | Implies |
//! |---|---|---|
//! | `os-poll` | [`Poll::new`], so sources can be registered and woken | |
//! | `os-ext` | `unix::pipe`, `unix::SourceFd`; `windows::NamedPipe` | `os-poll` |
//! | `net` | the socket types in `net` | |
//! | `log` (default) | `trace` and `warn` messages through the [`log`] crate | |
//!
//! # `os-poll`
//!
//! Links in the operating system's selector: epoll, kqueue, an I/O
//! completion port or `poll(2)`, whichever the target uses. Without it a
//! [`Poll`] cannot be created, so a library that only names the types (to
//! implement [`event::Source`], say) can leave it to the final program.
//!
//! # `os-ext`
//!
//! Adds the platform modules: on Unix, `unix::pipe` (a non-blocking pipe
//! pair) and `unix::SourceFd` (registers any file descriptor the caller
//! owns); on Windows, `windows::NamedPipe`.
//!
//! # `net`
//!
//! Adds the non-blocking TCP, UDP and Unix-domain socket types. They can be
//! created and used without `os-poll`, but are only useful registered with a
//! [`Poll`].
//!
//! # `log`
//!
//! Sends a `trace` message for each registration change and when a
//! selector is created, and a `warn` message, once, when a backend has to
//! fall back to a slower mechanism. Nothing is logged while waiting for
//! events, when waking, or in read and write paths.
//!
//! [`Token`]: crate::Token
//! [`Interest`]: crate::Interest
//! [`Events`]: crate::Events
//! [`event::Event`]: crate::event::Event
//! [`event::Source`]: crate::event::Source
//! [`Poll`]: crate::Poll
//! [`Poll::new`]: crate::Poll::new
//! [`log`]: https://docs.rs/log
