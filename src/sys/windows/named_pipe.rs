//! Named pipes: overlapped I/O turned into readiness.
//!
//! Strategy: when a pipe is first registered, its handle is associated with
//! the selector's completion port under a completion key of its own, and
//! the pipe is entered in the selector's table under that key. From then
//! on the pipe keeps operations in flight on its own buffers:
//!
//! - a read (`ReadFile`) into an internal buffer is kept in flight; `read`
//!   copies out of that buffer once the read has completed, and starts the
//!   next one when it is empty;
//! - `write` copies the caller's bytes into an internal buffer and starts
//!   one `WriteFile` of them; further writes fail with `WouldBlock` until it
//!   completes;
//! - `connect` starts a `ConnectNamedPipe`.
//!
//! Each completion packet becomes an event: readable for a read, writable
//! for a write or a connect. Readiness already there when the pipe is
//! registered is reported through a packet the pipe posts itself.
//!
//! Every operation in flight owns one strong count of the pipe's
//! [`PipeState`], so its buffer and `OVERLAPPED` stay alive until the
//! packet is taken. The selector finds the state by the packet's key and
//! checks that the packet's `OVERLAPPED` is one of the state's own before
//! it trusts it: a handle given away with `into_raw_handle` stays
//! associated with the port, and its new owner's packets must be ignored.
//!
//! Risks: data is copied once more than with blocking I/O. A handle stays
//! associated with the first port it was registered with for as long as it
//! is open, so a pipe can never move to another `Poll`.

use std::cell::UnsafeCell;
use std::collections::HashMap;
use std::ffi::OsStr;
use std::io::{self, IoSlice, IoSliceMut};
use std::mem::{self, ManuallyDrop};
use std::os::windows::ffi::OsStrExt;
use std::os::windows::io::RawHandle;
use std::ptr::{self, NonNull};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use windows_sys::Win32::Foundation::{
    CloseHandle, RtlNtStatusToDosError, ERROR_BROKEN_PIPE, ERROR_IO_PENDING, ERROR_MORE_DATA,
    ERROR_NO_DATA, ERROR_OPERATION_ABORTED, ERROR_PIPE_CONNECTED, ERROR_PIPE_LISTENING,
    INVALID_HANDLE_VALUE,
};
use windows_sys::Win32::Storage::FileSystem::{
    ReadFile, WriteFile, FILE_FLAG_FIRST_PIPE_INSTANCE, FILE_FLAG_OVERLAPPED, PIPE_ACCESS_DUPLEX,
};
use windows_sys::Win32::System::Pipes::{
    ConnectNamedPipe, CreateNamedPipeW, DisconnectNamedPipe, PIPE_TYPE_BYTE,
    PIPE_UNLIMITED_INSTANCES,
};
use windows_sys::Win32::System::IO::{CancelIoEx, OVERLAPPED, OVERLAPPED_ENTRY};

use super::afd::{AFD_POLL_ABORT, AFD_POLL_DISCONNECT, AFD_POLL_RECEIVE, AFD_POLL_SEND};
use super::event::{interests_to_flags, Event, FLAG_ERROR};
use super::selector::SelectorInner;
use crate::{Interest, Registry, Token};

/// The first completion key given to a pipe; each pipe takes the next.
pub(crate) const KEY_PIPE_FIRST: usize = 16;

/// The size of each direction's buffer in the kernel, for pipes created
/// here, and of the internal read buffer.
const BUFFER_SIZE: u32 = 64 * 1024;

/// The most bytes one `write` takes.
const WRITE_MAX: usize = 64 * 1024;

/// The next completion key to hand out.
static NEXT_KEY: AtomicUsize = AtomicUsize::new(KEY_PIPE_FIRST);

/// A named pipe's handle and the state of its overlapped I/O.
pub(crate) struct NamedPipe {
    state: Arc<PipeState>,
}

/// What a pipe shares with the operations it has in flight.
pub(crate) struct PipeState {
    /// The pipe's handle; closed when the state is dropped, unless given
    /// away with `into_raw_handle`.
    handle: RawHandle,
    key: usize,
    read_op: Op,
    write_op: Op,
    connect_op: Op,
    /// The `OVERLAPPED` of the packet the pipe posts to report readiness
    /// that is already there.
    event_op: Op,
    io: Mutex<Io>,
}

// SAFETY: the handle is a kernel handle, usable from any thread; the
// `OVERLAPPED`s are written by the kernel only while their operation is in
// flight and read only after its packet is taken, under the lock; and all
// other state is behind the lock.
unsafe impl Send for PipeState {}
// SAFETY: as above.
unsafe impl Sync for PipeState {}

/// Which of a pipe's operations a packet belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OpKind {
    Read,
    Write,
    Connect,
    Event,
}

/// One `OVERLAPPED`, written by the kernel while its operation is in
/// flight.
struct Op(UnsafeCell<OVERLAPPED>);

impl Op {
    fn new() -> Op {
        // SAFETY: `OVERLAPPED` is plain data for which all zero bits are a
        // valid value (and the expected one before an operation starts).
        Op(UnsafeCell::new(unsafe { mem::zeroed() }))
    }

    fn ptr(&self) -> *mut OVERLAPPED {
        self.0.get()
    }

    /// Clears the `OVERLAPPED` before an operation starts.
    ///
    /// # Safety
    ///
    /// No operation may be in flight on it.
    unsafe fn reset(&self) {
        // SAFETY: the caller guarantees the kernel is not using it.
        unsafe { ptr::write(self.ptr(), mem::zeroed()) };
    }

    /// Returns the outcome of the operation: the bytes transferred, or the
    /// error.
    ///
    /// # Safety
    ///
    /// The operation's packet must have been taken off the port.
    unsafe fn result(&self) -> io::Result<usize> {
        // SAFETY: the caller guarantees the kernel is done writing it.
        let overlapped = unsafe { &*self.ptr() };
        // The kernel keeps the operation's status in `Internal` and the
        // byte count in `InternalHigh`.
        let status = overlapped.Internal as i32;
        if status >= 0 {
            return Ok(overlapped.InternalHigh);
        }
        // SAFETY: any status value is accepted; the call reads a table and
        // touches nothing but the calling thread's own error fields.
        let code = unsafe { RtlNtStatusToDosError(status) };
        Err(io::Error::from_raw_os_error(code as i32))
    }
}

/// Where a registered pipe is registered.
struct Registration {
    selector: Arc<SelectorInner>,
    token: Token,
    interests: Interest,
}

/// The pipe's I/O state, behind its lock.
struct Io {
    registration: Option<Registration>,
    /// The port the handle is associated with, once it is.
    bound: Option<Weak<SelectorInner>>,
    /// The pipe was dropped or its handle given away: no new operation
    /// starts, nothing is reported.
    closed: bool,
    /// The handle was given away: do not close it.
    released: bool,
    read: ReadState,
    /// The read in flight belongs to a client that was disconnected.
    read_discard: bool,
    /// A buffer to reuse for the next read.
    read_spare: Vec<u8>,
    write: WriteState,
    /// The write in flight belongs to a client that was disconnected.
    write_discard: bool,
    /// A buffer to reuse for the next write.
    write_spare: Vec<u8>,
    connecting: bool,
    /// A client is (or, for a handle taken in, may be) connected.
    connected: bool,
    connect_error: Option<io::Error>,
    /// A readiness packet is on the port, carrying `event_flags`.
    event_posted: bool,
    event_flags: u32,
}

enum ReadState {
    Idle,
    Pending(OsBuf),
    Ready { data: Vec<u8>, pos: usize },
    Eof,
    Failed(io::Error),
}

enum WriteState {
    Idle,
    /// `done` of the buffer's bytes are written.
    Pending {
        buf: OsBuf,
        done: usize,
    },
    Failed(io::Error),
}

impl NamedPipe {
    /// Creates the first instance of a named pipe (`CreateNamedPipeW`):
    /// duplex, byte mode, overlapped, with 64 KiB buffers.
    pub(crate) fn new(name: &OsStr) -> io::Result<NamedPipe> {
        let name: Vec<u16> = name.encode_wide().chain(Some(0)).collect();
        // SAFETY: `name` is a live, nul-terminated wide string; a null
        // security descriptor gives the default, non-inheritable handle.
        let handle = unsafe {
            CreateNamedPipeW(
                name.as_ptr(),
                PIPE_ACCESS_DUPLEX | FILE_FLAG_FIRST_PIPE_INSTANCE | FILE_FLAG_OVERLAPPED,
                PIPE_TYPE_BYTE,
                PIPE_UNLIMITED_INSTANCES,
                BUFFER_SIZE,
                BUFFER_SIZE,
                0,
                ptr::null(),
            )
        };
        if handle == INVALID_HANDLE_VALUE {
            return Err(io::Error::last_os_error());
        }
        let pipe = NamedPipe::from_handle(handle);
        pipe.state.lock().connected = false;
        Ok(pipe)
    }

    /// Takes ownership of a pipe handle opened for overlapped I/O.
    pub(crate) fn from_handle(handle: RawHandle) -> NamedPipe {
        let io = Io {
            registration: None,
            bound: None,
            closed: false,
            released: false,
            read: ReadState::Idle,
            read_discard: false,
            read_spare: Vec::new(),
            write: WriteState::Idle,
            write_discard: false,
            write_spare: Vec::new(),
            connecting: false,
            connected: true,
            connect_error: None,
            event_posted: false,
            event_flags: 0,
        };
        let state = PipeState {
            handle,
            key: NEXT_KEY.fetch_add(1, Ordering::Relaxed),
            read_op: Op::new(),
            write_op: Op::new(),
            connect_op: Op::new(),
            event_op: Op::new(),
            io: Mutex::new(io),
        };
        NamedPipe {
            state: Arc::new(state),
        }
    }

    pub(crate) fn as_raw_handle(&self) -> RawHandle {
        self.state.handle
    }

    /// Gives the handle away: operations of ours in flight are cancelled
    /// and nothing more is reported.
    pub(crate) fn into_raw_handle(self) -> RawHandle {
        self.close(true);
        self.state.handle
    }

    /// Starts connecting to a client (`ConnectNamedPipe`).
    pub(crate) fn connect(&self) -> io::Result<()> {
        let state = &self.state;
        let mut io = state.lock();
        if io.connecting {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let selector = registered(&io)?;

        // SAFETY: no connect is in flight (`connecting` is false).
        unsafe { state.connect_op.reset() };
        state.op_started(&selector);
        // SAFETY: the handle is open, and the `OVERLAPPED` lives in the
        // state, which the count just taken keeps alive until the packet.
        let ok = unsafe { ConnectNamedPipe(state.handle, state.connect_op.ptr()) };
        if ok != 0 {
            // Done already; the packet still comes through the port.
            io.connecting = true;
            return Err(io::ErrorKind::WouldBlock.into());
        }

        let err = io::Error::last_os_error();
        match raw_error(&err) {
            ERROR_IO_PENDING => {
                io.connecting = true;
                Err(io::ErrorKind::WouldBlock.into())
            }
            ERROR_PIPE_CONNECTED => {
                // SAFETY: the connect failed, so no packet will come.
                unsafe { state.op_abandoned(&selector) };
                io.connected = true;
                state.start_reading(&mut io);
                Ok(())
            }
            _ => {
                // SAFETY: as above.
                unsafe { state.op_abandoned(&selector) };
                Err(err)
            }
        }
    }

    /// Disconnects the client (`DisconnectNamedPipe`), dropping whatever
    /// it sent that was not read, and cancelling a read in flight.
    pub(crate) fn disconnect(&self) -> io::Result<()> {
        let state = &self.state;
        let mut io = state.lock();
        // SAFETY: the handle is open for as long as the state lives.
        if unsafe { DisconnectNamedPipe(state.handle) } == 0 {
            return Err(io::Error::last_os_error());
        }
        io.connected = false;

        match mem::replace(&mut io.read, ReadState::Idle) {
            pending @ ReadState::Pending(_) => {
                io.read = pending;
                io.read_discard = true;
                state.cancel(&state.read_op);
            }
            ReadState::Ready { data, .. } => io.read_spare = data,
            ReadState::Idle | ReadState::Eof | ReadState::Failed(_) => {}
        }
        match io.write {
            WriteState::Pending { .. } => io.write_discard = true,
            WriteState::Failed(_) => io.write = WriteState::Idle,
            WriteState::Idle => {}
        }
        Ok(())
    }

    /// Returns the error of the last connect, if it failed.
    pub(crate) fn take_error(&self) -> io::Result<Option<io::Error>> {
        Ok(self.state.lock().connect_error.take())
    }

    pub(crate) fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        self.read_with(|data| {
            let n = data.len().min(buf.len());
            buf[..n].copy_from_slice(&data[..n]);
            n
        })
    }

    pub(crate) fn read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        if bufs.iter().all(|b| b.is_empty()) {
            return Ok(0);
        }
        self.read_with(|mut data| {
            let mut n = 0;
            for buf in bufs.iter_mut() {
                let take = data.len().min(buf.len());
                buf[..take].copy_from_slice(&data[..take]);
                data = &data[take..];
                n += take;
            }
            n
        })
    }

    /// Hands buffered data to `copy`, which returns how much it took.
    fn read_with(&self, copy: impl FnOnce(&[u8]) -> usize) -> io::Result<usize> {
        let state = &self.state;
        let mut io = state.lock();
        match mem::replace(&mut io.read, ReadState::Idle) {
            ReadState::Ready { data, pos } => {
                let n = copy(&data[pos..]);
                if pos + n < data.len() {
                    io.read = ReadState::Ready { data, pos: pos + n };
                } else {
                    // All handed out: read on into the same buffer.
                    io.read_spare = data;
                    state.start_reading(&mut io);
                }
                Ok(n)
            }
            pending @ ReadState::Pending(_) => {
                io.read = pending;
                Err(io::ErrorKind::WouldBlock.into())
            }
            ReadState::Eof => {
                io.read = ReadState::Eof;
                Ok(0)
            }
            ReadState::Failed(e) => Err(e),
            ReadState::Idle => match state.read_start(&mut io) {
                Ok(()) if matches!(io.read, ReadState::Eof) => Ok(0),
                Ok(()) => Err(io::ErrorKind::WouldBlock.into()),
                Err(e) if raw_error(&e) == ERROR_PIPE_LISTENING => {
                    Err(io::ErrorKind::WouldBlock.into())
                }
                Err(e) => Err(e),
            },
        }
    }

    pub(crate) fn write(&self, buf: &[u8]) -> io::Result<usize> {
        self.write_vectored(&[IoSlice::new(buf)])
    }

    pub(crate) fn write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let state = &self.state;
        let mut io = state.lock();
        match mem::replace(&mut io.write, WriteState::Idle) {
            WriteState::Idle => {}
            WriteState::Failed(e) => return Err(e),
            pending @ WriteState::Pending { .. } => {
                io.write = pending;
                return Err(io::ErrorKind::WouldBlock.into());
            }
        }
        if io.connecting {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        registered(&io)?;

        let mut data = mem::take(&mut io.write_spare);
        data.clear();
        for buf in bufs {
            let take = buf.len().min(WRITE_MAX - data.len());
            data.extend_from_slice(&buf[..take]);
        }
        if data.is_empty() {
            io.write_spare = data;
            return Ok(0);
        }

        let len = data.len();
        match state.write_start(&mut io, OsBuf::new(data), 0) {
            Ok(()) => Ok(len),
            Err(e) if raw_error(&e) == ERROR_PIPE_LISTENING => {
                Err(io::ErrorKind::WouldBlock.into())
            }
            Err(e) => Err(e),
        }
    }

    pub(crate) fn register(
        &self,
        registry: &Registry,
        token: Token,
        interests: Interest,
    ) -> io::Result<()> {
        let selector = registry.selector().inner();
        let state = &self.state;
        let mut io = state.lock();
        if io.registration.is_some() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                "named pipe is already registered",
            ));
        }

        state.bind(&mut io, selector)?;
        io.registration = Some(Registration {
            selector: Arc::clone(selector),
            token,
            interests,
        });
        state.start_reading(&mut io);
        state.report_ready(&mut io);
        Ok(())
    }

    pub(crate) fn reregister(
        &self,
        registry: &Registry,
        token: Token,
        interests: Interest,
    ) -> io::Result<()> {
        let state = &self.state;
        let mut io = state.lock();
        let registration = registration_with(&mut io, registry)?;
        registration.token = token;
        registration.interests = interests;
        state.report_ready(&mut io);
        Ok(())
    }

    pub(crate) fn deregister(&self, registry: &Registry) -> io::Result<()> {
        let mut io = self.state.lock();
        registration_with(&mut io, registry)?;
        let registration = io.registration.take();

        // The selector may go with the registration: let go of the lock
        // first, since dropping a selector takes back its pipes' packets.
        drop(io);
        drop(registration);
        Ok(())
    }

    /// Stops all reporting and cancels the operations whose results
    /// nobody will read. A write in flight is left to finish, so that bytes
    /// `write` accepted still reach the client.
    fn close(&self, release: bool) {
        let state = &self.state;
        let mut io = state.lock();
        if io.closed {
            return;
        }
        io.closed = true;
        io.released = release;
        if matches!(io.read, ReadState::Pending(_)) {
            state.cancel(&state.read_op);
        }
        if io.connecting {
            state.cancel(&state.connect_op);
        }
        let registration = io.registration.take();

        // See `deregister`.
        drop(io);
        drop(registration);
    }
}

impl Drop for NamedPipe {
    fn drop(&mut self) {
        self.close(false);
    }
}

impl PipeState {
    fn lock(&self) -> MutexGuard<'_, Io> {
        // Every change to the state is complete before the lock is let go
        // of, so a panic elsewhere leaves it usable.
        self.io.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Associates the handle with `selector`'s port, once.
    fn bind(self: &Arc<Self>, io: &mut Io, selector: &Arc<SelectorInner>) -> io::Result<()> {
        match &io.bound {
            Some(bound) if ptr::eq(bound.as_ptr(), Arc::as_ptr(selector)) => Ok(()),
            Some(_) => Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                "named pipe is bound to the completion port of another poll",
            )),
            None => {
                selector.port().associate(self.handle, self.key)?;
                selector.pipes().insert(self.key, Arc::downgrade(self));
                io.bound = Some(Arc::downgrade(selector));
                Ok(())
            }
        }
    }

    /// Counts an operation that will send a packet: the operation owns one
    /// strong count of the state until the packet is taken.
    fn op_started(self: &Arc<Self>, selector: &SelectorInner) {
        selector.request_started();
        mem::forget(Arc::clone(self));
    }

    /// Undoes [`PipeState::op_started`] for an operation that failed to
    /// start.
    ///
    /// # Safety
    ///
    /// The operation must have been counted by `op_started`, and no packet
    /// may come for it.
    unsafe fn op_abandoned(self: &Arc<Self>, selector: &SelectorInner) {
        selector.request_finished();
        // SAFETY: the caller guarantees the count was taken and is not
        // owned by any packet; `self` holds another, so this is not the
        // last.
        unsafe { Arc::decrement_strong_count(Arc::as_ptr(self)) };
    }

    /// Cancels one operation (`CancelIoEx`); its packet still comes.
    fn cancel(&self, op: &Op) {
        // SAFETY: the handle is open; the kernel only compares the pointer
        // with those of operations in flight. Finding none is harmless.
        unsafe { CancelIoEx(self.handle, op.ptr()) };
    }

    /// Starts a read if the pipe is registered, no read is in flight and
    /// nothing is buffered. A failure other than an unconnected pipe is
    /// kept for the next `read`.
    fn start_reading(self: &Arc<Self>, io: &mut Io) {
        if !matches!(io.read, ReadState::Idle) || io.closed || io.registration.is_none() {
            return;
        }
        if let Err(e) = self.read_start(io) {
            if raw_error(&e) != ERROR_PIPE_LISTENING {
                io.read = ReadState::Failed(e);
            }
        }
    }

    /// Starts a read (`ReadFile`) into an internal buffer. A pipe whose
    /// writer is gone is recorded as at its end.
    fn read_start(self: &Arc<Self>, io: &mut Io) -> io::Result<()> {
        debug_assert!(matches!(io.read, ReadState::Idle));
        let selector = registered(io)?;
        let mut data = mem::take(&mut io.read_spare);
        data.clear();
        data.reserve(BUFFER_SIZE as usize);
        let buf = OsBuf::new(data);

        // SAFETY: no read is in flight (the state is idle).
        unsafe { self.read_op.reset() };
        self.op_started(&selector);
        // SAFETY: the buffer stays allocated, and untouched by us, until
        // the packet is taken (it moves into `ReadState::Pending`); the
        // `OVERLAPPED` lives in the state, kept alive by the count just
        // taken.
        let ok = unsafe {
            ReadFile(
                self.handle,
                buf.ptr.as_ptr(),
                buf.capacity_u32(),
                ptr::null_mut(),
                self.read_op.ptr(),
            )
        };
        let err = io::Error::last_os_error();
        if ok != 0 || raw_error(&err) == ERROR_IO_PENDING {
            io.read = ReadState::Pending(buf);
            return Ok(());
        }

        // SAFETY: the read failed, so no packet will come.
        unsafe { self.op_abandoned(&selector) };
        // SAFETY: the kernel wrote nothing, and holds no reference.
        io.read_spare = unsafe { buf.into_vec(0) };
        if raw_error(&err) == ERROR_BROKEN_PIPE {
            io.read = ReadState::Eof;
            return Ok(());
        }
        Err(err)
    }

    /// Starts a write (`WriteFile`) of the bytes of `buf` after `done`.
    fn write_start(self: &Arc<Self>, io: &mut Io, buf: OsBuf, done: usize) -> io::Result<()> {
        let selector = registered(io)?;
        let left = u32::try_from(buf.len - done).expect("writes are capped at WRITE_MAX");

        // SAFETY: no write is in flight (the caller took the idle or
        // finished state).
        unsafe { self.write_op.reset() };
        self.op_started(&selector);
        // SAFETY: as in `read_start`: the buffer and the `OVERLAPPED` stay
        // alive and untouched until the packet is taken; `done` is within
        // the buffer's initialised length.
        let ok = unsafe {
            WriteFile(
                self.handle,
                buf.ptr.as_ptr().add(done),
                left,
                ptr::null_mut(),
                self.write_op.ptr(),
            )
        };
        let err = io::Error::last_os_error();
        if ok != 0 || raw_error(&err) == ERROR_IO_PENDING {
            io.write = WriteState::Pending { buf, done };
            return Ok(());
        }

        // SAFETY: the write failed, so no packet will come.
        unsafe { self.op_abandoned(&selector) };
        // SAFETY: the kernel holds no reference to the buffer.
        io.write_spare = unsafe { buf.into_vec(0) };
        Err(err)
    }

    /// Posts a packet reporting the readiness that is already there.
    fn report_ready(self: &Arc<Self>, io: &mut Io) {
        let Some(registration) = &io.registration else {
            return;
        };
        let selector = Arc::clone(&registration.selector);

        let mut flags = match &io.read {
            ReadState::Ready { .. } => AFD_POLL_RECEIVE,
            ReadState::Eof => AFD_POLL_DISCONNECT,
            ReadState::Failed(_) => AFD_POLL_RECEIVE | FLAG_ERROR,
            ReadState::Idle | ReadState::Pending(_) => 0,
        };
        match &io.write {
            WriteState::Idle if io.connected && !io.connecting => flags |= AFD_POLL_SEND,
            WriteState::Failed(_) => flags |= AFD_POLL_SEND | FLAG_ERROR,
            _ => {}
        }
        if flags == 0 {
            return;
        }

        io.event_flags |= flags;
        if io.event_posted {
            return;
        }
        self.op_started(&selector);
        if selector.port().post(self.key, self.event_op.ptr()).is_ok() {
            io.event_posted = true;
        } else {
            // Only a system out of nonpaged memory fails this; the next
            // completion or registration reports the readiness instead.
            // SAFETY: the packet was not posted.
            unsafe { self.op_abandoned(&selector) };
        }
    }

    /// Returns which of this state's operations `overlapped` is, if any.
    fn op_kind(&self, overlapped: *mut OVERLAPPED) -> Option<OpKind> {
        [
            (&self.read_op, OpKind::Read),
            (&self.write_op, OpKind::Write),
            (&self.connect_op, OpKind::Connect),
            (&self.event_op, OpKind::Event),
        ]
        .into_iter()
        .find(|(op, _)| op.ptr() == overlapped)
        .map(|(_, kind)| kind)
    }

    /// Handles a finished read; returns the flags to report.
    fn read_done(self: &Arc<Self>, io: &mut Io, result: io::Result<usize>) -> u32 {
        let ReadState::Pending(buf) = mem::replace(&mut io.read, ReadState::Idle) else {
            debug_assert!(false, "a read packet with no read in flight");
            return 0;
        };
        // A message longer than the buffer still filled it.
        let result = match result {
            Err(e) if raw_error(&e) == ERROR_MORE_DATA => Ok(buf.capacity()),
            other => other,
        };
        let read = *result.as_ref().unwrap_or(&0);
        // SAFETY: the packet is taken, and the kernel wrote `read` bytes.
        let data = unsafe { buf.into_vec(read) };

        if mem::take(&mut io.read_discard) || io.closed {
            io.read_spare = data;
            self.start_reading(io);
            return 0;
        }
        match result {
            Ok(0) => {
                // Nothing arrived (a zero-length write); read on.
                io.read_spare = data;
                self.start_reading(io);
                0
            }
            Ok(_) => {
                io.read = ReadState::Ready { data, pos: 0 };
                AFD_POLL_RECEIVE
            }
            Err(e) if raw_error(&e) == ERROR_BROKEN_PIPE => {
                io.read_spare = data;
                io.read = ReadState::Eof;
                AFD_POLL_DISCONNECT
            }
            Err(e) if raw_error(&e) == ERROR_OPERATION_ABORTED => {
                // Cancelled without a disconnect: by the system, not us.
                io.read_spare = data;
                self.start_reading(io);
                0
            }
            Err(e) => {
                io.read_spare = data;
                io.read = ReadState::Failed(e);
                AFD_POLL_RECEIVE | FLAG_ERROR
            }
        }
    }

    /// Handles a finished write; returns the flags to report.
    fn write_done(self: &Arc<Self>, io: &mut Io, result: io::Result<usize>) -> u32 {
        let WriteState::Pending { buf, done } = mem::replace(&mut io.write, WriteState::Idle)
        else {
            debug_assert!(false, "a write packet with no write in flight");
            return 0;
        };
        let discard = mem::take(&mut io.write_discard);

        let failure = match result {
            Ok(n) if done + n < buf.len && !discard && !io.closed => {
                // Part was written: write the rest before reporting.
                match self.write_start(io, buf, done + n) {
                    Ok(()) => return 0,
                    Err(e) => Some(e),
                }
            }
            Ok(_) => {
                // SAFETY: the packet is taken; the bytes were ours.
                io.write_spare = unsafe { buf.into_vec(0) };
                None
            }
            Err(e) => {
                // SAFETY: as above.
                io.write_spare = unsafe { buf.into_vec(0) };
                (!discard).then_some(e)
            }
        };

        match failure {
            None => AFD_POLL_SEND,
            Some(e) => {
                let gone = matches!(raw_error(&e), ERROR_BROKEN_PIPE | ERROR_NO_DATA);
                io.write = WriteState::Failed(e);
                AFD_POLL_SEND | FLAG_ERROR | if gone { AFD_POLL_ABORT } else { 0 }
            }
        }
    }

    /// Handles a finished connect; returns the flags to report.
    fn connect_done(self: &Arc<Self>, io: &mut Io, result: io::Result<usize>) -> u32 {
        io.connecting = false;
        match result {
            Ok(_) => {
                io.connected = true;
                self.start_reading(io);
                AFD_POLL_SEND
            }
            Err(e) => {
                io.connect_error = Some(e);
                AFD_POLL_SEND | FLAG_ERROR
            }
        }
    }
}

impl Drop for PipeState {
    fn drop(&mut self) {
        let io = self.io.get_mut().unwrap_or_else(|e| e.into_inner());
        if let Some(selector) = io.bound.as_ref().and_then(Weak::upgrade) {
            selector.pipes().remove(self.key);
        }
        if !io.released {
            // SAFETY: the handle is ours (it was not given away) and no
            // operation is in flight, since each would hold a count.
            unsafe { CloseHandle(self.handle) };
        }
    }
}

/// A selector's named pipes, by completion key. Weak, so that a pipe is
/// freed once neither its owner nor any operation holds it.
#[derive(Default)]
pub(crate) struct PipeTable {
    pipes: Mutex<HashMap<usize, Weak<PipeState>>>,
}

impl PipeTable {
    fn lock(&self) -> MutexGuard<'_, HashMap<usize, Weak<PipeState>>> {
        // The map is valid whatever a panicking holder did.
        self.pipes.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn insert(&self, key: usize, pipe: Weak<PipeState>) {
        self.lock().insert(key, pipe);
    }

    fn remove(&self, key: usize) {
        self.lock().remove(&key);
    }

    fn get(&self, key: usize) -> Option<Arc<PipeState>> {
        self.lock().get(&key).and_then(Weak::upgrade)
    }

    /// Cancels every pipe operation in flight, for a selector being
    /// dropped.
    pub(crate) fn cancel_all(&self) {
        let pipes: Vec<_> = self.lock().values().filter_map(Weak::upgrade).collect();
        for pipe in &pipes {
            pipe.cancel(&pipe.read_op);
            pipe.cancel(&pipe.write_op);
            pipe.cancel(&pipe.connect_op);
        }
    }
}

/// Turns a pipe's packet into an event, if it makes one. With `closing`,
/// the selector is being dropped: only the bookkeeping is done.
pub(crate) fn complete(
    selector: &SelectorInner,
    status: &OVERLAPPED_ENTRY,
    closing: bool,
) -> Option<Event> {
    // A packet whose key or `OVERLAPPED` is not ours comes from a handle
    // that was given away; it is none of our business.
    let state = selector.pipes().get(status.lpCompletionKey)?;
    let kind = state.op_kind(status.lpOverlapped)?;
    selector.request_finished();
    // SAFETY: the packet belongs to one of this state's own operations
    // (checked just above), each of which owns a strong count given up in
    // `op_started`; the packet is taken, so that count is released here.
    // `state` holds another, so this is not the last.
    unsafe { Arc::decrement_strong_count(Arc::as_ptr(&state)) };

    let mut io = state.lock();
    let flags = match kind {
        OpKind::Event => {
            io.event_posted = false;
            mem::take(&mut io.event_flags)
        }
        kind => {
            let op = match kind {
                OpKind::Read => &state.read_op,
                OpKind::Write => &state.write_op,
                _ => &state.connect_op,
            };
            // SAFETY: the packet for this operation is taken.
            let result = unsafe { op.result() };
            match kind {
                OpKind::Read => state.read_done(&mut io, result),
                OpKind::Write => state.write_done(&mut io, result),
                _ => state.connect_done(&mut io, result),
            }
        }
    };

    if closing || io.closed {
        return None;
    }
    let registration = io.registration.as_ref()?;
    let flags = flags & interests_to_flags(registration.interests);
    (flags != 0).then(|| Event::new(registration.token, flags))
}

/// Returns the selector a pipe is registered with, or `NotFound`.
fn registered(io: &Io) -> io::Result<Arc<SelectorInner>> {
    match &io.registration {
        Some(registration) if !io.closed => Ok(Arc::clone(&registration.selector)),
        _ => Err(io::Error::new(
            io::ErrorKind::NotFound,
            "named pipe is not registered with a poll",
        )),
    }
}

/// Returns the registration if it is with `registry`'s selector.
fn registration_with<'a>(io: &'a mut Io, registry: &Registry) -> io::Result<&'a mut Registration> {
    match &mut io.registration {
        Some(r) if Arc::ptr_eq(&r.selector, registry.selector().inner()) => Ok(r),
        _ => Err(io::Error::new(
            io::ErrorKind::NotFound,
            "named pipe is not registered with this poll",
        )),
    }
}

/// Returns the Windows error code of `err`, or 0.
fn raw_error(err: &io::Error) -> u32 {
    err.raw_os_error().unwrap_or(0) as u32
}

/// A heap buffer that the kernel may use while an operation is in flight.
/// It is held by raw pointer, so that moving it, or borrowing the state it
/// sits in, claims nothing about its bytes.
struct OsBuf {
    ptr: NonNull<u8>,
    /// Initialised bytes: what a write sends; zero for a read.
    len: usize,
    cap: usize,
}

impl OsBuf {
    fn new(vec: Vec<u8>) -> OsBuf {
        let mut vec = ManuallyDrop::new(vec);
        OsBuf {
            ptr: NonNull::new(vec.as_mut_ptr()).expect("a vector's pointer is never null"),
            len: vec.len(),
            cap: vec.capacity(),
        }
    }

    fn capacity(&self) -> usize {
        self.cap
    }

    fn capacity_u32(&self) -> u32 {
        u32::try_from(self.cap).unwrap_or(u32::MAX)
    }

    /// Turns the buffer back into a vector of `len` bytes.
    ///
    /// # Safety
    ///
    /// No operation may be using the buffer, and its first `len` bytes must
    /// be initialised.
    unsafe fn into_vec(self, len: usize) -> Vec<u8> {
        let this = ManuallyDrop::new(self);
        debug_assert!(len <= this.cap);
        // SAFETY: the parts came from a vector in `new` and were never
        // changed; the caller guarantees the first `len` bytes are set.
        unsafe { Vec::from_raw_parts(this.ptr.as_ptr(), len, this.cap) }
    }
}

impl Drop for OsBuf {
    fn drop(&mut self) {
        // SAFETY: the parts came from a vector in `new`; an empty vector
        // with them frees the allocation and reads no byte. A buffer is
        // only dropped when no operation uses it (it is dropped with its
        // pipe state, which outlives every operation).
        drop(unsafe { Vec::from_raw_parts(self.ptr.as_ptr(), 0, self.cap) });
    }
}
