//! Unix-only extensions: registering raw descriptors, and pipes.

mod source_fd;
pub use self::source_fd::SourceFd;

pub mod pipe;
