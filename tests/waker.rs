#![cfg(feature = "os-poll")]

mod util;

use std::io;
use std::sync::mpsc;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use metal_io::{Events, Poll, Token, Waker};

use util::{
    assert_error_kind, expect_events, expect_no_events, init_with_poll, ExpectEvent, EVENT_TIMEOUT,
};

const WAKE: Token = Token(10);

/// Polls once with `timeout` and returns how many waker events came.
fn wake_events(poll: &mut Poll, events: &mut Events, timeout: Duration) -> usize {
    poll.poll(events, Some(timeout)).unwrap();
    events
        .iter()
        .filter(|e| e.token() == WAKE && e.is_readable())
        .count()
}

#[test]
fn wake_from_another_thread_ends_a_blocked_poll() {
    let (mut poll, mut events) = init_with_poll();
    let waker = Arc::new(Waker::new(poll.registry(), WAKE).unwrap());
    let barrier = Arc::new(Barrier::new(2));

    let waking = {
        let waker = Arc::clone(&waker);
        let barrier = Arc::clone(&barrier);
        thread::spawn(move || {
            barrier.wait();
            waker.wake().unwrap();
        })
    };
    barrier.wait();
    let start = Instant::now();
    expect_events(
        &mut poll,
        &mut events,
        vec![ExpectEvent::new(WAKE, metal_io::Interest::READABLE)],
    );
    assert!(start.elapsed() < EVENT_TIMEOUT);
    waking.join().unwrap();
}

#[test]
fn wakes_coalesce_into_one_event() {
    let (mut poll, mut events) = init_with_poll();
    let waker = Waker::new(poll.registry(), WAKE).unwrap();
    for _ in 0..5 {
        waker.wake().unwrap();
    }

    assert!(wake_events(&mut poll, &mut events, EVENT_TIMEOUT) >= 1);
    expect_no_events(&mut poll, &mut events);
}

#[test]
fn wake_while_blocked_then_again_gives_a_second_event() {
    let (mut poll, mut events) = init_with_poll();
    let waker = Arc::new(Waker::new(poll.registry(), WAKE).unwrap());
    for _ in 0..3 {
        let waking = {
            let waker = Arc::clone(&waker);
            thread::spawn(move || waker.wake().unwrap())
        };
        assert!(wake_events(&mut poll, &mut events, EVENT_TIMEOUT) >= 1);
        waking.join().unwrap();
    }
    expect_no_events(&mut poll, &mut events);
}

#[test]
fn waker_event_survives_a_full_buffer() {
    // With room for one event, a wake delivered by the kernel fills the
    // buffer; a wake after that, which coalesces with the first as far as
    // the kernel is concerned, must still produce an event. The first wake
    // comes from another thread so that it usually lands while the loop is
    // blocked; a few rounds make that near certain.
    let (mut poll, _) = init_with_poll();
    let mut events = Events::with_capacity(1);
    let waker = Arc::new(Waker::new(poll.registry(), WAKE).unwrap());

    for round in 0..20 {
        let barrier = Arc::new(Barrier::new(2));
        let waking = {
            let waker = Arc::clone(&waker);
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || {
                barrier.wait();
                // Give the loop a moment to block; the outcome must be
                // the same either way.
                for _ in 0..1000 {
                    thread::yield_now();
                }
                waker.wake().unwrap();
            })
        };
        barrier.wait();
        assert_eq!(wake_events(&mut poll, &mut events, EVENT_TIMEOUT), 1);
        waking.join().unwrap();

        waker.wake().unwrap();
        assert_eq!(
            wake_events(&mut poll, &mut events, EVENT_TIMEOUT),
            1,
            "second wake lost in round {round}"
        );
    }
}

#[test]
fn many_threads_waking_lose_no_wake() {
    const THREADS: usize = 8;
    const ROUNDS: usize = 50;

    let (mut poll, mut events) = init_with_poll();
    let waker = Arc::new(Waker::new(poll.registry(), WAKE).unwrap());
    let start = Arc::new(Barrier::new(THREADS + 1));
    let (tx, rx) = mpsc::channel::<usize>();

    // Each thread sends a message and then wakes, once per round. Every
    // message is sent before its wake, so after each waker event the loop
    // finds every message whose wake it has seen.
    let threads: Vec<_> = (0..THREADS)
        .map(|id| {
            let waker = Arc::clone(&waker);
            let start = Arc::clone(&start);
            let tx = tx.clone();
            thread::spawn(move || {
                for _ in 0..ROUNDS {
                    start.wait();
                    tx.send(id).unwrap();
                    waker.wake().unwrap();
                }
            })
        })
        .collect();

    let deadline = Instant::now() + 4 * EVENT_TIMEOUT;
    for round in 0..ROUNDS {
        start.wait();
        let mut received = 0;
        while received < THREADS {
            assert!(Instant::now() < deadline, "test ran too long");
            let woken = wake_events(&mut poll, &mut events, EVENT_TIMEOUT);
            assert!(
                woken > 0,
                "round {round}: no wake for {} messages",
                THREADS - received
            );
            received += rx.try_iter().count();
        }
        assert_eq!(received, THREADS, "round {round}");
    }
    for thread in threads {
        thread.join().unwrap();
    }
}

#[test]
fn second_token_is_refused_while_a_waker_lives() {
    let (poll, _) = init_with_poll();
    let first = Waker::new(poll.registry(), WAKE).unwrap();
    assert_error_kind(
        Waker::new(poll.registry(), Token(11)),
        io::ErrorKind::AlreadyExists,
    );

    // The same token is fine, also through a cloned registry.
    let registry = poll.registry().try_clone().unwrap();
    let second = Waker::new(&registry, WAKE).unwrap();
    drop(first);
    assert_error_kind(
        Waker::new(poll.registry(), Token(11)),
        io::ErrorKind::AlreadyExists,
    );
    drop(second);
}

#[test]
fn new_token_is_accepted_once_every_waker_is_dropped() {
    let (mut poll, mut events) = init_with_poll();
    let old = Waker::new(poll.registry(), WAKE).unwrap();
    drop(old);

    let new = Waker::new(poll.registry(), Token(11)).unwrap();
    new.wake().unwrap();
    poll.poll(&mut events, Some(EVENT_TIMEOUT)).unwrap();
    assert!(events.iter().any(|e| e.token() == Token(11)), "{events:?}");
    assert!(events.iter().all(|e| e.token() != WAKE), "{events:?}");
}

#[test]
fn largest_token_round_trips() {
    let (mut poll, mut events) = init_with_poll();
    let waker = Waker::new(poll.registry(), Token(usize::MAX)).unwrap();
    waker.wake().unwrap();
    poll.poll(&mut events, Some(EVENT_TIMEOUT)).unwrap();
    assert!(
        events.iter().any(|e| e.token() == Token(usize::MAX)),
        "{events:?}"
    );
}

#[test]
fn wakers_for_different_polls_are_independent() {
    let (mut first, mut events) = init_with_poll();
    let second = Poll::new().unwrap();
    let _a = Waker::new(first.registry(), WAKE).unwrap();
    let b = Waker::new(second.registry(), Token(11)).unwrap();

    b.wake().unwrap();
    expect_no_events(&mut first, &mut events);
}

#[test]
fn waker_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Waker>();
}

/// Tests that need Unix descriptors.
#[cfg(unix)]
mod unix {
    use super::*;

    /// Returns the descriptors this process has open, from `/proc`.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    fn open_descriptors() -> Vec<i32> {
        std::fs::read_dir("/proc/self/fd")
            .unwrap()
            .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
            .collect()
    }

    #[test]
    #[cfg(any(target_os = "linux", target_os = "android"))]
    fn poll_and_waker_descriptors_are_close_on_exec() {
        // A descriptor that another test closes and this one reuses looks
        // old, so a few attempts make sure that some new one is seen.
        let mut checked = 0;
        for _ in 0..10 {
            // Some backends open the waker's descriptors with the `Poll`.
            let before = open_descriptors();
            let (poll, _) = init_with_poll();
            let waker = Waker::new(poll.registry(), WAKE).unwrap();
            let after = open_descriptors();

            // Other tests may open descriptors meanwhile; std makes all of
            // them close-on-exec too, so checking every new one is sound.
            for fd in after.into_iter().filter(|fd| !before.contains(fd)) {
                // SAFETY: `F_GETFD` only reads flags; a descriptor closed
                // in the meantime makes the call fail with `EBADF`.
                let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
                if flags != -1 {
                    assert_ne!(flags & libc::FD_CLOEXEC, 0, "fd {fd} is inherited");
                    checked += 1;
                }
            }
            drop(waker);
            if checked > 0 {
                return;
            }
        }
        panic!("no new descriptor was seen");
    }

    #[cfg(feature = "os-ext")]
    #[test]
    fn waker_event_is_kept_when_another_source_fills_the_buffer() {
        use std::io::Write;

        use metal_io::unix::pipe;
        use metal_io::Interest;

        let mut poll = Poll::new().unwrap();
        let mut events = Events::with_capacity(1);
        let waker = Waker::new(poll.registry(), WAKE).unwrap();
        let (mut sender, mut receiver) = pipe::new().unwrap();
        poll.registry()
            .register(&mut receiver, Token(1), Interest::READABLE)
            .unwrap();

        sender.write_all(b"x").unwrap();
        waker.wake().unwrap();

        // Two calls with room for one event each return both.
        let mut tokens = Vec::new();
        for _ in 0..2 {
            poll.poll(&mut events, Some(EVENT_TIMEOUT)).unwrap();
            assert_eq!(events.iter().len(), 1);
            tokens.extend(events.iter().map(|e| e.token()));
        }
        tokens.sort();
        assert_eq!(tokens, [Token(1), WAKE]);
    }
}
