//! Crate-private macros: feature gates, the logging facade, and the trait
//! impls shared by the I/O types.

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

// The macros below write the trait impls that the public I/O types (the
// sockets in `net`, the Unix pipe ends, the Windows named pipe) share. Each
// expects the type to keep its OS object in a field named `inner`. The
// impls sit in anonymous constants so that their imports stay local.

/// Implements [`Source`](crate::event::Source) for `$ty` by handing every
/// call to its `inner` field: an `IoSource`, or a `sys` type with methods of
/// the same names.
#[allow(unused_macros)]
macro_rules! impl_source_via_inner {
    ($ty:ty) => {
        const _: () = {
            use std::io;

            use $crate::event::Source;
            use $crate::{Interest, Registry, Token};

            impl Source for $ty {
                fn register(
                    &mut self,
                    registry: &Registry,
                    token: Token,
                    interests: Interest,
                ) -> io::Result<()> {
                    self.inner.register(registry, token, interests)
                }

                fn reregister(
                    &mut self,
                    registry: &Registry,
                    token: Token,
                    interests: Interest,
                ) -> io::Result<()> {
                    self.inner.reregister(registry, token, interests)
                }

                fn deregister(&mut self, registry: &Registry) -> io::Result<()> {
                    self.inner.deregister(registry)
                }
            }
        };
    };
}

/// Implements `Read` or `Write` for `$ty` by calling the same trait's impl
/// for `&$ty`, which must exist. Doc comments written before `flush` go on
/// the owned type's `flush`.
#[allow(unused_macros)]
macro_rules! impl_io_via_ref {
    (Read for $ty:ty) => {
        const _: () = {
            use std::io::{self, IoSliceMut, Read};

            impl Read for $ty {
                fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                    (&*self).read(buf)
                }

                fn read_vectored(&mut self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
                    (&*self).read_vectored(bufs)
                }
            }
        };
    };
    (Write for $ty:ty $(, $(#[$flush_attr:meta])* flush)?) => {
        const _: () = {
            use std::io::{self, IoSlice, Write};

            impl Write for $ty {
                fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
                    (&*self).write(buf)
                }

                fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
                    (&*self).write_vectored(bufs)
                }

                $($(#[$flush_attr])*)?
                fn flush(&mut self) -> io::Result<()> {
                    (&*self).flush()
                }
            }
        };
    };
}

/// Implements `Read` for `$ty` and `&$ty`. Every read runs inside `do_io`
/// on the `IoSource` in `inner`, so that backends which emulate edges see
/// each `WouldBlock`.
#[allow(unused_macros)]
macro_rules! impl_read_via_io_source {
    ($ty:ty) => {
        $crate::macros::impl_io_via_ref!(Read for $ty);

        const _: () = {
            use std::io::{self, IoSliceMut, Read};

            impl Read for &$ty {
                fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                    self.inner.do_io(|mut inner| inner.read(buf))
                }

                fn read_vectored(&mut self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
                    self.inner.do_io(|mut inner| inner.read_vectored(bufs))
                }
            }
        };
    };
}

/// Implements `Write` for `$ty` and `&$ty`. Every write runs inside `do_io`
/// on the `IoSource` in `inner`, as reads do in [`impl_read_via_io_source!`].
///
/// `write` and `write_vectored` name the functions that do the work. They
/// are called with `&mut &T`, `T` being the wrapped object, which also
/// coerces to `&T`: std's `Write::write` fits as well as a `sys` function
/// taking `&T`. Doc comments written before either name go on the method of
/// `&$ty`. `flush` is the wrapped object's own.
#[allow(unused_macros)]
macro_rules! impl_write_via_io_source {
    (
        $ty:ty,
        $(#[$write_attr:meta])*
        write: $write:expr,
        $(#[$vectored_attr:meta])*
        write_vectored: $write_vectored:expr $(,)?
    ) => {
        $crate::macros::impl_io_via_ref!(Write for $ty);

        const _: () = {
            use std::io::{self, IoSlice, Write};

            impl Write for &$ty {
                $(#[$write_attr])*
                fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
                    self.inner.do_io(|mut inner| ($write)(&mut inner, buf))
                }

                $(#[$vectored_attr])*
                fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
                    self.inner
                        .do_io(|mut inner| ($write_vectored)(&mut inner, bufs))
                }

                fn flush(&mut self) -> io::Result<()> {
                    self.inner.do_io(|mut inner| inner.flush())
                }
            }
        };
    };
}

/// Implements the descriptor traits for `$ty`, whose `inner` field is an
/// `IoSource` of `$inner`, an object that converts to and from an
/// `OwnedFd`: `AsRawFd`, `AsFd`, `IntoRawFd`, `From<$ty> for OwnedFd`,
/// `From<OwnedFd>` (which hands the new `$inner` to `$wrap`) and
/// `FromRawFd`. The two conversions from a descriptor carry the doc comments
/// written before `$ty`.
#[allow(unused_macros)]
macro_rules! impl_fd_conversions {
    ($(#[$from_attr:meta])* $ty:ty, $inner:ty => $wrap:expr) => {
        const _: () = {
            use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, IntoRawFd, OwnedFd, RawFd};

            impl AsRawFd for $ty {
                fn as_raw_fd(&self) -> RawFd {
                    self.inner.as_raw_fd()
                }
            }

            impl AsFd for $ty {
                fn as_fd(&self) -> BorrowedFd<'_> {
                    self.inner.as_fd()
                }
            }

            impl IntoRawFd for $ty {
                fn into_raw_fd(self) -> RawFd {
                    self.inner.into_inner().into_raw_fd()
                }
            }

            impl From<$ty> for OwnedFd {
                fn from(io: $ty) -> OwnedFd {
                    io.inner.into_inner().into()
                }
            }

            $(#[$from_attr])*
            impl From<OwnedFd> for $ty {
                fn from(fd: OwnedFd) -> $ty {
                    ($wrap)(<$inner>::from(fd))
                }
            }

            $(#[$from_attr])*
            impl FromRawFd for $ty {
                unsafe fn from_raw_fd(fd: RawFd) -> $ty {
                    // SAFETY: the caller guarantees that `fd` is an open
                    // descriptor that it owns and hands over, as
                    // `FromRawFd` requires.
                    <$ty>::from(unsafe { OwnedFd::from_raw_fd(fd) })
                }
            }
        };
    };
}

#[allow(unused_imports)]
pub(crate) use {
    cfg_io_source, cfg_net, cfg_os_ext, cfg_os_poll, impl_fd_conversions, impl_io_via_ref,
    impl_read_via_io_source, impl_source_via_inner, impl_write_via_io_source, log, trace, warning,
};
