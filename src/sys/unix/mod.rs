//! Unix backends: the selector and waker signal for each system, and the
//! descriptor-based pieces every Unix system shares.

mod selector;
pub(crate) use self::selector::{event, Event, Events, Selector};

mod waker;
pub(crate) use self::waker::WakerSignal;

crate::macros::cfg_io_source! {
    mod io_source;
    pub(crate) use self::io_source::IoSourceState;
}

crate::macros::cfg_os_ext! {
    pub(crate) mod pipe;
}

crate::macros::cfg_net! {
    mod net;
    pub(crate) mod tcp;
    pub(crate) mod udp;
    pub(crate) mod uds;
}

/// Converts a `-1`-style return value into an `io::Result`, reading `errno`
/// right after the call.
#[allow(dead_code)]
pub(crate) fn cvt(ret: libc::c_int) -> std::io::Result<libc::c_int> {
    if ret == -1 {
        Err(std::io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}
