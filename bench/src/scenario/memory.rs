//! Scenario 6: memory per registered socket, at 10,000 sockets.
//!
//! Two parts, each divided by the socket count:
//!
//! - heap: bytes the counting global allocator sees allocated (and not
//!   freed) while the backend wraps and registers the sockets, minus what
//!   the same `Vec` of plain std sockets takes. This is the library's own
//!   cost in user memory: bigger socket types and registration tables.
//! - kernel: slab memory the registering thread's system calls allocate,
//!   counted per thread on the `kmem:kmem_cache_alloc` and `kmem:kmalloc`
//!   tracepoints with one counter per slab size (epoll takes one
//!   `struct epitem` and one wait-queue entry per registered socket).
//!   Needs tracepoint access (root, or a permissive
//!   `perf_event_paranoid`); NaN otherwise.

use std::io;
use std::net::UdpSocket;

use super::common;
use super::{dispatch, per, BackendId, Better, Budget, Metric, Scenario};
use crate::driver::Driver;
use crate::measure::{self, KernelAllocs};

/// Sockets registered.
pub const SOCKETS: usize = 10_000;

#[derive(Default)]
pub struct Memory {
    idle: Vec<UdpSocket>,
}

impl Memory {
    fn go<D: Driver>(&mut self) -> io::Result<Vec<f64>> {
        let mut d = D::new(1024)?;
        let std_bytes = (SOCKETS * std::mem::size_of::<UdpSocket>()) as isize;
        let heap_before = measure::live_bytes();

        let mut sockets: Vec<D::Udp> = Vec::with_capacity(SOCKETS);
        sockets.extend(self.idle.drain(..).map(D::udp));
        let kernel = KernelAllocs::start();
        let result = sockets
            .iter_mut()
            .enumerate()
            .try_for_each(|(i, s)| d.register_udp(s, i));
        let kernel = kernel.map(KernelAllocs::stop);
        let heap = measure::live_bytes() - heap_before - std_bytes;

        for s in sockets.iter_mut() {
            // Sockets that never got registered fail here; that is fine.
            let _ = d.deregister_udp(s);
        }
        self.idle = sockets.into_iter().map(D::unudp).collect();
        result?;

        let n = SOCKETS as u64;
        let heap = heap as f64 / SOCKETS as f64;
        let (bytes, allocs) = match kernel {
            // Sizes outside the filtered list would make the bytes a lower
            // bound; report none rather than a wrong figure.
            Some(k) if k.odd_sized == 0 => (per(Some(k.bytes), n), per(Some(k.allocations), n)),
            Some(k) => (f64::NAN, per(Some(k.allocations), n)),
            None => (f64::NAN, f64::NAN),
        };
        Ok(vec![heap + bytes, heap, bytes, allocs])
    }
}

impl Scenario for Memory {
    fn title(&self) -> String {
        "6 memory per registered socket (10,000 UDP sockets)".to_string()
    }

    fn metrics(&self) -> Vec<Metric> {
        vec![
            // The kernel's figures vary by a few hundredths of an
            // allocation per registration between runs, so they get a
            // noise band like timed figures.
            Metric::timed(
                "mem_total",
                "bytes per socket, heap + kernel",
                "B",
                Better::Lower,
            ),
            Metric::count("mem_heap", "heap bytes per socket beyond std's", "B"),
            Metric::timed(
                "mem_kernel",
                "kernel slab bytes per registration",
                "B",
                Better::Lower,
            ),
            Metric::timed(
                "mem_kernel_allocs",
                "kernel slab allocations per registration",
                "allocs",
                Better::Lower,
            ),
        ]
    }

    fn setup(&mut self) -> io::Result<()> {
        self.idle = common::udps(SOCKETS)?;
        Ok(())
    }

    fn run(&mut self, backend: BackendId, _budget: &Budget) -> io::Result<Vec<f64>> {
        dispatch!(backend, D => self.go::<D>())
    }
}
