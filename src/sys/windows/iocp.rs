//! The I/O completion port a Windows selector waits on.
//!
//! Strategy: each `Poll` owns one port from `CreateIoCompletionPort`. Every
//! handle whose overlapped operations the selector follows (the AFD helper
//! handles, registered named pipes) is associated with the port under a
//! completion key that tells the selector how to read its packets, and a
//! `Waker` posts packets of its own with `PostQueuedCompletionStatus`. The
//! wait is `GetQueuedCompletionStatusEx`, which removes many packets in one
//! call.
//!
//! Risks: an association lasts as long as the handle's file object, and a
//! packet names its operation only by the pointer given when the operation
//! started. Whoever starts an operation must therefore keep that memory
//! alive until the packet has been taken off the port, and the selector
//! checks a packet's key before it trusts the pointer.

use std::os::windows::io::{AsRawHandle, FromRawHandle, OwnedHandle, RawHandle};
use std::{fmt, io, ptr};

use windows_sys::Win32::Foundation::{INVALID_HANDLE_VALUE, WAIT_TIMEOUT};
use windows_sys::Win32::System::IO::{
    CreateIoCompletionPort, GetQueuedCompletionStatusEx, PostQueuedCompletionStatus, OVERLAPPED,
    OVERLAPPED_ENTRY,
};

/// The timeout value that makes a wait last until a packet arrives.
pub(crate) const INFINITE: u32 = u32::MAX;

/// An owned I/O completion port.
pub(crate) struct CompletionPort {
    handle: OwnedHandle,
}

impl CompletionPort {
    /// Creates a port (`CreateIoCompletionPort` with no file handle).
    pub(crate) fn new() -> io::Result<CompletionPort> {
        // SAFETY: with `INVALID_HANDLE_VALUE` and no existing port the call
        // only creates a new port; it reads no memory of ours.
        let handle = unsafe { CreateIoCompletionPort(INVALID_HANDLE_VALUE, ptr::null_mut(), 0, 0) };
        if handle.is_null() {
            return Err(io::Error::last_os_error());
        }

        // SAFETY: the handle was just created and nothing else owns it.
        let handle = unsafe { OwnedHandle::from_raw_handle(handle) };
        Ok(CompletionPort { handle })
    }

    /// Associates `handle` with the port, so that its overlapped operations
    /// complete here with `key`.
    ///
    /// Fails with `ERROR_INVALID_PARAMETER` if the handle is already
    /// associated with a port, or was not opened for overlapped I/O.
    pub(crate) fn associate(&self, handle: RawHandle, key: usize) -> io::Result<()> {
        // SAFETY: the kernel checks `handle`; the port's handle is open for
        // as long as `self` lives.
        let port = unsafe { CreateIoCompletionPort(handle, self.raw(), key, 0) };
        if port.is_null() {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Queues a packet with `key` and `overlapped`
    /// (`PostQueuedCompletionStatus`).
    ///
    /// The pointer is not dereferenced by the kernel; it is handed back
    /// unchanged with the packet.
    pub(crate) fn post(&self, key: usize, overlapped: *const OVERLAPPED) -> io::Result<()> {
        // SAFETY: the port is open; `overlapped` is only carried along.
        let ok = unsafe { PostQueuedCompletionStatus(self.raw(), 0, key, overlapped) };
        if ok == 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Takes up to `entries.len()` packets off the port, waiting up to
    /// `timeout_ms` milliseconds ([`INFINITE`] for no limit) for the first.
    /// Returns how many entries were filled; zero when the wait timed out.
    pub(crate) fn wait(
        &self,
        entries: &mut [OVERLAPPED_ENTRY],
        timeout_ms: u32,
    ) -> io::Result<usize> {
        let count = u32::try_from(entries.len()).unwrap_or(u32::MAX);
        let mut removed = 0u32;
        // SAFETY: `entries` is a live, writable buffer of at least `count`
        // entries, and `removed` a live local. The wait is not alertable,
        // so no completion routine runs inside it.
        let ok = unsafe {
            GetQueuedCompletionStatusEx(
                self.raw(),
                entries.as_mut_ptr(),
                count,
                &mut removed,
                timeout_ms,
                0,
            )
        };
        if ok == 0 {
            let err = io::Error::last_os_error();
            if err.raw_os_error() == Some(WAIT_TIMEOUT as i32) {
                return Ok(0);
            }
            return Err(err);
        }

        debug_assert!(removed <= count, "the kernel wrote past the buffer");
        Ok(removed as usize)
    }

    fn raw(&self) -> RawHandle {
        self.handle.as_raw_handle()
    }
}

impl fmt::Debug for CompletionPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CompletionPort")
            .field("handle", &self.handle)
            .finish()
    }
}
