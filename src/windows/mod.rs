//! Windows-only extensions: named pipes.
//!
//! Sockets need nothing here: the types in [`net`](crate::net) work on
//! Windows as they do elsewhere, and convert to and from raw sockets
//! through the `std::os::windows::io` traits.
//!
//! # Examples
//!
//! A server registers its end of a named pipe and waits for a client:
//!
//! ```
//! use std::io::ErrorKind;
//! use metal_io::windows::NamedPipe;
//! use metal_io::{Interest, Poll, Token};
//!
//! # fn main() -> std::io::Result<()> {
//! let name = format!(r"\\.\pipe\metal-io-module-{}", std::process::id());
//! let poll = Poll::new()?;
//! let mut server = NamedPipe::new(&name)?;
//! let interests = Interest::READABLE | Interest::WRITABLE;
//! poll.registry().register(&mut server, Token(0), interests)?;
//!
//! // No client has opened the pipe yet, so the connect is left pending;
//! // the pipe turns writable once one does.
//! assert_eq!(server.connect().unwrap_err().kind(), ErrorKind::WouldBlock);
//! poll.registry().deregister(&mut server)?;
//! # Ok(())
//! # }
//! ```

mod named_pipe;
pub use self::named_pipe::NamedPipe;
