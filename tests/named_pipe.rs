//! Windows named pipes: connecting, reading and writing through the
//! internal buffers, and registration.
#![cfg(all(windows, feature = "os-ext"))]

mod util;

use std::fs::OpenOptions;
use std::io::{self, IoSlice, IoSliceMut, Read, Write};
use std::os::windows::fs::OpenOptionsExt;
use std::os::windows::io::{AsRawHandle, FromRawHandle, IntoRawHandle};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use metal_io::windows::NamedPipe;
use metal_io::{Events, Interest, Poll, Token};

use util::{
    assert_error_kind, assert_would_block, expect_event, expect_events, expect_no_events,
    init_with_poll, ExpectEvent, Readiness, EVENT_TIMEOUT,
};

const SERVER: Token = Token(1);
const CLIENT: Token = Token(2);

/// `FILE_FLAG_OVERLAPPED`, from the Windows headers.
const FILE_FLAG_OVERLAPPED: u32 = 0x4000_0000;

/// Returns a pipe name no other test uses.
fn pipe_name() -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!(r"\\.\pipe\metal-io-test-{}-{n}", std::process::id())
}

/// Opens the client end of pipe `name` for overlapped I/O.
fn open_client(name: &str) -> NamedPipe {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(FILE_FLAG_OVERLAPPED)
        .open(name)
        .expect("unable to open the client end");
    // SAFETY: the handle is open, overlapped, not associated with a
    // completion port, and given up by the file.
    unsafe { NamedPipe::from_raw_handle(file.into_raw_handle()) }
}

/// Returns a connected server and client, both registered with `poll`
/// for reading and writing.
fn connected_pair(poll: &mut Poll, events: &mut Events) -> (NamedPipe, NamedPipe) {
    let name = pipe_name();
    let mut server = NamedPipe::new(&name).unwrap();
    let both = Interest::READABLE | Interest::WRITABLE;
    poll.registry().register(&mut server, SERVER, both).unwrap();
    assert_would_block(server.connect());

    let mut client = open_client(&name);
    poll.registry().register(&mut client, CLIENT, both).unwrap();
    expect_events(
        poll,
        events,
        vec![
            ExpectEvent::new(SERVER, Interest::WRITABLE),
            ExpectEvent::new(CLIENT, Interest::WRITABLE),
        ],
    );
    assert!(server.take_error().unwrap().is_none());
    (server, client)
}

/// Reads exactly `len` bytes from a registered pipe, polling between
/// attempts, within [`EVENT_TIMEOUT`].
#[track_caller]
fn read_exactly(poll: &mut Poll, events: &mut Events, pipe: &mut NamedPipe, len: usize) -> Vec<u8> {
    let deadline = Instant::now() + EVENT_TIMEOUT;
    let mut data = vec![0; len];
    let mut filled = 0;
    while filled < len {
        match pipe.read(&mut data[filled..]) {
            Ok(0) => panic!("unexpected end of stream after {filled} bytes"),
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                let left = deadline.saturating_duration_since(Instant::now());
                assert!(!left.is_zero(), "only {filled} of {len} bytes arrived");
                poll.poll(events, Some(left)).unwrap();
            }
            Err(e) => panic!("unexpected read error: {e}"),
        }
    }
    data
}

#[test]
fn connect_completes_with_a_writable_event() {
    let (mut poll, mut events) = init_with_poll();
    let name = pipe_name();
    let mut server = NamedPipe::new(&name).unwrap();
    poll.registry()
        .register(&mut server, SERVER, Interest::WRITABLE)
        .unwrap();

    assert_would_block(server.connect());
    // A second call while the first is under way would block too.
    assert_would_block(server.connect());
    expect_no_events(&mut poll, &mut events);

    let _client = open_client(&name);
    expect_event(&mut poll, &mut events, SERVER, Interest::WRITABLE);
    assert!(server.take_error().unwrap().is_none());
}

#[test]
fn connect_succeeds_at_once_when_the_client_came_first() {
    let (mut poll, mut events) = init_with_poll();
    let name = pipe_name();
    let mut server = NamedPipe::new(&name).unwrap();
    let mut client = open_client(&name);

    poll.registry()
        .register(&mut server, SERVER, Interest::READABLE)
        .unwrap();
    server.connect().unwrap();

    // The connection works, and nothing stray comes through the port.
    poll.registry()
        .register(&mut client, CLIENT, Interest::WRITABLE)
        .unwrap();
    assert_eq!(client.write(b"early").unwrap(), 5);
    assert_eq!(
        read_exactly(&mut poll, &mut events, &mut server, 5),
        b"early"
    );
}

#[test]
fn data_flows_both_ways() {
    let (mut poll, mut events) = init_with_poll();
    let (mut server, mut client) = connected_pair(&mut poll, &mut events);

    assert_would_block(server.read(&mut [0; 8]));
    assert_eq!(client.write(b"hello").unwrap(), 5);
    expect_event(&mut poll, &mut events, SERVER, Interest::READABLE);
    assert_eq!(
        read_exactly(&mut poll, &mut events, &mut server, 5),
        b"hello"
    );

    assert_eq!(server.write(b"world").unwrap(), 5);
    assert_eq!(
        read_exactly(&mut poll, &mut events, &mut client, 5),
        b"world"
    );
}

#[test]
fn a_second_write_waits_for_the_first() {
    let (mut poll, mut events) = init_with_poll();
    let (mut server, mut client) = connected_pair(&mut poll, &mut events);

    assert_eq!(client.write(b"one").unwrap(), 3);
    // The first write is only done once the selector has seen it finish.
    assert_would_block(client.write(b"two"));
    expect_event(&mut poll, &mut events, CLIENT, Interest::WRITABLE);
    assert_eq!(client.write(b"two").unwrap(), 3);

    assert_eq!(
        read_exactly(&mut poll, &mut events, &mut server, 6),
        b"onetwo"
    );
}

#[test]
fn large_writes_are_delivered_whole() {
    let (mut poll, mut events) = init_with_poll();
    let (mut server, mut client) = connected_pair(&mut poll, &mut events);
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();

    let mut sent = 0;
    let mut received = Vec::new();
    let deadline = Instant::now() + EVENT_TIMEOUT;
    while received.len() < data.len() {
        assert!(Instant::now() < deadline, "transfer did not finish in time");
        if sent < data.len() {
            match client.write(&data[sent..]) {
                Ok(n) => sent += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => panic!("unexpected write error: {e}"),
            }
        }
        let mut buf = [0; 8192];
        match server.read(&mut buf) {
            Ok(0) => panic!("unexpected end of stream"),
            Ok(n) => received.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                poll.poll(&mut events, Some(EVENT_TIMEOUT)).unwrap();
            }
            Err(e) => panic!("unexpected read error: {e}"),
        }
    }
    assert!(received == data, "the bytes arrived changed");
}

#[test]
fn vectored_read_and_write() {
    let (mut poll, mut events) = init_with_poll();
    let (mut server, mut client) = connected_pair(&mut poll, &mut events);

    let bufs = [IoSlice::new(b"ab"), IoSlice::new(b"cde")];
    assert_eq!(client.write_vectored(&bufs).unwrap(), 5);
    expect_event(&mut poll, &mut events, SERVER, Interest::READABLE);

    let (mut first, mut second) = ([0; 3], [0; 3]);
    let mut bufs = [IoSliceMut::new(&mut first), IoSliceMut::new(&mut second)];
    assert_eq!(server.read_vectored(&mut bufs).unwrap(), 5);
    assert_eq!(&first, b"abc");
    assert_eq!(&second[..2], b"de");
}

#[test]
fn read_and_write_through_shared_references() {
    let (mut poll, mut events) = init_with_poll();
    let (server, client) = connected_pair(&mut poll, &mut events);

    assert_eq!((&client).write(b"shared").unwrap(), 6);
    expect_event(&mut poll, &mut events, SERVER, Interest::READABLE);
    let mut buf = [0; 6];
    (&server).read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"shared");
    (&client).flush().unwrap();
}

#[test]
fn client_drop_gives_the_server_end_of_stream() {
    let (mut poll, mut events) = init_with_poll();
    let (mut server, client) = connected_pair(&mut poll, &mut events);

    drop(client);
    expect_event(&mut poll, &mut events, SERVER, Readiness::ReadClosed);
    assert_eq!(server.read(&mut [0; 8]).unwrap(), 0);
    assert_eq!(server.read(&mut [0; 8]).unwrap(), 0);
}

#[test]
fn write_after_the_client_is_gone_fails() {
    let (mut poll, mut events) = init_with_poll();
    let (mut server, client) = connected_pair(&mut poll, &mut events);
    drop(client);
    expect_event(&mut poll, &mut events, SERVER, Readiness::ReadClosed);

    // The failure shows up either at once or, for a write already on its
    // way, from the next call.
    let deadline = Instant::now() + EVENT_TIMEOUT;
    let err = loop {
        match server.write(b"lost") {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => break e,
        }
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "writes to a gone client kept succeeding");
        poll.poll(&mut events, Some(left)).unwrap();
    };
    assert_eq!(err.kind(), io::ErrorKind::BrokenPipe, "{err:?}");
}

#[test]
fn disconnect_drops_unread_data_and_serves_a_new_client() {
    let (mut poll, mut events) = init_with_poll();
    let name = pipe_name();
    let mut server = NamedPipe::new(&name).unwrap();
    let both = Interest::READABLE | Interest::WRITABLE;
    poll.registry().register(&mut server, SERVER, both).unwrap();
    assert_would_block(server.connect());

    let mut first = open_client(&name);
    poll.registry().register(&mut first, CLIENT, both).unwrap();
    assert_eq!(first.write(b"old").unwrap(), 3);
    expect_event(&mut poll, &mut events, SERVER, Interest::READABLE);

    server.disconnect().unwrap();
    assert_would_block(server.connect());
    let mut second = open_client(&name);
    poll.registry()
        .register(&mut second, Token(3), Interest::WRITABLE)
        .unwrap();
    expect_event(&mut poll, &mut events, SERVER, Interest::WRITABLE);

    assert_eq!(second.write(b"new").unwrap(), 3);
    assert_eq!(read_exactly(&mut poll, &mut events, &mut server, 3), b"new");
}

#[test]
fn io_before_registration_is_not_found() {
    let name = pipe_name();
    let server = NamedPipe::new(&name).unwrap();
    assert_error_kind(server.connect(), io::ErrorKind::NotFound);

    let mut client = open_client(&name);
    assert_error_kind(client.read(&mut [0; 4]), io::ErrorKind::NotFound);
    assert_error_kind(client.write(b"x"), io::ErrorKind::NotFound);
}

#[test]
fn deregister_stops_events() {
    let (mut poll, mut events) = init_with_poll();
    let (mut server, mut client) = connected_pair(&mut poll, &mut events);
    poll.registry().deregister(&mut server).unwrap();

    assert_eq!(client.write(b"quiet").unwrap(), 5);
    expect_event(&mut poll, &mut events, CLIENT, Interest::WRITABLE);
    expect_no_events(&mut poll, &mut events);

    // Registered again, it reports the data that arrived meanwhile.
    poll.registry()
        .register(&mut server, Token(7), Interest::READABLE)
        .unwrap();
    assert_eq!(
        read_exactly(&mut poll, &mut events, &mut server, 5),
        b"quiet"
    );
}

#[test]
fn reregister_replaces_token_and_interest() {
    let (mut poll, mut events) = init_with_poll();
    let (mut server, mut client) = connected_pair(&mut poll, &mut events);

    poll.registry()
        .reregister(&mut server, Token(8), Interest::READABLE)
        .unwrap();
    assert_eq!(client.write(b"x").unwrap(), 1);
    expect_event(&mut poll, &mut events, Token(8), Interest::READABLE);
    assert!(events.iter().all(|e| e.token() != SERVER));
}

#[test]
fn registration_misuse_is_reported() {
    let (poll, _events) = init_with_poll();
    let mut server = NamedPipe::new(pipe_name()).unwrap();
    assert_error_kind(
        poll.registry()
            .reregister(&mut server, SERVER, Interest::READABLE),
        io::ErrorKind::NotFound,
    );
    assert_error_kind(
        poll.registry().deregister(&mut server),
        io::ErrorKind::NotFound,
    );

    poll.registry()
        .register(&mut server, SERVER, Interest::READABLE)
        .unwrap();
    assert_error_kind(
        poll.registry()
            .register(&mut server, SERVER, Interest::READABLE),
        io::ErrorKind::AlreadyExists,
    );

    // The handle stays bound to the first poll's completion port.
    let other = Poll::new().unwrap();
    poll.registry().deregister(&mut server).unwrap();
    assert_error_kind(
        other
            .registry()
            .register(&mut server, SERVER, Interest::READABLE),
        io::ErrorKind::AlreadyExists,
    );
}

#[test]
fn handle_round_trips_through_raw_conversions() {
    let (mut poll, mut events) = init_with_poll();
    let name = pipe_name();
    let mut server = NamedPipe::new(&name).unwrap();
    poll.registry()
        .register(&mut server, SERVER, Interest::READABLE)
        .unwrap();
    assert_would_block(server.connect());

    let client = open_client(&name);
    let raw = client.as_raw_handle();
    let handle = client.into_raw_handle();
    assert_eq!(handle, raw);

    // SAFETY: the handle was just given up, and is still open.
    let mut client = unsafe { NamedPipe::from_raw_handle(handle) };
    poll.registry()
        .register(&mut client, CLIENT, Interest::WRITABLE)
        .unwrap();
    assert_eq!(client.write(b"still open").unwrap(), 10);
    assert_eq!(
        read_exactly(&mut poll, &mut events, &mut server, 10),
        b"still open"
    );
}

#[test]
#[cfg_attr(
    windows,
    ignore = "Wine does not enforce FILE_FLAG_FIRST_PIPE_INSTANCE; run with --ignored on Windows"
)]
fn second_instance_of_a_name_is_refused() {
    let name = pipe_name();
    let _first = NamedPipe::new(&name).unwrap();
    assert!(NamedPipe::new(&name).is_err());
}

#[test]
fn debug_shows_the_handle() {
    let pipe = NamedPipe::new(pipe_name()).unwrap();
    let text = format!("{pipe:?}");
    assert!(text.starts_with("NamedPipe"), "{text}");
}
