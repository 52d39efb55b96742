//! Unix-domain sockets: a stream listener, the connected stream, and
//! datagram sockets.

mod listener;
pub use self::listener::UnixListener;

mod stream;
pub use self::stream::UnixStream;

#[cfg(not(target_os = "emscripten"))]
mod datagram;
#[cfg(not(target_os = "emscripten"))]
pub use self::datagram::UnixDatagram;
