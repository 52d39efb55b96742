#![cfg(all(unix, feature = "os-ext"))]

mod util;

use std::io::{self, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::thread;

use metal_io::unix::{pipe, SourceFd};
use metal_io::{Events, Interest, Poll, Token};

use util::{
    assert_error_kind, expect_events, expect_no_events, init_with_poll, read_until_would_block,
    ExpectEvent, EVENT_TIMEOUT,
};

/// Returns a connected, non-blocking pair of Unix stream sockets.
fn socket_pair() -> (UnixStream, UnixStream) {
    let (a, b) = UnixStream::pair().unwrap();
    a.set_nonblocking(true).unwrap();
    b.set_nonblocking(true).unwrap();
    (a, b)
}

#[test]
fn deregister_stops_events() {
    let (mut poll, mut events) = init_with_poll();
    let (mut sender, mut receiver) = pipe::new().unwrap();
    poll.registry()
        .register(&mut receiver, Token(1), Interest::READABLE)
        .unwrap();
    poll.registry().deregister(&mut receiver).unwrap();

    sender.write_all(b"unheard").unwrap();
    expect_no_events(&mut poll, &mut events);
}

#[test]
fn deregister_discards_readiness_already_pending() {
    let (mut poll, mut events) = init_with_poll();
    let (mut sender, mut receiver) = pipe::new().unwrap();
    poll.registry()
        .register(&mut receiver, Token(1), Interest::READABLE)
        .unwrap();

    // The kernel has queued the readiness, but nobody polled yet.
    sender.write_all(b"queued").unwrap();
    poll.registry().deregister(&mut receiver).unwrap();
    expect_no_events(&mut poll, &mut events);
}

#[test]
fn deregister_discards_readiness_left_over_from_a_full_buffer() {
    let mut poll = Poll::new().unwrap();
    let mut events = Events::with_capacity(1);
    let mut pipes: Vec<_> = (0..2).map(|_| pipe::new().unwrap()).collect();
    for (i, (sender, receiver)) in pipes.iter_mut().enumerate() {
        poll.registry()
            .register(receiver, Token(i), Interest::READABLE)
            .unwrap();
        sender.write_all(b"ready").unwrap();
    }

    // One event fits; the other source stays queued in the kernel until
    // it is deregistered.
    poll.poll(&mut events, Some(EVENT_TIMEOUT)).unwrap();
    let first = events.iter().next().expect("an event").token();
    let other = Token(1 - first.0);
    poll.registry().deregister(&mut pipes[other.0].1).unwrap();

    for _ in 0..3 {
        poll.poll(&mut events, Some(util::NO_EVENT_TIMEOUT))
            .unwrap();
        assert!(
            events.iter().all(|e| e.token() != other),
            "event for a deregistered source: {events:?}"
        );
    }
}

#[test]
fn reregister_replaces_token_and_interest() {
    let (mut poll, mut events) = init_with_poll();
    let (mut a, mut b) = socket_pair();
    let fd = a.as_raw_fd();
    let registry = poll.registry();
    registry
        .register(&mut SourceFd(&fd), Token(1), Interest::READABLE)
        .unwrap();
    registry
        .reregister(&mut SourceFd(&fd), Token(2), Interest::WRITABLE)
        .unwrap();
    expect_events(
        &mut poll,
        &mut events,
        vec![ExpectEvent::new(Token(2), Interest::WRITABLE)],
    );

    // Data arrives, but readable is no longer asked for.
    b.write_all(b"data").unwrap();
    expect_no_events(&mut poll, &mut events);

    // Asking again reports the readiness that is already there.
    poll.registry()
        .reregister(&mut SourceFd(&fd), Token(3), Interest::READABLE)
        .unwrap();
    poll.poll(&mut events, Some(EVENT_TIMEOUT)).unwrap();
    assert!(!events.is_empty());
    for event in &events {
        assert_eq!(event.token(), Token(3), "{event:?}");
        assert!(event.is_readable());
    }
    assert_eq!(read_until_would_block(&mut a), b"data");
}

#[test]
fn register_twice_is_already_exists() {
    let (poll, _) = init_with_poll();
    let (_sender, mut receiver) = pipe::new().unwrap();
    let registry = poll.registry();
    registry
        .register(&mut receiver, Token(1), Interest::READABLE)
        .unwrap();
    assert_error_kind(
        registry.register(&mut receiver, Token(2), Interest::READABLE),
        io::ErrorKind::AlreadyExists,
    );

    // The same holds through a cloned registry: it is the same `Poll`.
    let clone = registry.try_clone().unwrap();
    assert_error_kind(
        clone.register(&mut receiver, Token(2), Interest::READABLE),
        io::ErrorKind::AlreadyExists,
    );
}

#[test]
fn reregister_unregistered_is_not_found() {
    let (poll, _) = init_with_poll();
    let (_sender, mut receiver) = pipe::new().unwrap();
    assert_error_kind(
        poll.registry()
            .reregister(&mut receiver, Token(1), Interest::READABLE),
        io::ErrorKind::NotFound,
    );
}

#[test]
fn deregister_unregistered_is_not_found() {
    let (poll, _) = init_with_poll();
    let (_sender, mut receiver) = pipe::new().unwrap();
    assert_error_kind(
        poll.registry().deregister(&mut receiver),
        io::ErrorKind::NotFound,
    );

    // Also a second deregister after a first one.
    poll.registry()
        .register(&mut receiver, Token(1), Interest::READABLE)
        .unwrap();
    poll.registry().deregister(&mut receiver).unwrap();
    assert_error_kind(
        poll.registry().deregister(&mut receiver),
        io::ErrorKind::NotFound,
    );
}

#[test]
#[cfg(any(target_os = "linux", target_os = "android"))]
#[cfg_attr(
    metal_io_force_poll,
    ignore = "poll(2) accepts regular files and reports them always ready"
)]
fn regular_file_is_refused_by_epoll() {
    let (poll, _) = init_with_poll();
    let dir = util::TempDir::new();
    let file = std::fs::File::create(dir.path("regular")).unwrap();
    let fd = file.as_raw_fd();
    let err = poll
        .registry()
        .register(&mut SourceFd(&fd), Token(1), Interest::READABLE)
        .unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::EPERM), "{err:?}");
}

#[test]
fn largest_token_round_trips() {
    let (mut poll, mut events) = init_with_poll();
    let (mut sender, mut receiver) = pipe::new().unwrap();
    poll.registry()
        .register(&mut receiver, Token(usize::MAX), Interest::READABLE)
        .unwrap();
    sender.write_all(b"x").unwrap();
    expect_events(
        &mut poll,
        &mut events,
        vec![ExpectEvent::new(Token(usize::MAX), Interest::READABLE)],
    );
}

#[test]
fn cloned_registry_registers_with_the_same_poll() {
    let (mut poll, mut events) = init_with_poll();
    let registry = Arc::new(poll.registry().try_clone().unwrap());
    let (mut sender, receiver) = pipe::new().unwrap();

    // Registered on another thread, reported here.
    let registering = {
        let registry = Arc::clone(&registry);
        thread::spawn(move || {
            let mut receiver = receiver;
            registry
                .register(&mut receiver, Token(4), Interest::READABLE)
                .unwrap();
            receiver
        })
    };
    let mut receiver = registering.join().unwrap();
    sender.write_all(b"x").unwrap();
    expect_events(
        &mut poll,
        &mut events,
        vec![ExpectEvent::new(Token(4), Interest::READABLE)],
    );

    // The original registry can deregister it as well.
    poll.registry().deregister(&mut receiver).unwrap();
}

#[test]
fn registry_outlives_its_poll() {
    let (poll, _) = init_with_poll();
    let registry = poll.registry().try_clone().unwrap();
    drop(poll);

    // The clone still refers to an open selector and works.
    let (_sender, mut receiver) = pipe::new().unwrap();
    registry
        .register(&mut receiver, Token(1), Interest::READABLE)
        .unwrap();
    registry.deregister(&mut receiver).unwrap();
}
