//! Socket readiness from AFD, the kernel driver under Winsock.
//!
//! Strategy: Winsock's `select` and `WSAPoll` are themselves built on one
//! driver request, `IOCTL_AFD_POLL`. It names sockets and the `AFD_POLL_*`
//! conditions to watch, stays pending until one of them holds, and then
//! completes like any other overlapped operation. Sent on a handle to
//! `\Device\Afd` (opened with `NtCreateFile`) that is associated with the
//! selector's completion port, it turns readiness into a completion packet.
//! A request names one socket, by its base provider handle
//! (`SIO_BASE_HANDLE`), since that is the handle the driver knows.
//!
//! Risks: Microsoft does not document this interface. Its layout and flag
//! values have not changed since Windows XP, Winsock itself depends on
//! them, and Wine implements them; still, they are an internal contract. A
//! socket whose layered service provider hides its base handle cannot be
//! registered. A request reports readiness once: watching a socket again
//! takes a new request.

use std::ffi::c_void;
use std::os::windows::io::{AsRawHandle, FromRawHandle, OwnedHandle, RawHandle, RawSocket};
use std::{fmt, io, mem, ptr};

use windows_sys::Wdk::Foundation::OBJECT_ATTRIBUTES;
use windows_sys::Wdk::Storage::FileSystem::{NtCancelIoFileEx, NtCreateFile, FILE_OPEN};
use windows_sys::Wdk::System::IO::NtDeviceIoControlFile;
use windows_sys::Win32::Foundation::{
    RtlNtStatusToDosError, HANDLE, NTSTATUS, OBJ_CASE_INSENSITIVE, STATUS_NOT_FOUND,
    STATUS_PENDING, STATUS_SUCCESS, UNICODE_STRING,
};
use windows_sys::Win32::Networking::WinSock::{
    WSAIoctl, INVALID_SOCKET, SIO_BASE_HANDLE, SOCKET, SOCKET_ERROR,
};
use windows_sys::Win32::Storage::FileSystem::{
    SetFileCompletionNotificationModes, FILE_SHARE_READ, FILE_SHARE_WRITE, SYNCHRONIZE,
};
use windows_sys::Win32::System::WindowsProgramming::FILE_SKIP_SET_EVENT_ON_HANDLE;
use windows_sys::Win32::System::IO::{CancelIoEx, IO_STATUS_BLOCK};

use super::iocp::CompletionPort;

/// Data (or a zero-length end of stream) can be received.
pub(crate) const AFD_POLL_RECEIVE: u32 = 0x0001;
/// Out-of-band data can be received.
pub(crate) const AFD_POLL_RECEIVE_EXPEDITED: u32 = 0x0002;
/// Data can be sent.
pub(crate) const AFD_POLL_SEND: u32 = 0x0004;
/// The peer shut down its sending half.
pub(crate) const AFD_POLL_DISCONNECT: u32 = 0x0008;
/// The connection was reset or aborted.
pub(crate) const AFD_POLL_ABORT: u32 = 0x0010;
/// The socket was closed on this side.
pub(crate) const AFD_POLL_LOCAL_CLOSE: u32 = 0x0020;
/// A connection attempt succeeded.
pub(crate) const AFD_POLL_CONNECT: u32 = 0x0040;
/// A connection is waiting to be accepted.
pub(crate) const AFD_POLL_ACCEPT: u32 = 0x0080;
/// A connection attempt failed.
pub(crate) const AFD_POLL_CONNECT_FAIL: u32 = 0x0100;

/// `_AFD_CONTROL_CODE(AFD_POLL, METHOD_BUFFERED)`: device type
/// `FILE_DEVICE_NETWORK`, function 9.
const IOCTL_AFD_POLL: u32 = 0x0001_2024;

/// One socket in a poll request, and what the driver found for it.
#[repr(C)]
pub(crate) struct PollHandleInfo {
    pub(crate) handle: HANDLE,
    pub(crate) events: u32,
    pub(crate) status: NTSTATUS,
}

/// The buffer of a poll request: read by the driver when the request
/// starts, written back when it completes.
#[repr(C)]
pub(crate) struct PollInfo {
    /// An absolute or relative NT time; `i64::MAX` means never.
    pub(crate) timeout: i64,
    pub(crate) number_of_handles: u32,
    pub(crate) exclusive: u32,
    pub(crate) handles: [PollHandleInfo; 1],
}

impl PollInfo {
    /// Returns a request buffer watching `socket` for `events`, forever.
    pub(crate) fn new(socket: RawSocket, events: u32) -> PollInfo {
        PollInfo {
            timeout: i64::MAX,
            number_of_handles: 1,
            exclusive: 0,
            handles: [PollHandleInfo {
                handle: socket as HANDLE,
                events,
                status: STATUS_SUCCESS,
            }],
        }
    }
}

/// A handle to the AFD driver, associated with a completion port, on
/// which poll requests for many sockets are sent.
pub(crate) struct Afd {
    handle: OwnedHandle,
}

impl Afd {
    /// Opens `\Device\Afd` (`NtCreateFile`) and associates the handle with
    /// `port` under `key`.
    pub(crate) fn new(port: &CompletionPort, key: usize) -> io::Result<Afd> {
        // Any name below the device opens it; the last part only shows up
        // in handle listings.
        let mut name: Vec<u16> = r"\Device\Afd\MetalIo".encode_utf16().collect();
        let bytes = (name.len() * mem::size_of::<u16>()) as u16;
        let name = UNICODE_STRING {
            Length: bytes,
            MaximumLength: bytes,
            Buffer: name.as_mut_ptr(),
        };
        let attributes = OBJECT_ATTRIBUTES {
            Length: mem::size_of::<OBJECT_ATTRIBUTES>() as u32,
            RootDirectory: ptr::null_mut(),
            ObjectName: &name,
            Attributes: OBJ_CASE_INSENSITIVE,
            SecurityDescriptor: ptr::null(),
            SecurityQualityOfService: ptr::null(),
        };

        let mut handle: HANDLE = ptr::null_mut();
        let mut iosb = zeroed_iosb();
        // SAFETY: every pointer refers to a live local that outlives the
        // call (the name's buffer included); the kernel writes only
        // `handle` and `iosb`.
        let status = unsafe {
            NtCreateFile(
                &mut handle,
                SYNCHRONIZE,
                &attributes,
                &mut iosb,
                ptr::null(),
                0,
                FILE_SHARE_READ | FILE_SHARE_WRITE,
                FILE_OPEN,
                0,
                ptr::null(),
                0,
            )
        };
        if status != STATUS_SUCCESS {
            return Err(nt_error(status));
        }

        // SAFETY: the call succeeded, so `handle` is a new handle that
        // nothing else owns.
        let handle = unsafe { OwnedHandle::from_raw_handle(handle) };
        port.associate(handle.as_raw_handle(), key)?;

        // Nobody waits on this handle, so the kernel need not signal it at
        // each completion.
        // SAFETY: the handle is open for the call.
        let ok = unsafe {
            SetFileCompletionNotificationModes(
                handle.as_raw_handle(),
                FILE_SKIP_SET_EVENT_ON_HANDLE as u8,
            )
        };
        if ok == 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(Afd { handle })
    }

    /// Sends a poll request (`NtDeviceIoControlFile` with
    /// `IOCTL_AFD_POLL`). Its completion packet carries `context` as its
    /// `OVERLAPPED` pointer.
    ///
    /// On success a completion packet will be queued, even if the request
    /// finished at once; on failure none will.
    ///
    /// # Safety
    ///
    /// `info` and `iosb` must point to memory that stays valid, and that
    /// nothing else reads or writes, until the packet carrying `context`
    /// has been taken off the port. The driver writes both.
    pub(crate) unsafe fn poll(
        &self,
        info: *mut PollInfo,
        iosb: *mut IO_STATUS_BLOCK,
        context: *const c_void,
    ) -> io::Result<()> {
        let size = mem::size_of::<PollInfo>() as u32;
        // SAFETY: the caller keeps `info` and `iosb` valid and untouched
        // until the completion; the same buffer serves as the request's
        // input and output, as the driver expects.
        let status = unsafe {
            NtDeviceIoControlFile(
                self.raw(),
                ptr::null_mut(),
                None,
                context,
                iosb,
                IOCTL_AFD_POLL,
                info.cast::<c_void>(),
                size,
                info.cast::<c_void>(),
                size,
            )
        };
        if status == STATUS_SUCCESS || status == STATUS_PENDING {
            Ok(())
        } else {
            Err(nt_error(status))
        }
    }

    /// Cancels the request whose status block is `iosb`
    /// (`NtCancelIoFileEx`). Finding no such request is not an error: it
    /// has completed and its packet is on its way.
    pub(crate) fn cancel(&self, iosb: *const IO_STATUS_BLOCK) -> io::Result<()> {
        let mut cancel_iosb = zeroed_iosb();
        // SAFETY: the kernel only compares `iosb` with the status blocks of
        // pending requests, never dereferences it, and writes the local
        // `cancel_iosb`.
        let status = unsafe { NtCancelIoFileEx(self.raw(), iosb, &mut cancel_iosb) };
        if status == STATUS_SUCCESS || status == STATUS_NOT_FOUND {
            Ok(())
        } else {
            Err(nt_error(status))
        }
    }

    /// Cancels every request pending on this handle (`CancelIoEx`).
    pub(crate) fn cancel_all(&self) {
        // SAFETY: the handle is open; a null `OVERLAPPED` selects every
        // request. Finding none is the only failure, and it is harmless.
        unsafe { CancelIoEx(self.raw(), ptr::null()) };
    }

    fn raw(&self) -> RawHandle {
        self.handle.as_raw_handle()
    }
}

impl fmt::Debug for Afd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Afd").field("handle", &self.handle).finish()
    }
}

/// Returns the base provider's handle for `socket` (`WSAIoctl` with
/// `SIO_BASE_HANDLE`), which is what a poll request must name.
pub(crate) fn base_socket(socket: RawSocket) -> io::Result<RawSocket> {
    let mut base: SOCKET = INVALID_SOCKET;
    let mut written = 0u32;
    // SAFETY: the output buffer is the local `base`, of the size given;
    // there is no input buffer, no `OVERLAPPED` and no completion routine,
    // so nothing outlives the call. Winsock checks the socket itself.
    let ret = unsafe {
        WSAIoctl(
            socket as SOCKET,
            SIO_BASE_HANDLE,
            ptr::null(),
            0,
            (&mut base as *mut SOCKET).cast::<c_void>(),
            mem::size_of::<SOCKET>() as u32,
            &mut written,
            ptr::null_mut(),
            None,
        )
    };
    if ret == SOCKET_ERROR {
        return Err(io::Error::last_os_error());
    }
    Ok(base as RawSocket)
}

/// Returns an `IO_STATUS_BLOCK` with every field zero.
pub(crate) fn zeroed_iosb() -> IO_STATUS_BLOCK {
    // SAFETY: `IO_STATUS_BLOCK` is plain data (a status or pointer union
    // and a length), for which all zero bits are a valid value.
    unsafe { mem::zeroed() }
}

/// Converts an `NTSTATUS` into the matching Windows error
/// (`RtlNtStatusToDosError`).
pub(crate) fn nt_error(status: NTSTATUS) -> io::Error {
    // SAFETY: any status value is accepted; the call reads a table and
    // touches nothing but the calling thread's own error fields.
    let code = unsafe { RtlNtStatusToDosError(status) };
    io::Error::from_raw_os_error(code as i32)
}
