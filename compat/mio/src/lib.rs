//! The mio 1.x API, served by metal-io.
//!
//! This package is named `mio` so that it can stand in for mio through
//! Cargo's `[patch.crates-io]`: crates written against mio, and runtimes
//! such as tokio, then run on metal-io without a change to their code.
//!
//! ```toml
//! [patch.crates-io]
//! mio = { path = "path/to/metal-io/compat/mio" }
//! ```
//!
//! Every public item of metal-io is re-exported under the module path mio
//! uses, and the features have mio's names: `os-poll`, `os-ext`, `net` and
//! `log`. See metal-io's own documentation for the details.
//!
//! # Examples
//!
#![cfg_attr(feature = "os-poll", doc = "```")]
#![cfg_attr(not(feature = "os-poll"), doc = "```ignore")]
//! use std::time::Duration;
//! use mio::{Events, Poll, Token, Waker};
//!
//! let mut poll = Poll::new()?;
//! let mut events = Events::with_capacity(8);
//! let waker = Waker::new(poll.registry(), Token(0))?;
//!
//! waker.wake()?;
//! poll.poll(&mut events, Some(Duration::from_secs(1)))?;
//! assert_eq!(events.iter().next().map(|e| e.token()), Some(Token(0)));
//! # Ok::<(), std::io::Error>(())
//! ```

#![deny(missing_docs, rust_2018_idioms)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use metal_io::*;
