//! Crate-private macros: feature gates and the logging facade.

/// Compiles the items only with the `os-poll` feature.
macro_rules! cfg_os_poll {
    ($($item:item)*) => {
        $(
            #[cfg(feature = "os-poll")]
            #[cfg_attr(docsrs, doc(cfg(feature = "os-poll")))]
            $item
        )*
    };
}

/// Compiles the items only with the `os-ext` feature.
macro_rules! cfg_os_ext {
    ($($item:item)*) => {
        $(
            #[cfg(feature = "os-ext")]
            #[cfg_attr(docsrs, doc(cfg(feature = "os-ext")))]
            $item
        )*
    };
}

/// Compiles the items only with the `net` feature.
macro_rules! cfg_net {
    ($($item:item)*) => {
        $(
            #[cfg(feature = "net")]
            #[cfg_attr(docsrs, doc(cfg(feature = "net")))]
            $item
        )*
    };
}

/// Compiles the items when some public type wraps an OS I/O object: the
/// network types, or the Unix pipes.
macro_rules! cfg_io_source {
    ($($item:item)*) => {
        $(
            #[cfg(any(feature = "net", all(unix, feature = "os-ext")))]
            $item
        )*
    };
}

/// Forwards to `log::trace!` with the `log` feature; compiles to nothing
/// otherwise, while still type-checking (and so "using") the arguments.
macro_rules! trace {
    ($($arg:tt)+) => {
        $crate::macros::log!(trace, $($arg)+)
    };
}

/// Forwards to `log::warn!` with the `log` feature; see [`trace!`].
#[allow(unused_macros)]
macro_rules! warning {
    ($($arg:tt)+) => {
        $crate::macros::log!(warn, $($arg)+)
    };
}

/// The shared body of the logging macros.
macro_rules! log {
    ($level:ident, $($arg:tt)+) => {{
        #[cfg(feature = "log")]
        {
            ::log::$level!(target: "metal_io", $($arg)+);
        }
        #[cfg(not(feature = "log"))]
        {
            // Never runs: it only makes the arguments count as used.
            if false {
                let _ = ::std::format_args!($($arg)+);
            }
        }
    }};
}

#[allow(unused_imports)]
pub(crate) use {cfg_io_source, cfg_net, cfg_os_ext, cfg_os_poll, log, trace, warning};
