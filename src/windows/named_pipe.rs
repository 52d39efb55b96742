//! `NamedPipe`: a Windows named pipe registered with a `Poll`.

use std::ffi::OsStr;
use std::fmt;
use std::io::{self, IoSlice, IoSliceMut, Read, Write};
use std::os::windows::io::{AsRawHandle, FromRawHandle, IntoRawHandle, RawHandle};

use crate::sys;

/// A non-blocking Windows named pipe.
///
/// Windows reports finished operations, not readiness, so a `NamedPipe`
/// does its I/O through buffers of its own and reports readiness when they
/// change hands. A read is kept in flight into an internal buffer: the pipe
/// becomes readable when it finishes, and [`read`](Read::read) copies from
/// that buffer, failing with [`WouldBlock`](io::ErrorKind::WouldBlock) once
/// it is empty (and starting the next read). [`write`](Write::write)
/// copies the bytes into an internal buffer and starts writing them,
/// failing with `WouldBlock` until that write is done, which makes the
/// pipe writable again. Events follow the
/// [readiness contract](crate::Poll#the-readiness-contract).
///
/// A pipe does no I/O until it is registered: until then, any operation
/// that would start one fails with [`NotFound`](io::ErrorKind::NotFound).
/// Data or an error already received is still returned.
///
/// `Read` and `Write` are implemented for `&NamedPipe` too: one thread may
/// read while another writes.
///
/// # Connections
///
/// A server creates a pipe with [`NamedPipe::new`], registers it, and
/// calls [`NamedPipe::connect`]; the pipe becomes writable once a client
/// has connected, and [`NamedPipe::take_error`] then says whether the
/// connect failed. [`NamedPipe::disconnect`] lets the pipe serve another
/// client.
///
/// A client opens the pipe with std's `OpenOptions`, adding
/// `FILE_FLAG_OVERLAPPED` with `OpenOptionsExt::custom_flags`, and turns
/// the file into a `NamedPipe` with [`FromRawHandle::from_raw_handle`].
///
/// # Platform-specific behavior
///
/// The handle is associated with the completion port of the first `Poll`
/// it is registered with, for as long as it is open; registering it with
/// another `Poll` fails with [`AlreadyExists`](io::ErrorKind::AlreadyExists).
///
/// # Examples
///
/// ```
/// use std::fs::OpenOptions;
/// use std::io::{ErrorKind, Read, Write};
/// use std::os::windows::fs::OpenOptionsExt;
/// use std::os::windows::io::{FromRawHandle, IntoRawHandle};
/// use std::time::Duration;
/// use metal_io::windows::NamedPipe;
/// use metal_io::{Events, Interest, Poll, Token};
///
/// // `FILE_FLAG_OVERLAPPED`, from the Windows headers.
/// const FILE_FLAG_OVERLAPPED: u32 = 0x4000_0000;
///
/// # fn main() -> std::io::Result<()> {
/// let name = format!(r"\\.\pipe\metal-io-example-{}", std::process::id());
/// let mut poll = Poll::new()?;
/// let mut events = Events::with_capacity(8);
///
/// let mut server = NamedPipe::new(&name)?;
/// poll.registry().register(&mut server, Token(0), Interest::READABLE)?;
/// assert_eq!(server.connect().unwrap_err().kind(), ErrorKind::WouldBlock);
///
/// let file = OpenOptions::new()
///     .read(true)
///     .write(true)
///     .custom_flags(FILE_FLAG_OVERLAPPED)
///     .open(&name)?;
/// // SAFETY: the handle is open, overlapped, and given up by the file.
/// let mut client = unsafe { NamedPipe::from_raw_handle(file.into_raw_handle()) };
/// poll.registry().register(&mut client, Token(1), Interest::WRITABLE)?;
/// client.write_all(b"ping")?;
///
/// let mut buf = [0; 4];
/// let mut tries = 0;
/// let n = loop {
///     match server.read(&mut buf) {
///         Ok(n) => break n,
///         Err(e) if e.kind() == ErrorKind::WouldBlock && tries < 10 => {
///             tries += 1;
///             poll.poll(&mut events, Some(Duration::from_secs(5)))?;
///         }
///         Err(e) => return Err(e),
///     }
/// };
/// assert_eq!(&buf[..n], b"ping");
/// # Ok(())
/// # }
/// ```
pub struct NamedPipe {
    inner: sys::NamedPipe,
}

impl NamedPipe {
    /// Creates the first instance of the named pipe `addr`, for a server.
    ///
    /// The pipe is duplex and in byte mode, with 64 KiB buffers, and its
    /// handle is not inherited by child processes. The name has the form
    /// `\\.\pipe\name`.
    ///
    /// This maps to `CreateNamedPipeW` with `FILE_FLAG_FIRST_PIPE_INSTANCE`
    /// and `FILE_FLAG_OVERLAPPED`.
    ///
    /// # Errors
    ///
    /// - `ERROR_ACCESS_DENIED` if a pipe of that name already exists.
    /// - `ERROR_INVALID_NAME` if `addr` is not a pipe name.
    /// - Other OS errors are passed through unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// use metal_io::windows::NamedPipe;
    ///
    /// let name = format!(r"\\.\pipe\metal-io-new-{}", std::process::id());
    /// let pipe = NamedPipe::new(&name)?;
    /// assert!(pipe.take_error()?.is_none());
    ///
    /// // Only names under `\\.\pipe\` are pipe names.
    /// assert!(NamedPipe::new(r"C:\not-a-pipe").is_err());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn new<A: AsRef<OsStr>>(addr: A) -> io::Result<NamedPipe> {
        sys::NamedPipe::new(addr.as_ref()).map(|inner| NamedPipe { inner })
    }

    /// Starts waiting for a client to connect.
    ///
    /// Returns `Ok(())` if a client is connected already. Otherwise the
    /// connect goes on in the background and this fails with `WouldBlock`;
    /// the pipe becomes writable when it is done, and
    /// [`take_error`](NamedPipe::take_error) then tells whether it failed.
    /// Calling it again while a connect is under way fails with
    /// `WouldBlock` too.
    ///
    /// This maps to an overlapped `ConnectNamedPipe`.
    ///
    /// # Errors
    ///
    /// - `ErrorKind::WouldBlock` while the connect is under way.
    /// - `ErrorKind::NotFound` if the pipe is not registered.
    /// - Other OS errors are passed through unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::ErrorKind;
    /// use metal_io::windows::NamedPipe;
    /// use metal_io::{Interest, Poll, Token};
    ///
    /// let name = format!(r"\\.\pipe\metal-io-connect-{}", std::process::id());
    /// let poll = Poll::new()?;
    /// let mut pipe = NamedPipe::new(&name)?;
    ///
    /// // Nothing happens before the pipe is registered.
    /// assert_eq!(pipe.connect().unwrap_err().kind(), ErrorKind::NotFound);
    ///
    /// poll.registry().register(&mut pipe, Token(0), Interest::WRITABLE)?;
    /// assert_eq!(pipe.connect().unwrap_err().kind(), ErrorKind::WouldBlock);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn connect(&self) -> io::Result<()> {
        self.inner.connect()
    }

    /// Disconnects the client, so that [`connect`](NamedPipe::connect) can
    /// wait for another.
    ///
    /// Data the client sent that was not read yet is dropped, and a read
    /// in flight is cancelled, so nothing of one client reaches the next.
    ///
    /// This maps to `DisconnectNamedPipe`.
    ///
    /// # Errors
    ///
    /// OS errors are passed through unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::fs::OpenOptions;
    /// use std::io::ErrorKind;
    /// use metal_io::windows::NamedPipe;
    /// use metal_io::{Interest, Poll, Token};
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let name = format!(r"\\.\pipe\metal-io-disconnect-{}", std::process::id());
    /// let poll = Poll::new()?;
    /// let mut server = NamedPipe::new(&name)?;
    /// poll.registry().register(&mut server, Token(0), Interest::WRITABLE)?;
    ///
    /// let client = OpenOptions::new().read(true).write(true).open(&name)?;
    /// server.connect()?;
    ///
    /// // Done with this client: wait for the next one.
    /// server.disconnect()?;
    /// drop(client);
    /// assert_eq!(server.connect().unwrap_err().kind(), ErrorKind::WouldBlock);
    /// # Ok(())
    /// # }
    /// ```
    pub fn disconnect(&self) -> io::Result<()> {
        self.inner.disconnect()
    }

    /// Returns the error of the last connect, if it failed, and forgets
    /// it.
    ///
    /// Call it when the pipe becomes writable after
    /// [`connect`](NamedPipe::connect): `None` means a client is connected.
    ///
    /// # Errors
    ///
    /// This never fails; the `Result` matches the sockets' `take_error`.
    ///
    /// # Examples
    ///
    /// ```
    /// use metal_io::windows::NamedPipe;
    ///
    /// let name = format!(r"\\.\pipe\metal-io-error-{}", std::process::id());
    /// let pipe = NamedPipe::new(&name)?;
    /// assert!(pipe.take_error()?.is_none());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.inner.take_error()
    }
}

crate::macros::impl_io_via_ref!(Read for NamedPipe);

impl Read for &NamedPipe {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf)
    }

    fn read_vectored(&mut self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        self.inner.read_vectored(bufs)
    }
}

crate::macros::impl_io_via_ref!(
    Write for NamedPipe,
    /// Does nothing: bytes accepted by `write` are already on their way.
    flush
);

impl Write for &NamedPipe {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.inner.write_vectored(bufs)
    }

    /// Does nothing: bytes accepted by `write` are already on their way.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

crate::macros::impl_source_via_inner!(NamedPipe);

impl FromRawHandle for NamedPipe {
    /// Takes ownership of a named pipe handle, of a server or a client.
    ///
    /// The handle must have been opened with `FILE_FLAG_OVERLAPPED`, must
    /// not be associated with a completion port yet, and must not use
    /// `FILE_SKIP_COMPLETION_PORT_ON_SUCCESS`: every operation has to
    /// complete through the port of the `Poll` the pipe is registered with.
    unsafe fn from_raw_handle(handle: RawHandle) -> NamedPipe {
        NamedPipe {
            inner: sys::NamedPipe::from_handle(handle),
        }
    }
}

impl AsRawHandle for NamedPipe {
    fn as_raw_handle(&self) -> RawHandle {
        self.inner.as_raw_handle()
    }
}

impl IntoRawHandle for NamedPipe {
    /// Gives up the handle. A read or connect in flight is cancelled and
    /// its data dropped; a write in flight still completes.
    ///
    /// A handle that was registered stays associated with that `Poll`'s
    /// completion port: the packets of overlapped operations started on it
    /// later are taken off that port and ignored, so wait for them with
    /// `GetOverlappedResult` or an event instead.
    fn into_raw_handle(self) -> RawHandle {
        self.inner.into_raw_handle()
    }
}

impl fmt::Debug for NamedPipe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NamedPipe")
            .field("handle", &self.inner.as_raw_handle())
            .finish()
    }
}
