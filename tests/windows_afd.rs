//! Windows only: how sockets are watched through AFD poll requests, and
//! how that emulates edge-triggered readiness.
#![cfg(all(windows, feature = "os-poll", feature = "net"))]

mod util;

use std::collections::HashSet;
use std::io::{Read, Write};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

use metal_io::net::TcpStream;
use metal_io::{Events, Interest, Poll, Token, Waker};

use util::{
    expect_events, expect_no_events, init_with_poll, read_until_would_block, tcp_pair, ExpectEvent,
    Readiness, EVENT_TIMEOUT,
};

/// More sockets than one AFD handle serves (32), so that several are used.
const MANY: usize = 80;

#[test]
fn readable_is_reported_again_only_after_would_block() {
    let (mut poll, mut events) = init_with_poll();
    let (mut client, mut server) = tcp_pair();
    poll.registry()
        .register(&mut server, Token(1), Interest::READABLE)
        .unwrap();

    client.write_all(b"first").unwrap();
    expect_events(
        &mut poll,
        &mut events,
        vec![ExpectEvent::new(Token(1), Interest::READABLE)],
    );

    // Reading part of the data does not watch the socket again.
    let mut byte = [0; 1];
    assert_eq!(server.read(&mut byte).unwrap(), 1);
    client.write_all(b"second").unwrap();
    expect_no_events(&mut poll, &mut events);

    // Draining it to `WouldBlock` does: the next data is reported.
    assert_eq!(read_until_would_block(&mut server), b"irstsecond");
    client.write_all(b"third").unwrap();
    expect_events(
        &mut poll,
        &mut events,
        vec![ExpectEvent::new(Token(1), Interest::READABLE)],
    );
    assert_eq!(read_until_would_block(&mut server), b"third");
}

#[test]
fn an_event_for_one_direction_leaves_the_other_watched() {
    let (mut poll, mut events) = init_with_poll();
    let (mut client, mut server) = tcp_pair();
    poll.registry()
        .register(
            &mut server,
            Token(1),
            Interest::READABLE | Interest::WRITABLE,
        )
        .unwrap();
    expect_events(
        &mut poll,
        &mut events,
        vec![ExpectEvent::new(Token(1), Interest::WRITABLE)],
    );

    // Nothing was read or written since, yet data is still reported.
    client.write_all(b"ping").unwrap();
    expect_events(
        &mut poll,
        &mut events,
        vec![ExpectEvent::new(Token(1), Interest::READABLE)],
    );
}

#[test]
fn peer_shutdown_is_reported_after_data_read_without_would_block() {
    let (mut poll, mut events) = init_with_poll();
    let (mut client, mut server) = tcp_pair();
    poll.registry()
        .register(&mut server, Token(1), Interest::READABLE)
        .unwrap();
    client.write_all(b"data").unwrap();
    expect_events(
        &mut poll,
        &mut events,
        vec![ExpectEvent::new(Token(1), Interest::READABLE)],
    );

    // The data is read exactly, never reaching `WouldBlock`; the peer's
    // shutdown that follows is a new condition and is still reported.
    let mut buf = [0; 4];
    server.read_exact(&mut buf).unwrap();
    client.shutdown(std::net::Shutdown::Write).unwrap();
    expect_events(
        &mut poll,
        &mut events,
        vec![ExpectEvent::new(Token(1), Readiness::ReadClosed)],
    );
    assert_eq!(server.read(&mut buf).unwrap(), 0);
}

#[test]
fn sockets_beyond_one_afd_handle_are_all_reported() {
    let mut poll = Poll::new().unwrap();
    let mut events = Events::with_capacity(MANY);
    let mut pairs: Vec<(TcpStream, TcpStream)> = (0..MANY).map(|_| tcp_pair()).collect();
    for (i, (_, server)) in pairs.iter_mut().enumerate() {
        poll.registry()
            .register(server, Token(i), Interest::READABLE)
            .unwrap();
    }

    for (client, _) in &mut pairs {
        client.write_all(b"x").unwrap();
    }
    let expected = (0..MANY)
        .map(|i| ExpectEvent::new(Token(i), Interest::READABLE))
        .collect();
    expect_events(&mut poll, &mut events, expected);
}

#[test]
fn more_ready_sockets_than_capacity_arrive_over_several_calls() {
    const SOCKETS: usize = 20;
    const CAPACITY: usize = 8;
    let mut poll = Poll::new().unwrap();
    let mut events = Events::with_capacity(CAPACITY);
    let mut pairs: Vec<(TcpStream, TcpStream)> = (0..SOCKETS).map(|_| tcp_pair()).collect();
    for (i, (client, server)) in pairs.iter_mut().enumerate() {
        poll.registry()
            .register(server, Token(i), Interest::READABLE)
            .unwrap();
        client.write_all(b"x").unwrap();
    }

    let mut seen = HashSet::new();
    for _ in 0..SOCKETS {
        poll.poll(&mut events, Some(EVENT_TIMEOUT)).unwrap();
        assert!(events.iter().count() <= CAPACITY);
        seen.extend(events.iter().map(|e| e.token()));
        if seen.len() == SOCKETS {
            break;
        }
    }
    assert_eq!(seen.len(), SOCKETS, "some sockets were never reported");
}

#[test]
fn register_from_a_thread_that_then_exits() {
    let (mut poll, mut events) = init_with_poll();
    let registry = poll.registry().try_clone().unwrap();
    let (_client, mut server) = tcp_pair();
    let barrier = Arc::new(Barrier::new(2));

    // The poll request is sent by the other thread, which is gone before
    // it is reported: it must outlive its sender.
    let handle = {
        let barrier = Arc::clone(&barrier);
        thread::spawn(move || {
            barrier.wait();
            registry
                .register(&mut server, Token(5), Interest::WRITABLE)
                .unwrap();
            server
        })
    };
    barrier.wait();
    let _server = handle.join().unwrap();
    expect_events(
        &mut poll,
        &mut events,
        vec![ExpectEvent::new(Token(5), Interest::WRITABLE)],
    );
}

#[test]
fn deregister_cancels_only_that_sockets_request() {
    let (mut poll, mut events) = init_with_poll();
    let mut pairs: Vec<(TcpStream, TcpStream)> = (0..3).map(|_| tcp_pair()).collect();
    for (i, (_, server)) in pairs.iter_mut().enumerate() {
        poll.registry()
            .register(server, Token(i), Interest::READABLE)
            .unwrap();
    }

    // The three share one AFD handle; the middle request is cancelled.
    poll.registry().deregister(&mut pairs[1].1).unwrap();
    for (client, _) in &mut pairs {
        client.write_all(b"x").unwrap();
    }

    let mut seen = [false; 3];
    for _ in 0..10 {
        poll.poll(&mut events, Some(EVENT_TIMEOUT)).unwrap();
        for event in &events {
            seen[event.token().0] = true;
        }
        if seen[0] && seen[2] {
            break;
        }
    }
    assert_eq!(seen, [true, false, true]);
    expect_no_events(&mut poll, &mut events);
}

#[test]
fn reregister_to_another_interest_while_a_request_is_in_flight() {
    let (mut poll, mut events) = init_with_poll();
    let (_client, mut server) = tcp_pair();

    // No data comes, so the readable request stays in flight.
    poll.registry()
        .register(&mut server, Token(1), Interest::READABLE)
        .unwrap();
    expect_no_events(&mut poll, &mut events);

    poll.registry()
        .reregister(&mut server, Token(2), Interest::WRITABLE)
        .unwrap();
    expect_events(
        &mut poll,
        &mut events,
        vec![ExpectEvent::new(Token(2), Interest::WRITABLE)],
    );
    assert!(events.iter().all(|e| e.token() == Token(2)));
}

#[test]
fn reregister_reports_current_readiness_again() {
    let (mut poll, mut events) = init_with_poll();
    let (mut client, _server) = tcp_pair();
    poll.registry()
        .register(&mut client, Token(1), Interest::WRITABLE)
        .unwrap();
    expect_events(
        &mut poll,
        &mut events,
        vec![ExpectEvent::new(Token(1), Interest::WRITABLE)],
    );
    expect_no_events(&mut poll, &mut events);

    poll.registry()
        .reregister(&mut client, Token(1), Interest::WRITABLE)
        .unwrap();
    expect_events(
        &mut poll,
        &mut events,
        vec![ExpectEvent::new(Token(1), Interest::WRITABLE)],
    );
}

#[test]
fn dropping_a_registered_socket_leaves_the_others_working() {
    let (mut poll, mut events) = init_with_poll();
    let (mut client1, mut server1) = tcp_pair();
    let (_client2, mut server2) = tcp_pair();
    poll.registry()
        .register(&mut server1, Token(1), Interest::READABLE)
        .unwrap();
    poll.registry()
        .register(&mut server2, Token(2), Interest::READABLE)
        .unwrap();

    // Dropped with its request in flight: the request is cancelled and
    // nothing is reported for it.
    drop(server2);
    expect_no_events(&mut poll, &mut events);

    client1.write_all(b"x").unwrap();
    expect_events(
        &mut poll,
        &mut events,
        vec![ExpectEvent::new(Token(1), Interest::READABLE)],
    );
    assert!(events.iter().all(|e| e.token() == Token(1)));
}

#[test]
fn source_moves_to_a_new_poll_once_the_first_is_dropped() {
    let (mut client, mut server) = tcp_pair();
    let first = Poll::new().unwrap();
    first
        .registry()
        .register(&mut server, Token(1), Interest::READABLE)
        .unwrap();
    drop(first);

    let (mut poll, mut events) = init_with_poll();
    poll.registry()
        .register(&mut server, Token(2), Interest::READABLE)
        .unwrap();
    client.write_all(b"x").unwrap();
    expect_events(
        &mut poll,
        &mut events,
        vec![ExpectEvent::new(Token(2), Interest::READABLE)],
    );
}

#[test]
fn poll_dropped_before_its_sources_frees_cleanly() {
    let (mut client, mut server) = tcp_pair();
    {
        let (poll, _events) = init_with_poll();
        poll.registry()
            .register(&mut server, Token(1), Interest::READABLE)
            .unwrap();
        poll.registry()
            .register(&mut client, Token(2), Interest::WRITABLE)
            .unwrap();
    }

    // The sources still work, here as plain blocking sockets.
    client.write_all(b"x").unwrap();
    let mut server = std::net::TcpStream::from(server);
    server.set_nonblocking(false).unwrap();
    server.set_read_timeout(Some(EVENT_TIMEOUT)).unwrap();
    let mut buf = [0; 1];
    server.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"x");
}

#[test]
fn wake_ends_a_wait_with_the_longest_timeout() {
    let (mut poll, mut events) = init_with_poll();
    let waker = Arc::new(Waker::new(poll.registry(), Token(9)).unwrap());
    let barrier = Arc::new(Barrier::new(2));

    let handle = {
        let (waker, barrier) = (Arc::clone(&waker), Arc::clone(&barrier));
        thread::spawn(move || {
            barrier.wait();
            waker.wake().unwrap();
        })
    };

    // The wake comes whether it lands before or during the wait.
    barrier.wait();
    poll.poll(&mut events, Some(Duration::MAX)).unwrap();
    assert!(events
        .iter()
        .any(|e| e.token() == Token(9) && e.is_readable()));
    handle.join().unwrap();
}
