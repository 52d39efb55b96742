//! Unix-only extensions: registering raw descriptors, and pipes.
//!
//! # Examples
//!
//! Any descriptor the caller owns can be registered through [`SourceFd`],
//! here one end of a std socket pair:
//!
//! ```
//! use std::io::Write;
//! use std::os::fd::AsRawFd;
//! use std::os::unix::net::UnixStream;
//! use std::time::Duration;
//! use metal_io::unix::SourceFd;
//! use metal_io::{Events, Interest, Poll, Token};
//!
//! # fn main() -> std::io::Result<()> {
//! let mut poll = Poll::new()?;
//! let mut events = Events::with_capacity(8);
//! let (mut local, remote) = UnixStream::pair()?;
//! remote.set_nonblocking(true)?;
//! let fd = remote.as_raw_fd();
//! poll.registry().register(&mut SourceFd(&fd), Token(0), Interest::READABLE)?;
//!
//! local.write_all(b"ping")?;
//! poll.poll(&mut events, Some(Duration::from_secs(5)))?;
//! assert!(events.iter().any(|e| e.token() == Token(0) && e.is_readable()));
//! poll.registry().deregister(&mut SourceFd(&fd))?;
//! # Ok(())
//! # }
//! ```

mod source_fd;
pub use self::source_fd::SourceFd;

pub mod pipe;
