//! The backends under test, each a [`Driver`](crate::driver::Driver).

mod mio_like;
pub mod polling;
pub mod raw;

mio_like::mio_like!(metal, ::metal_io);
mio_like::mio_like!(mio, ::mio);
