//! Operating-system backends.
//!
//! The backend is chosen in one place: the crate's `build.rs` sets one cfg
//! naming the Unix selector and one naming the waker signal, and the module
//! tree below follows them (Windows has a single backend). Every backend
//! provides the same items with the same names and signatures, and this list
//! is the contract the public modules rely on:
//!
//! - `Selector`: the OS object that `Poll` owns, with
//!   `new() -> io::Result<Selector>`, `try_clone(&self)`,
//!   `select(&self, &mut Events, Option<Duration>) -> io::Result<()>` and
//!   `wakeup(&self) -> &Arc<Wakeup<WakerSignal>>`; on Unix also
//!   `register(&self, RawFd, Token, Interest)`,
//!   `reregister(&self, RawFd, Token, Interest)` and
//!   `deregister(&self, RawFd)`.
//!   `select` runs its wait through `Wakeup::guard_wait`, which applies the
//!   wake-up protocol of [`wake`] around it.
//! - `Event`, one raw OS event, and `Events`, the buffer `select` fills,
//!   with `with_capacity`, `capacity`, `len`, `is_empty`, `get` and `clear`.
//! - `event`: free functions reading an `Event` (`token`, `is_readable`,
//!   `is_writable`, `is_error`, `is_read_closed`, `is_write_closed`,
//!   `is_priority`, `is_aio`, `is_lio`) and `Details`, whose `Debug` names
//!   the raw flags.
//! - `WakerSignal`, implementing [`wake::Signal`]: what interrupts a
//!   blocked `select`.
//! - `IoSourceState`: the per-source bookkeeping the I/O types carry, with
//!   `new()`, `do_io(&self, f, &inner)` and the `register`, `reregister`
//!   and `deregister` methods.
//! - With `net`: `tcp::{bind, connect, accept, write, write_vectored}` and
//!   `udp::{bind, only_v6}`; on Unix also `uds::{bind_listener, accept,
//!   connect, stream_pair, bind_datagram, unbound_datagram, datagram_pair,
//!   write, write_vectored}`. The public socket types call only these.
//! - On Unix, `pipe`; on Windows, `NamedPipe`.
//!
//! `select` must never return before the timeout has passed unless an event
//! arrived or the wait was interrupted by a signal (then it fails with
//! `ErrorKind::Interrupted`). It clears `Events` before filling it.

#![cfg_attr(not(feature = "os-poll"), allow(dead_code, unused_imports))]

pub(crate) mod wake;

#[cfg(unix)]
mod unix;
#[cfg(unix)]
pub(crate) use self::unix::*;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
pub(crate) use self::windows::*;
