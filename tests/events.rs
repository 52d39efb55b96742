#![cfg(feature = "os-poll")]

mod util;

use std::time::Duration;

use metal_io::event::{Event, Iter};
use metal_io::{Events, Token, Waker};

use util::{init_with_poll, EVENT_TIMEOUT};

const WAKE: Token = Token(3);

/// Polls until the waker's event is in `events`.
fn poll_waker_event(poll: &mut metal_io::Poll, events: &mut Events) {
    poll.poll(events, Some(EVENT_TIMEOUT)).unwrap();
    assert!(events.iter().any(|e| e.token() == WAKE), "{events:?}");
}

#[test]
fn new_buffer_is_empty_with_the_asked_capacity() {
    let events = Events::with_capacity(32);
    assert_eq!(events.capacity(), 32);
    assert!(events.is_empty());
    assert_eq!(events.iter().count(), 0);
    assert_eq!(format!("{events:?}"), "[]");
}

#[test]
fn poll_clears_the_buffer_first() {
    let (mut poll, mut events) = init_with_poll();
    let waker = Waker::new(poll.registry(), WAKE).unwrap();
    waker.wake().unwrap();
    poll_waker_event(&mut poll, &mut events);

    poll.poll(&mut events, Some(Duration::ZERO)).unwrap();
    assert!(events.is_empty(), "{events:?}");
    assert_eq!(events.capacity(), 16);
}

#[test]
fn clear_empties_the_buffer() {
    let (mut poll, mut events) = init_with_poll();
    let waker = Waker::new(poll.registry(), WAKE).unwrap();
    waker.wake().unwrap();
    poll_waker_event(&mut poll, &mut events);

    events.clear();
    assert!(events.is_empty());
    assert_eq!(events.iter().next().map(Event::token), None);
    assert_eq!(events.capacity(), 16);
}

#[test]
fn iterator_knows_its_length_and_is_fused() {
    let (mut poll, mut events) = init_with_poll();
    let waker = Waker::new(poll.registry(), WAKE).unwrap();
    waker.wake().unwrap();
    poll_waker_event(&mut poll, &mut events);

    let mut iter = events.iter();
    let len = iter.len();
    assert!(len >= 1);
    assert_eq!(iter.size_hint(), (len, Some(len)));
    for _ in 0..len {
        assert!(iter.next().is_some());
    }
    assert_eq!(iter.len(), 0);
    assert!(iter.next().is_none());
    assert!(iter.next().is_none());

    // `&Events` iterates the same events.
    let by_ref: Vec<Token> = (&events).into_iter().map(|e| e.token()).collect();
    let by_iter: Vec<Token> = events.iter().map(|e| e.token()).collect();
    assert_eq!(by_ref, by_iter);
}

#[test]
fn waker_event_reports_readable_only() {
    let (mut poll, mut events) = init_with_poll();
    let waker = Waker::new(poll.registry(), WAKE).unwrap();
    waker.wake().unwrap();
    poll_waker_event(&mut poll, &mut events);

    let event = events.iter().find(|e| e.token() == WAKE).unwrap();
    assert!(event.is_readable());
    assert!(!event.is_writable());
    assert!(!event.is_error());
    assert!(!event.is_read_closed());
    assert!(!event.is_write_closed());
    assert!(!event.is_priority());
    assert!(!event.is_aio());
    assert!(!event.is_lio());
}

#[test]
fn event_debug_lists_token_and_readiness() {
    let (mut poll, mut events) = init_with_poll();
    let waker = Waker::new(poll.registry(), WAKE).unwrap();
    waker.wake().unwrap();
    poll_waker_event(&mut poll, &mut events);
    let event = events.iter().find(|e| e.token() == WAKE).unwrap();

    let plain = format!("{event:?}");
    assert!(plain.starts_with("Event {"), "{plain}");
    assert!(plain.contains("token: Token(3)"), "{plain}");
    assert!(plain.contains("readable: true"), "{plain}");
    assert!(plain.contains("writable: false"), "{plain}");
    assert!(!plain.contains("details"), "{plain}");

    // The buffer's `Debug` lists its events the same way.
    assert!(format!("{events:?}").contains(&plain));
}

#[test]
fn event_alternate_debug_names_os_flags() {
    let (mut poll, mut events) = init_with_poll();
    let waker = Waker::new(poll.registry(), WAKE).unwrap();
    waker.wake().unwrap();
    poll_waker_event(&mut poll, &mut events);
    let event = events.iter().find(|e| e.token() == WAKE).unwrap();

    let alternate = format!("{event:#?}");
    assert!(alternate.contains("details"), "{alternate}");
    assert!(alternate.contains("readable: true"), "{alternate}");
    if let Some(name) = readable_flag_name() {
        assert!(alternate.contains(name), "{alternate}");
    }
}

#[test]
fn cloned_event_outlives_the_buffer() {
    let (mut poll, mut events) = init_with_poll();
    let waker = Waker::new(poll.registry(), WAKE).unwrap();
    waker.wake().unwrap();
    poll_waker_event(&mut poll, &mut events);
    let event = events.iter().find(|e| e.token() == WAKE).unwrap();
    let seen = format!("{event:#?}");
    let kept = event.clone();

    // A poll that finds nothing empties the buffer; the clone is untouched.
    poll.poll(&mut events, Some(Duration::ZERO)).unwrap();
    assert!(events.is_empty(), "{events:?}");
    assert_eq!(kept.token(), WAKE);
    assert!(kept.is_readable());
    assert!(!kept.is_writable());
    assert_eq!(format!("{kept:#?}"), seen);
}

/// The name the backend's `Debug` gives the flag of a readable event.
fn readable_flag_name() -> Option<&'static str> {
    if cfg!(all(
        any(
            target_os = "linux",
            target_os = "android",
            target_os = "illumos"
        ),
        not(metal_io_force_poll)
    )) {
        Some("EPOLLIN")
    } else {
        None
    }
}

#[test]
fn events_and_event_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Events>();
    assert_send_sync::<Event>();
    assert_send_sync::<Iter<'_>>();
}

#[test]
fn events_can_move_to_another_thread() {
    let (mut poll, mut events) = init_with_poll();
    let waker = Waker::new(poll.registry(), WAKE).unwrap();
    waker.wake().unwrap();
    poll_waker_event(&mut poll, &mut events);

    let tokens = std::thread::spawn(move || events.iter().map(|e| e.token()).collect::<Vec<_>>())
        .join()
        .unwrap();
    assert!(tokens.contains(&WAKE));
}

/// Flag names for sources closed on one side.
#[cfg(all(any(target_os = "linux", target_os = "android"), feature = "os-ext"))]
mod closed {
    use metal_io::unix::pipe;
    use metal_io::Interest;

    use super::*;
    use util::{expect_events, ExpectEvent, Readiness};

    #[test]
    #[cfg(any(target_os = "linux", target_os = "android"))]
    #[cfg_attr(metal_io_force_poll, ignore = "the poll(2) backend names POLL* flags")]
    fn read_closed_event_names_epollhup() {
        let (mut poll, mut events) = init_with_poll();
        let (sender, mut receiver) = pipe::new().unwrap();
        poll.registry()
            .register(&mut receiver, Token(1), Interest::READABLE)
            .unwrap();
        drop(sender);
        expect_events(
            &mut poll,
            &mut events,
            vec![ExpectEvent::new(Token(1), Readiness::ReadClosed)],
        );

        let event = events.iter().find(|e| e.token() == Token(1)).unwrap();
        let alternate = format!("{event:#?}");
        assert!(alternate.contains("EPOLLHUP"), "{alternate}");
        assert!(alternate.contains("read_closed: true"), "{alternate}");
        assert!(!alternate.contains("EPOLLOUT"), "{alternate}");
    }
}
