#![cfg(feature = "os-poll")]

mod util;

use std::io;
use std::sync::mpsc;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use metal_io::{Events, Poll, Registry, Token, Waker};

use util::{assert_error_kind, init_with_poll, EVENT_TIMEOUT};

const WAKE: Token = Token(100);

#[test]
fn zero_timeout_returns_at_once() {
    let (mut poll, mut events) = init_with_poll();
    let start = Instant::now();
    poll.poll(&mut events, Some(Duration::ZERO)).unwrap();
    assert!(events.is_empty());
    // Generous: a non-blocking check takes microseconds.
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn short_timeouts_never_return_early() {
    let (mut poll, mut events) = init_with_poll();
    let timeouts = [
        Duration::from_nanos(1),
        Duration::from_micros(1),
        Duration::from_micros(500),
        Duration::from_millis(1) + Duration::from_nanos(1),
        Duration::from_millis(10),
    ];
    for timeout in timeouts {
        let start = Instant::now();
        poll.poll(&mut events, Some(timeout)).unwrap();
        let elapsed = start.elapsed();
        assert!(events.is_empty());
        assert!(
            elapsed >= timeout,
            "returned after {elapsed:?} for {timeout:?}"
        );
    }
}

#[test]
fn max_timeout_waits_until_woken() {
    let (mut poll, mut events) = init_with_poll();
    let waker = Arc::new(Waker::new(poll.registry(), WAKE).unwrap());
    let barrier = Arc::new(Barrier::new(2));
    let (tx, rx) = mpsc::channel();

    // The wait runs on another thread, so that a hang fails the test
    // instead of stalling it.
    let poller = {
        let barrier = Arc::clone(&barrier);
        thread::spawn(move || {
            barrier.wait();
            let result = poll.poll(&mut events, Some(Duration::MAX));
            let tokens: Vec<Token> = events.iter().map(|e| e.token()).collect();
            tx.send(result.map(|()| tokens)).unwrap();
        })
    };
    barrier.wait();
    waker.wake().unwrap();

    let tokens = rx
        .recv_timeout(EVENT_TIMEOUT)
        .expect("poll with Duration::MAX did not end on a wake")
        .unwrap();
    assert!(tokens.contains(&WAKE), "{tokens:?}");
    poller.join().unwrap();
}

#[test]
fn capacity_zero_is_invalid_input() {
    let (mut poll, _) = init_with_poll();
    let mut events = Events::with_capacity(0);
    assert_error_kind(
        poll.poll(&mut events, Some(Duration::ZERO)),
        io::ErrorKind::InvalidInput,
    );
}

#[test]
fn poll_and_registry_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Poll>();
    assert_send_sync::<Registry>();
}

#[test]
fn debug_does_not_panic() {
    let (poll, _) = init_with_poll();
    assert!(format!("{poll:?}").starts_with("Poll"));
    assert!(format!("{:?}", poll.registry()).starts_with("Registry"));
}

/// Tests that need Unix descriptors and signals.
#[cfg(unix)]
mod unix {
    use std::sync::mpsc::RecvTimeoutError;
    use std::sync::OnceLock;

    use super::*;

    // The `poll(2)` selector has no descriptor, so `Poll` implements no
    // `AsFd` there.
    #[test]
    #[cfg(all(
        not(metal_io_force_poll),
        any(
            target_os = "android",
            target_os = "illumos",
            target_os = "linux",
            target_os = "dragonfly",
            target_os = "freebsd",
            target_os = "ios",
            target_os = "macos",
            target_os = "netbsd",
            target_os = "openbsd",
            target_os = "tvos",
            target_os = "visionos",
            target_os = "watchos",
        )
    ))]
    fn poll_and_registry_clones_are_close_on_exec() {
        use std::os::fd::AsRawFd;
        use util::assert_close_on_exec;

        let (poll, _) = init_with_poll();
        assert_close_on_exec(&poll);
        let clone = poll.registry().try_clone().unwrap();
        assert_close_on_exec(&clone);
        assert_ne!(clone.as_raw_fd(), poll.as_raw_fd());
    }

    /// A signal handler that does nothing; it only makes the signal
    /// interrupt a blocking system call.
    extern "C" fn do_nothing(_: libc::c_int) {}

    /// The waker that [`wake_from_handler`] uses.
    static HANDLER_WAKER: OnceLock<Waker> = OnceLock::new();

    /// A signal handler that wakes [`HANDLER_WAKER`]. A wake is a few
    /// atomic operations and one `write(2)`, which are async-signal-safe.
    extern "C" fn wake_from_handler(_: libc::c_int) {
        if let Some(waker) = HANDLER_WAKER.get() {
            let _ = waker.wake();
        }
    }

    /// Installs `handler` for `signal` without `SA_RESTART`.
    fn install_handler(signal: libc::c_int, handler: extern "C" fn(libc::c_int)) {
        // SAFETY: an all-zero `sigaction` is a valid value: no flags, so no
        // `SA_RESTART`, and an empty mask once `sigemptyset` has run.
        let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
        action.sa_sigaction = handler as libc::sighandler_t;
        // SAFETY: `sa_mask` is a live `sigset_t` inside `action`.
        assert_eq!(unsafe { libc::sigemptyset(&mut action.sa_mask) }, 0);
        // SAFETY: `action` is initialised and the old action is not asked
        // for.
        let ret = unsafe { libc::sigaction(signal, &action, std::ptr::null_mut()) };
        assert_eq!(ret, 0, "sigaction failed: {}", io::Error::last_os_error());
    }

    /// Sends `signal` to `thread`.
    fn send_signal(thread: libc::pthread_t, signal: libc::c_int) {
        // SAFETY: callers pass a thread that has not been joined yet, so
        // its id is valid.
        let ret = unsafe { libc::pthread_kill(thread, signal) };
        assert_eq!(ret, 0, "pthread_kill failed");
    }

    #[test]
    fn signal_during_wait_returns_interrupted() {
        use std::os::unix::thread::JoinHandleExt;

        install_handler(libc::SIGURG, do_nothing);
        let (tx, rx) = mpsc::channel();
        let poller = thread::spawn(move || {
            let (mut poll, mut events) = init_with_poll();
            let result = poll.poll(&mut events, Some(EVENT_TIMEOUT));
            tx.send(result.map_err(|e| e.kind())).unwrap();
        });

        // A signal that arrives before the wait starts is wasted, so keep
        // sending until the wait ends.
        let thread = poller.as_pthread_t();
        let deadline = Instant::now() + EVENT_TIMEOUT;
        let result = loop {
            send_signal(thread, libc::SIGURG);
            match rx.recv_timeout(Duration::from_millis(5)) {
                Ok(result) => break result,
                Err(RecvTimeoutError::Timeout) if Instant::now() < deadline => {}
                Err(e) => panic!("poll did not end: {e}"),
            }
        };
        poller.join().unwrap();
        assert_eq!(result, Err(io::ErrorKind::Interrupted));
    }

    #[test]
    fn wake_just_before_an_interrupt_is_not_lost() {
        let (mut poll, mut events) = init_with_poll();
        let waker = Waker::new(poll.registry(), WAKE).unwrap();
        assert!(HANDLER_WAKER.set(waker).is_ok(), "used by one test only");
        install_handler(libc::SIGUSR1, wake_from_handler);

        // The signaller sends signals to this thread from `go` until
        // `stop`, then says `stopped`.
        // SAFETY: `pthread_self` has no preconditions.
        let this = unsafe { libc::pthread_self() };
        let (go, go_rx) = mpsc::channel::<()>();
        let (stop, stop_rx) = mpsc::channel::<()>();
        let (stopped_tx, stopped) = mpsc::channel::<()>();
        let signaller = thread::spawn(move || {
            while go_rx.recv_timeout(EVENT_TIMEOUT).is_ok() {
                for _ in 0..1000 {
                    send_signal(this, libc::SIGUSR1);
                    if stop_rx.recv_timeout(Duration::from_millis(2)).is_ok() {
                        break;
                    }
                }
                stopped_tx.send(()).unwrap();
            }
        });

        // The handler wakes first, then the wait fails with `Interrupted`
        // (or, when the signal came before the wait, returns the wake).
        let mut interrupted = 0;
        for _ in 0..100 {
            go.send(()).unwrap();
            let first = poll.poll(&mut events, Some(EVENT_TIMEOUT));
            stop.send(()).unwrap();
            stopped.recv_timeout(EVENT_TIMEOUT).unwrap();

            match first {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                    // No more signals come: this call must find the wake.
                    interrupted += 1;
                    poll.poll(&mut events, Some(EVENT_TIMEOUT)).unwrap();
                }
                Err(e) => panic!("unexpected poll error: {e}"),
            }
            assert!(
                events.iter().any(|e| e.token() == WAKE),
                "wake lost: {events:?}"
            );

            // Take any wake that a later signal left behind.
            poll.poll(&mut events, Some(Duration::ZERO)).unwrap();
            if interrupted >= 3 {
                break;
            }
        }
        drop(go);
        signaller.join().unwrap();
        assert!(interrupted > 0, "no signal ever hit a blocked wait");
    }
}

/// Tests that need pipes as sources.
#[cfg(all(unix, feature = "os-ext"))]
mod pipes {
    use std::collections::HashSet;
    use std::io::Write;

    use metal_io::unix::pipe;
    use metal_io::Interest;

    use super::*;
    use util::{expect_events, read_until_would_block, ExpectEvent};

    #[test]
    fn more_ready_sources_than_capacity_arrive_over_several_calls() {
        const PIPES: usize = 64;
        const CAPACITY: usize = 8;

        let mut poll = Poll::new().unwrap();
        let mut events = Events::with_capacity(CAPACITY);
        let mut pipes = Vec::new();
        for i in 0..PIPES {
            let (mut sender, mut receiver) = pipe::new().unwrap();
            poll.registry()
                .register(&mut receiver, Token(i), Interest::READABLE)
                .unwrap();
            sender.write_all(&[i as u8]).unwrap();
            pipes.push((sender, receiver));
        }

        let mut seen = HashSet::new();
        let deadline = Instant::now() + EVENT_TIMEOUT;
        while seen.len() < PIPES {
            assert!(
                Instant::now() < deadline,
                "only {} of {PIPES} seen",
                seen.len()
            );
            poll.poll(&mut events, Some(EVENT_TIMEOUT)).unwrap();
            assert!(events.iter().len() <= CAPACITY);
            for event in &events {
                assert!(event.is_readable());
                seen.insert(event.token());
            }
        }

        // Every byte is still there to read.
        for (i, (_, receiver)) in pipes.iter_mut().enumerate() {
            assert_eq!(read_until_would_block(receiver), [i as u8]);
        }
    }

    #[test]
    fn register_from_another_thread_ends_a_blocked_poll() {
        let (mut poll, mut events) = init_with_poll();
        let registry = poll.registry().try_clone().unwrap();
        let (mut sender, mut receiver) = pipe::new().unwrap();
        sender.write_all(b"ready").unwrap();

        // The other thread registers an already readable source, which
        // ends this thread's wait whether it started yet or not.
        let barrier = Arc::new(Barrier::new(2));
        let registrar = {
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || {
                barrier.wait();
                registry
                    .register(&mut receiver, Token(3), Interest::READABLE)
                    .unwrap();
                receiver
            })
        };
        barrier.wait();
        let start = Instant::now();
        expect_events(
            &mut poll,
            &mut events,
            vec![ExpectEvent::new(Token(3), Interest::READABLE)],
        );
        assert!(start.elapsed() < EVENT_TIMEOUT);
        let mut receiver = registrar.join().unwrap();
        assert_eq!(read_until_would_block(&mut receiver), b"ready");
    }

    #[test]
    fn huge_timeouts_are_accepted() {
        // The source is ready, so each wait ends at once, but the timeout
        // still goes through the conversion and into the kernel.
        let (mut poll, mut events) = init_with_poll();
        let (mut sender, mut receiver) = pipe::new().unwrap();
        poll.registry()
            .register(&mut receiver, Token(1), Interest::READABLE)
            .unwrap();

        let timeouts = [
            Duration::from_millis(i32::MAX as u64 + 1),
            Duration::from_secs(i64::MAX as u64),
            Duration::from_secs(u64::MAX),
            Duration::MAX,
        ];
        for timeout in timeouts {
            sender.write_all(b"x").unwrap();
            poll.poll(&mut events, Some(timeout))
                .unwrap_or_else(|e| panic!("poll failed for {timeout:?}: {e}"));
            assert!(events.iter().any(|e| e.token() == Token(1)), "{timeout:?}");
            read_until_would_block(&mut receiver);
        }
    }
}
