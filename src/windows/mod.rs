//! Windows-only extensions: named pipes.
//!
//! Sockets need nothing here: the types in [`net`](crate::net) work on
//! Windows as they do elsewhere, and convert to and from raw sockets
//! through the `std::os::windows::io` traits.

mod named_pipe;
pub use self::named_pipe::NamedPipe;
