//! Unix pipes registered with a `Poll`.
//!
//! [`new`] creates a pipe whose two ends, [`Sender`] and [`Receiver`], are
//! non-blocking event sources. A pipe carries bytes in one direction,
//! between threads or, across `fork(2)`, between processes. The pipes of a
//! child process started with [`std::process::Command`] can be converted
//! into the same types and registered too.
//!
//! # Examples
//!
//! Reading a child process's output without blocking:
//!
//! ```
//! use std::io::{self, Read};
//! use std::process::{Command, Stdio};
//! use std::time::Duration;
//! use metal_io::unix::pipe::Receiver;
//! use metal_io::{Events, Interest, Poll, Token};
//!
//! # fn main() -> io::Result<()> {
//! # let mut poll = Poll::new()?;
//! # let mut events = Events::with_capacity(8);
//! let mut echo = Command::new("echo");
//! let mut child = echo.arg("hi").stdout(Stdio::piped()).spawn()?;
//! let mut output = Receiver::from(child.stdout.take().expect("piped"));
//! output.set_nonblocking(true)?;
//! poll.registry().register(&mut output, Token(0), Interest::READABLE)?;
//!
//! // Read until the child closes its end, waiting whenever it is empty.
//! let mut text = Vec::new();
//! for _ in 0..10 {
//!     match output.read_to_end(&mut text) {
//!         Ok(_) => break,
//!         Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
//!             poll.poll(&mut events, Some(Duration::from_secs(5)))?;
//!         }
//!         Err(e) => return Err(e),
//!     }
//! }
//! assert_eq!(text, b"hi\n");
//! assert!(child.wait()?.success());
//! # Ok(())
//! # }
//! ```

use std::fs::File;
use std::io;
use std::os::fd::OwnedFd;
use std::process::{ChildStderr, ChildStdin, ChildStdout};

use crate::io_source::IoSource;
use crate::sys;

/// Creates a new pipe and returns its sending and its receiving end.
///
/// Both ends are non-blocking and close-on-exec. Bytes written to the
/// [`Sender`] are read from the [`Receiver`], in order.
///
/// Register the `Sender` with [`Interest::WRITABLE`] and the `Receiver`
/// with [`Interest::READABLE`]. Besides readable and writable events, each
/// end hears when the other one is dropped:
///
/// - the `Receiver` gets an event for which
///   [`is_read_closed`](crate::event::Event::is_read_closed) is true once
///   every `Sender` is gone; reads then return `Ok(0)` when the data left in
///   the pipe is used up;
/// - the `Sender` gets an event for which
///   [`is_write_closed`](crate::event::Event::is_write_closed) is true once
///   every `Receiver` is gone; writes then fail with
///   [`ErrorKind::BrokenPipe`](io::ErrorKind::BrokenPipe).
///
/// Both are hints, as the [readiness contract](crate::Poll#the-readiness-contract)
/// explains: the result of the read or write is the proof.
///
/// Dropping an end closes its descriptor, which also removes it from the
/// `Poll`, unless the descriptor was duplicated (`dup(2)`, or inherited by
/// a child process): the kernel keeps a registration until the last copy
/// is closed. Deregister an end before duplicating it.
///
/// # Errors
///
/// Errors creating the pipe, such as `EMFILE` when the process is out of
/// descriptors, are passed through unchanged.
///
/// # Platform-specific behavior
///
/// Where the system has `pipe2(2)` (Linux, Android, the BSDs, illumos,
/// Solaris) the pipe is created with `O_CLOEXEC | O_NONBLOCK` in one call.
/// Apple systems, AIX, Haiku and a few others lack it; there `pipe(2)` is
/// followed by `fcntl(2)` calls, and a process that another thread starts
/// between the two inherits both ends.
///
/// # Examples
///
/// Sending bytes from one end and reading them at the other:
///
/// ```
/// use std::io::{self, Read, Write};
/// use std::time::Duration;
/// use metal_io::unix::pipe;
/// use metal_io::{Events, Interest, Poll, Token};
///
/// const RECEIVER: Token = Token(0);
///
/// # fn main() -> io::Result<()> {
/// let mut poll = Poll::new()?;
/// let mut events = Events::with_capacity(8);
///
/// let (mut sender, mut receiver) = pipe::new()?;
/// poll.registry().register(&mut receiver, RECEIVER, Interest::READABLE)?;
///
/// sender.write_all(b"hello")?;
///
/// let mut buf = [0; 5];
/// loop {
///     match receiver.read_exact(&mut buf) {
///         Ok(()) => break,
///         Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
///             poll.poll(&mut events, Some(Duration::from_secs(5)))?;
///         }
///         Err(e) => return Err(e),
///     }
/// }
/// assert_eq!(&buf, b"hello");
/// # Ok(())
/// # }
/// ```
///
/// Noticing that the sending end was dropped:
///
/// ```
/// use std::io::{self, Read};
/// use std::time::Duration;
/// use metal_io::unix::pipe;
/// use metal_io::{Events, Interest, Poll, Token};
///
/// # fn main() -> io::Result<()> {
/// let mut poll = Poll::new()?;
/// let mut events = Events::with_capacity(8);
///
/// let (sender, mut receiver) = pipe::new()?;
/// poll.registry().register(&mut receiver, Token(0), Interest::READABLE)?;
/// drop(sender);
///
/// poll.poll(&mut events, Some(Duration::from_secs(5)))?;
/// assert!(events.iter().any(|e| e.token() == Token(0) && e.is_read_closed()));
///
/// // The read confirms it: the end of the stream.
/// assert_eq!(receiver.read(&mut [0; 8])?, 0);
/// # Ok(())
/// # }
/// ```
///
/// [`Interest::READABLE`]: crate::Interest::READABLE
/// [`Interest::WRITABLE`]: crate::Interest::WRITABLE
pub fn new() -> io::Result<(Sender, Receiver)> {
    let (read, write) = sys::pipe::new()?;
    Ok((Sender::from(write), Receiver::from(read)))
}

/// The sending (write) end of a pipe.
///
/// Created by [`new`], which has examples, or converted from a child
/// process's standard input. Writing through `&Sender` works as well, so
/// one `Sender` can be shared between threads.
///
/// # Platform-specific behavior
///
/// Writing to a pipe whose every [`Receiver`] is gone makes the kernel send
/// the writing thread a `SIGPIPE` signal. Rust programs ignore `SIGPIPE`
/// by default, so the write simply fails with
/// [`ErrorKind::BrokenPipe`](io::ErrorKind::BrokenPipe). A program that
/// restored the default disposition (some command-line tools do, so that
/// they stop quietly when their output is closed) is killed by the signal
/// instead, as with any other pipe write.
///
/// # Examples
///
/// ```
/// use std::io::{Read, Write};
/// use std::time::Duration;
/// use metal_io::unix::pipe;
/// use metal_io::{Events, Interest, Poll, Token};
///
/// # fn main() -> std::io::Result<()> {
/// let mut poll = Poll::new()?;
/// let mut events = Events::with_capacity(8);
/// let (mut sender, mut receiver) = pipe::new()?;
/// poll.registry().register(&mut sender, Token(0), Interest::WRITABLE)?;
///
/// // An empty pipe has room, so the sender is writable at once.
/// poll.poll(&mut events, Some(Duration::from_secs(5)))?;
/// assert!(events.iter().any(|e| e.token() == Token(0) && e.is_writable()));
/// sender.write_all(b"hi")?;
///
/// let mut buf = [0; 2];
/// receiver.read_exact(&mut buf)?;
/// assert_eq!(&buf, b"hi");
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Sender {
    inner: IoSource<File>,
}

impl Sender {
    /// Switches the pipe end into (`true`) or out of (`false`) non-blocking
    /// mode.
    ///
    /// Ends made by [`new`] start non-blocking; one converted from a
    /// [`ChildStdin`] keeps the mode it had. A blocking end may still be
    /// registered, but the readiness contract then does not hold: an
    /// operation blocks instead of returning `WouldBlock`.
    ///
    /// This maps to `fcntl(2)` with `F_GETFL` and `F_SETFL`.
    ///
    /// # Errors
    ///
    /// Errors from `fcntl(2)` are passed through unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use std::process::{Command, Stdio};
    /// use metal_io::unix::pipe::Sender;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let mut child = Command::new("cat")
    ///     .stdin(Stdio::piped())
    ///     .stdout(Stdio::null())
    ///     .spawn()?;
    /// let stdin = child.stdin.take().expect("stdin is piped");
    ///
    /// let mut sender = Sender::from(stdin);
    /// sender.set_nonblocking(true)?;
    /// sender.write_all(b"a line for cat\n")?;
    ///
    /// // Closing the pipe ends the child's input, so it exits.
    /// drop(sender);
    /// assert!(child.wait()?.success());
    /// # Ok(())
    /// # }
    /// ```
    pub fn set_nonblocking(&self, nonblocking: bool) -> io::Result<()> {
        sys::pipe::set_nonblocking(&*self.inner, nonblocking)
    }

    /// Runs an I/O operation that metal-io does not provide on this pipe
    /// end, such as a `libc::write` with special flags or a `splice(2)`.
    ///
    /// `f` should use the descriptor from [`AsRawFd::as_raw_fd`] and return
    /// [`ErrorKind::WouldBlock`](io::ErrorKind::WouldBlock) when the
    /// operation would block. Going through `try_io` matters for backends
    /// that emulate edge-triggered readiness: they must see each
    /// `WouldBlock` to report the next change. The methods of [`Write`]
    /// already do this.
    ///
    /// # Errors
    ///
    /// Whatever `f` returns is passed through unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{self, Read};
    /// use std::os::fd::AsRawFd;
    /// use metal_io::unix::pipe;
    ///
    /// # fn main() -> io::Result<()> {
    /// let (sender, mut receiver) = pipe::new()?;
    ///
    /// let data = b"raw";
    /// let n = sender.try_io(|| {
    ///     // SAFETY: `data` is valid for `data.len()` bytes, and `sender`
    ///     // keeps the descriptor open for the call.
    ///     let n = unsafe {
    ///         libc::write(sender.as_raw_fd(), data.as_ptr().cast(), data.len())
    ///     };
    ///     if n < 0 {
    ///         // `EAGAIN` becomes `ErrorKind::WouldBlock` here.
    ///         Err(io::Error::last_os_error())
    ///     } else {
    ///         Ok(n as usize)
    ///     }
    /// })?;
    /// assert_eq!(n, 3);
    ///
    /// let mut buf = [0; 3];
    /// receiver.read_exact(&mut buf)?;
    /// assert_eq!(&buf, b"raw");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// [`AsRawFd::as_raw_fd`]: std::os::fd::AsRawFd::as_raw_fd
    /// [`Write`]: io::Write
    pub fn try_io<F, T>(&self, f: F) -> io::Result<T>
    where
        F: FnOnce() -> io::Result<T>,
    {
        self.inner.do_io(|_| f())
    }
}

crate::macros::impl_source_via_inner!(Sender);

// Limitation: a write to a pipe without readers raises `SIGPIPE`. The Rust
// runtime ignores that signal before `main`, so the write fails with
// `BrokenPipe`; but a process that set the signal back to its default
// action (or a library loaded into a foreign host process) is killed by
// it. Pipes have no per-call flag like `MSG_NOSIGNAL` to avoid it; a
// caller in that situation must block `SIGPIPE` around writes itself.
crate::macros::impl_write_via_io_source!(
    Sender,
    write: io::Write::write,
    write_vectored: io::Write::write_vectored,
);

/// Takes over a child process's standard input.
///
/// The descriptor keeps its blocking mode; std creates it blocking, so call
/// [`Sender::set_nonblocking`] before registering it.
impl From<ChildStdin> for Sender {
    fn from(stdin: ChildStdin) -> Sender {
        Sender::from(OwnedFd::from(stdin))
    }
}

crate::macros::impl_fd_conversions!(
    /// Takes over an open descriptor, which should be the write end of a
    /// pipe.
    ///
    /// The descriptor keeps its blocking mode.
    Sender, File => |file| Sender { inner: IoSource::new(file) }
);

/// The receiving (read) end of a pipe.
///
/// Created by [`new`], which has examples, or converted from a child
/// process's standard output or standard error. Reading through
/// `&Receiver` works as well.
///
/// # Examples
///
/// ```
/// use std::io::{ErrorKind, Read, Write};
/// use metal_io::unix::pipe;
///
/// # fn main() -> std::io::Result<()> {
/// let (mut sender, receiver) = pipe::new()?;
/// sender.write_all(b"shared")?;
///
/// // `Read` is implemented for `&Receiver`, so a shared borrow is enough.
/// let mut buf = [0; 6];
/// (&receiver).read_exact(&mut buf)?;
/// assert_eq!(&buf, b"shared");
///
/// // The pipe is empty now, and a read says so instead of waiting.
/// let err = (&receiver).read(&mut buf).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::WouldBlock);
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Receiver {
    inner: IoSource<File>,
}

impl Receiver {
    /// Switches the pipe end into (`true`) or out of (`false`) non-blocking
    /// mode.
    ///
    /// Ends made by [`new`] start non-blocking; one converted from a
    /// [`ChildStdout`] or [`ChildStderr`] keeps the mode it had. A blocking
    /// end may still be registered, but the readiness contract then does not
    /// hold: an operation blocks instead of returning `WouldBlock`.
    ///
    /// This maps to `fcntl(2)` with `F_GETFL` and `F_SETFL`.
    ///
    /// # Errors
    ///
    /// Errors from `fcntl(2)` are passed through unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::process::{Command, Stdio};
    /// use metal_io::unix::pipe::Receiver;
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let mut child = Command::new("true").stdout(Stdio::piped()).spawn()?;
    /// let stdout = child.stdout.take().expect("stdout is piped");
    ///
    /// let receiver = Receiver::from(stdout);
    /// receiver.set_nonblocking(true)?;
    /// child.wait()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn set_nonblocking(&self, nonblocking: bool) -> io::Result<()> {
        sys::pipe::set_nonblocking(&*self.inner, nonblocking)
    }

    /// Runs an I/O operation that metal-io does not provide on this pipe
    /// end, such as a `libc::read` or a `splice(2)`.
    ///
    /// `f` should use the descriptor from [`AsRawFd::as_raw_fd`] and return
    /// [`ErrorKind::WouldBlock`](io::ErrorKind::WouldBlock) when the
    /// operation would block. Going through `try_io` matters for backends
    /// that emulate edge-triggered readiness: they must see each
    /// `WouldBlock` to report the next change. The methods of [`Read`]
    /// already do this.
    ///
    /// # Errors
    ///
    /// Whatever `f` returns is passed through unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{self, Write};
    /// use std::os::fd::AsRawFd;
    /// use metal_io::unix::pipe;
    ///
    /// # fn main() -> io::Result<()> {
    /// let (mut sender, receiver) = pipe::new()?;
    /// sender.write_all(b"raw")?;
    ///
    /// let mut buf = [0u8; 8];
    /// let n = receiver.try_io(|| {
    ///     // SAFETY: `buf` has room for `buf.len()` bytes, and `receiver`
    ///     // keeps the descriptor open for the call.
    ///     let n = unsafe {
    ///         libc::read(receiver.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len())
    ///     };
    ///     if n < 0 {
    ///         // `EAGAIN` becomes `ErrorKind::WouldBlock` here.
    ///         Err(io::Error::last_os_error())
    ///     } else {
    ///         Ok(n as usize)
    ///     }
    /// })?;
    /// assert_eq!(&buf[..n], b"raw");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// [`AsRawFd::as_raw_fd`]: std::os::fd::AsRawFd::as_raw_fd
    /// [`Read`]: io::Read
    pub fn try_io<F, T>(&self, f: F) -> io::Result<T>
    where
        F: FnOnce() -> io::Result<T>,
    {
        self.inner.do_io(|_| f())
    }
}

crate::macros::impl_source_via_inner!(Receiver);

crate::macros::impl_read_via_io_source!(Receiver);

/// Takes over a child process's standard output.
///
/// The descriptor keeps its blocking mode; std creates it blocking, so call
/// [`Receiver::set_nonblocking`] before registering it.
impl From<ChildStdout> for Receiver {
    fn from(stdout: ChildStdout) -> Receiver {
        Receiver::from(OwnedFd::from(stdout))
    }
}

/// Takes over a child process's standard error.
///
/// The descriptor keeps its blocking mode; std creates it blocking, so call
/// [`Receiver::set_nonblocking`] before registering it.
impl From<ChildStderr> for Receiver {
    fn from(stderr: ChildStderr) -> Receiver {
        Receiver::from(OwnedFd::from(stderr))
    }
}

crate::macros::impl_fd_conversions!(
    /// Takes over an open descriptor, which should be the read end of a
    /// pipe.
    ///
    /// The descriptor keeps its blocking mode.
    Receiver, File => |file| Receiver { inner: IoSource::new(file) }
);
