//! Windows backend: an I/O completion port, with socket readiness from the
//! AFD driver and named pipes driven by overlapped I/O.
//!
//! - `iocp`: the completion port the selector waits on.
//! - `selector`: `Selector`, which turns completion packets into events.
//! - `event`: `Event`, `Events` and the readers of an event's flags.
//! - `waker`: `WakerSignal`, a packet posted to the port.
//! - `afd` and `sock_state`: a registered socket's AFD poll request.
//! - `io_source`: `IoSourceState`, which sends that request again when an
//!   operation would block.
//! - `named_pipe`: the overlapped I/O behind `windows::NamedPipe`.
//! - `net`, `tcp`, `udp`: socket creation for the `net` types.

// The flag constants are read by every event; the rest only with `net`.
#[cfg_attr(not(feature = "net"), allow(dead_code))]
mod afd;
pub(crate) mod event;
mod iocp;
mod selector;
mod waker;

pub(crate) use self::event::{Event, Events};
pub(crate) use self::selector::Selector;
pub(crate) use self::waker::WakerSignal;

crate::macros::cfg_net! {
    mod sock_state;
    mod io_source;
    pub(crate) use self::io_source::IoSourceState;

    mod net;
    pub(crate) mod tcp;
    pub(crate) mod udp;
}

crate::macros::cfg_os_ext! {
    mod named_pipe;
    pub(crate) use self::named_pipe::NamedPipe;
}
