//! What the scenarios measure besides time: system calls and instructions
//! (through `perf_event_open(2)`), heap use (through a counting global
//! allocator), and kernel memory (through `/proc/slabinfo`).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::fs;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};
use std::sync::OnceLock;

/// The allocator of the whole benchmark: the system's, with counters.
pub struct Counting;

/// Bytes currently allocated, process-wide.
static LIVE: AtomicIsize = AtomicIsize::new(0);

thread_local! {
    /// Allocations made by this thread so far.
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded to `System` unchanged; the counters are
// updated without allocating.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_alloc(layout.size() as isize);
        // SAFETY: the caller's contract is passed on as it is.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note_alloc(layout.size() as isize);
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_alloc(new_size as isize - layout.size() as isize);
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

fn note_alloc(bytes: isize) {
    LIVE.fetch_add(bytes, Ordering::Relaxed);
    // `try_with` fails only while the thread is being torn down.
    let _ = ALLOCS.try_with(|n| n.set(n.get() + 1));
}

/// Bytes on the heap right now, process-wide.
pub fn live_bytes() -> isize {
    LIVE.load(Ordering::Relaxed)
}

/// Allocations made by the calling thread so far.
pub fn thread_allocs() -> u64 {
    ALLOCS.with(Cell::get)
}

/// What a [`Counter`] counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Entries into the kernel (`raw_syscalls:sys_enter` tracepoint).
    Syscalls,
    /// Instructions retired in user space (hardware counter).
    Instructions,
}

/// `struct perf_event_attr` as of its first version (64 bytes), which
/// every kernel accepts.
#[repr(C)]
#[derive(Default)]
struct PerfEventAttr {
    kind: u32,
    size: u32,
    config: u64,
    sample_period: u64,
    sample_type: u64,
    read_format: u64,
    flags: u64,
    wakeup_events: u32,
    bp_type: u32,
    config1: u64,
}

const PERF_TYPE_HARDWARE: u32 = 0;
const PERF_TYPE_TRACEPOINT: u32 = 2;
const PERF_COUNT_HW_INSTRUCTIONS: u64 = 1;
const EXCLUDE_KERNEL: u64 = 1 << 5;
const EXCLUDE_HV: u64 = 1 << 6;
const PERF_FLAG_FD_CLOEXEC: libc::c_ulong = 1 << 3;

/// A counter of one event on the calling thread only.
///
/// It counts from its creation; [`Counter::read`] returns the total so far.
pub struct Counter {
    fd: OwnedFd,
}

fn tracepoint_id() -> Option<u64> {
    static ID: OnceLock<Option<u64>> = OnceLock::new();
    *ID.get_or_init(|| {
        ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"]
            .iter()
            .find_map(|root| {
                let path = format!("{root}/events/raw_syscalls/sys_enter/id");
                fs::read_to_string(path).ok()?.trim().parse().ok()
            })
    })
}

impl Counter {
    /// Starts counting `kind` on this thread.
    pub fn start(kind: Kind) -> io::Result<Counter> {
        match kind {
            Kind::Syscalls => {
                let id = tracepoint_id().ok_or_else(|| {
                    io::Error::new(io::ErrorKind::NotFound, "no raw_syscalls tracepoint")
                })?;
                Counter::open(PERF_TYPE_TRACEPOINT, id, 0)
            }
            Kind::Instructions => Counter::open(
                PERF_TYPE_HARDWARE,
                PERF_COUNT_HW_INSTRUCTIONS,
                EXCLUDE_KERNEL | EXCLUDE_HV,
            ),
        }
    }

    /// Opens a counter of event `config` of type `kind` on this thread.
    fn open(kind: u32, config: u64, flags: u64) -> io::Result<Counter> {
        let attr = PerfEventAttr {
            kind,
            size: std::mem::size_of::<PerfEventAttr>() as u32,
            config,
            flags,
            ..PerfEventAttr::default()
        };

        // SAFETY: `attr` is a valid, initialised attribute block whose
        // `size` field says how much of it the kernel may read.
        let fd = unsafe {
            libc::syscall(
                libc::SYS_perf_event_open,
                &attr as *const PerfEventAttr,
                0 as libc::pid_t,
                -1 as libc::c_int,
                -1 as libc::c_int,
                PERF_FLAG_FD_CLOEXEC,
            )
        };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: the kernel just returned this descriptor to us.
        let fd = unsafe { OwnedFd::from_raw_fd(fd as libc::c_int) };
        Ok(Counter { fd })
    }

    /// Returns the count so far.
    pub fn read(&self) -> u64 {
        let mut value = 0u64;
        // SAFETY: `value` is 8 writable bytes for the duration of the call.
        let n = unsafe {
            libc::read(
                self.fd.as_raw_fd(),
                (&mut value as *mut u64).cast(),
                std::mem::size_of::<u64>(),
            )
        };
        if n == 8 {
            value
        } else {
            0
        }
    }
}

/// Set by `--no-counters`: no counter is opened at all.
static DISABLED: AtomicBool = AtomicBool::new(false);

/// Turns every counter off, for runs under valgrind or strace.
pub fn disable() {
    DISABLED.store(true, Ordering::Relaxed);
}

/// Tells once whether counters of `kind` can be opened here.
pub fn available(kind: Kind) -> bool {
    static SYSCALLS: OnceLock<bool> = OnceLock::new();
    static INSTRUCTIONS: OnceLock<bool> = OnceLock::new();
    let cell = match kind {
        Kind::Syscalls => &SYSCALLS,
        Kind::Instructions => &INSTRUCTIONS,
    };
    if DISABLED.load(Ordering::Relaxed) {
        return false;
    }
    *cell.get_or_init(|| {
        let Ok(counter) = Counter::start(kind) else {
            return false;
        };

        // A counter that opens but never counts (a virtual machine without
        // a PMU does this for instructions) is no counter.
        let mut buf = [0u8; 1];
        for _ in 0..4 {
            // SAFETY: `buf` is 1 writable byte; fd 0 may be anything, and
            // the result is ignored: only the entry into the kernel counts.
            let _ = unsafe { libc::read(-1, buf.as_mut_ptr().cast(), 1) };
        }
        counter.read() > 0
    })
}

/// A span of one thread's work, counted in system calls, instructions and
/// allocations. Counters that are not available read as `None`.
pub struct Span {
    syscalls: Option<(Counter, u64)>,
    instructions: Option<(Counter, u64)>,
    allocs: u64,
}

/// What a [`Span`] counted.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    pub syscalls: Option<u64>,
    pub instructions: Option<u64>,
    pub allocs: u64,
}

impl Counts {
    /// Adds the counts of two threads.
    pub fn add(self, other: Counts) -> Counts {
        Counts {
            syscalls: self.syscalls.zip(other.syscalls).map(|(a, b)| a + b),
            instructions: self
                .instructions
                .zip(other.instructions)
                .map(|(a, b)| a + b),
            allocs: self.allocs + other.allocs,
        }
    }
}

impl Span {
    /// Starts counting on the calling thread.
    pub fn start() -> Span {
        let open = |kind| {
            if !available(kind) {
                return None;
            }
            let counter = Counter::start(kind).ok()?;
            let base = counter.read();
            Some((counter, base))
        };
        // The syscall counter opens last, so it sees none of the setup.
        let instructions = open(Kind::Instructions);
        let syscalls = open(Kind::Syscalls);
        Span {
            syscalls,
            instructions,
            allocs: thread_allocs(),
        }
    }

    /// Stops counting and returns what was counted, less the one read
    /// system call that ends the span.
    pub fn stop(self) -> Counts {
        let allocs = thread_allocs() - self.allocs;
        let read = |c: &Option<(Counter, u64)>, extra: u64| {
            c.as_ref()
                .map(|(c, base)| c.read().saturating_sub(*base + extra))
        };

        // The syscall counter is read first: only its own read is extra.
        let syscalls = read(&self.syscalls, 1);
        let instructions = read(&self.instructions, 0);
        Counts {
            syscalls,
            instructions,
            allocs,
        }
    }
}

/// Slab object sizes counted one by one: every multiple of 8 up to 512
/// (dedicated caches such as epoll's have sizes like 24 or 128), then the
/// larger `kmalloc` sizes.
fn slab_sizes() -> impl Iterator<Item = u64> {
    (1..=64).map(|i| i * 8).chain([1024, 2048, 4096, 8192])
}

/// `PERF_EVENT_IOC_SET_FILTER`, `_IOW('$', 6, char *)`.
const PERF_EVENT_IOC_SET_FILTER: libc::c_ulong = 0x4008_2406;

/// Kernel slab allocations made by the calling thread, counted through
/// the `kmem:kmem_cache_alloc` and `kmem:kmalloc` tracepoints: one counter
/// each in total, and one per slab size with a `bytes_alloc == N` filter,
/// so that the bytes are exact as long as every allocation has one of
/// those sizes (the totals say whether it did).
pub struct KernelAllocs {
    totals: Vec<(Counter, u64)>,
    sized: Vec<(Counter, u64, u64)>,
}

/// What [`KernelAllocs`] counted.
#[derive(Debug, Clone, Copy)]
pub struct KernelCount {
    pub allocations: u64,
    pub bytes: u64,
    /// Allocations whose size is in none of the filtered sizes.
    pub odd_sized: u64,
}

fn kmem_id(event: &str) -> Option<u64> {
    ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"]
        .iter()
        .find_map(|root| {
            let path = format!("{root}/events/kmem/{event}/id");
            fs::read_to_string(path).ok()?.trim().parse().ok()
        })
}

fn open_tracepoint(id: u64, filter: Option<&str>) -> io::Result<Counter> {
    let counter = Counter::open(PERF_TYPE_TRACEPOINT, id, 0)?;
    if let Some(filter) = filter {
        let c = std::ffi::CString::new(filter).map_err(io::Error::other)?;
        // SAFETY: `c` is a nul-terminated string that outlives the call.
        let ret = unsafe {
            libc::ioctl(
                counter.fd.as_raw_fd(),
                PERF_EVENT_IOC_SET_FILTER,
                c.as_ptr(),
            )
        };
        if ret < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(counter)
}

impl KernelAllocs {
    /// Starts counting, or `None` where the tracepoints cannot be used.
    pub fn start() -> Option<KernelAllocs> {
        if DISABLED.load(Ordering::Relaxed) {
            return None;
        }
        let mut totals = Vec::new();
        let mut sized = Vec::new();
        for event in ["kmem_cache_alloc", "kmalloc"] {
            let id = kmem_id(event)?;
            for size in slab_sizes() {
                let filter = format!("bytes_alloc == {size}");
                let c = open_tracepoint(id, Some(&filter)).ok()?;
                let base = c.read();
                sized.push((c, size, base));
            }
            let c = open_tracepoint(id, None).ok()?;
            let base = c.read();
            totals.push((c, base));
        }
        Some(KernelAllocs { totals, sized })
    }

    /// Returns what was allocated since [`KernelAllocs::start`].
    pub fn stop(self) -> KernelCount {
        let allocations: u64 = self.totals.iter().map(|(c, base)| c.read() - base).sum();
        let mut bytes = 0;
        let mut counted = 0;
        for (c, size, base) in &self.sized {
            let n = c.read() - base;
            bytes += n * size;
            counted += n;
        }
        KernelCount {
            allocations,
            bytes,
            odd_sized: allocations.saturating_sub(counted),
        }
    }
}
