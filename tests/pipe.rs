#![cfg(all(unix, feature = "os-ext"))]

mod util;

use std::io::{self, IoSlice, IoSliceMut, Read, Write};
use std::os::fd::{AsFd, AsRawFd, FromRawFd, IntoRawFd, OwnedFd};
use std::sync::Arc;
use std::thread;

use metal_io::unix::pipe::{self, Receiver, Sender};
use metal_io::{Interest, Poll, Token};

use util::{
    assert_blocking, assert_close_on_exec, assert_error_kind, assert_nonblocking,
    assert_would_block, expect_event, expect_no_events, init_with_poll, read_until_would_block,
    write_until_would_block, Readiness,
};

const SENDER: Token = Token(0);
const RECEIVER: Token = Token(1);

#[test]
fn new_pipe_ends_are_nonblocking_and_close_on_exec() {
    let (sender, receiver) = pipe::new().unwrap();
    assert_nonblocking(&sender);
    assert_nonblocking(&receiver);
    assert_close_on_exec(&sender);
    assert_close_on_exec(&receiver);
}

#[test]
fn empty_pipe_read_would_block() {
    let (_sender, mut receiver) = pipe::new().unwrap();
    assert_would_block(receiver.read(&mut [0; 8]));
}

#[test]
fn bytes_arrive_in_order_after_a_readable_event() {
    let (mut poll, mut events) = init_with_poll();
    let (mut sender, mut receiver) = pipe::new().unwrap();
    poll.registry()
        .register(&mut receiver, RECEIVER, Interest::READABLE)
        .unwrap();

    sender.write_all(b"first ").unwrap();
    sender.write_all(b"second").unwrap();
    expect_event(&mut poll, &mut events, RECEIVER, Interest::READABLE);
    assert_eq!(read_until_would_block(&mut receiver), b"first second");
}

#[test]
fn sender_gets_writable_event() {
    let (mut poll, mut events) = init_with_poll();
    let (mut sender, _receiver) = pipe::new().unwrap();
    poll.registry()
        .register(&mut sender, SENDER, Interest::WRITABLE)
        .unwrap();
    expect_event(&mut poll, &mut events, SENDER, Interest::WRITABLE);
}

#[test]
fn receiver_event_repeats_only_after_would_block_and_new_data() {
    let (mut poll, mut events) = init_with_poll();
    let (mut sender, mut receiver) = pipe::new().unwrap();
    poll.registry()
        .register(&mut receiver, RECEIVER, Interest::READABLE)
        .unwrap();

    sender.write_all(b"abcdef").unwrap();
    expect_event(&mut poll, &mut events, RECEIVER, Interest::READABLE);

    // Still readable, but the edge was reported: no new event, also not
    // after reading only part of the data.
    expect_no_events(&mut poll, &mut events);
    let mut part = [0; 2];
    receiver.read_exact(&mut part).unwrap();
    expect_no_events(&mut poll, &mut events);

    // Drained to `WouldBlock`, still nothing until new data comes.
    assert_eq!(read_until_would_block(&mut receiver), b"cdef");
    expect_no_events(&mut poll, &mut events);
    sender.write_all(b"g").unwrap();
    expect_event(&mut poll, &mut events, RECEIVER, Interest::READABLE);
    assert_eq!(read_until_would_block(&mut receiver), b"g");
}

#[test]
fn sender_event_repeats_after_full_pipe_is_drained() {
    let (mut poll, mut events) = init_with_poll();
    let (mut sender, mut receiver) = pipe::new().unwrap();
    poll.registry()
        .register(&mut sender, SENDER, Interest::WRITABLE)
        .unwrap();
    expect_event(&mut poll, &mut events, SENDER, Interest::WRITABLE);

    let written = write_until_would_block(&mut sender);
    assert!(written > 0);
    expect_no_events(&mut poll, &mut events);

    assert_eq!(read_until_would_block(&mut receiver).len(), written);
    expect_event(&mut poll, &mut events, SENDER, Interest::WRITABLE);
}

#[test]
fn dropping_sender_closes_read_side() {
    let (mut poll, mut events) = init_with_poll();
    let (mut sender, mut receiver) = pipe::new().unwrap();
    poll.registry()
        .register(&mut receiver, RECEIVER, Interest::READABLE)
        .unwrap();

    sender.write_all(b"last").unwrap();
    drop(sender);
    expect_event(&mut poll, &mut events, RECEIVER, Readiness::ReadClosed);

    // The data written before the drop is still there, then the end.
    let mut data = Vec::new();
    receiver.read_to_end(&mut data).unwrap();
    assert_eq!(data, b"last");
    assert_eq!(receiver.read(&mut [0; 8]).unwrap(), 0);
}

#[test]
fn dropping_receiver_closes_write_side() {
    let (mut poll, mut events) = init_with_poll();
    let (mut sender, receiver) = pipe::new().unwrap();
    poll.registry()
        .register(&mut sender, SENDER, Interest::WRITABLE)
        .unwrap();
    expect_event(&mut poll, &mut events, SENDER, Interest::WRITABLE);

    // Follow the readiness contract: write until `WouldBlock` before
    // waiting for the next event.
    assert!(write_until_would_block(&mut sender) > 0);
    drop(receiver);
    expect_event(&mut poll, &mut events, SENDER, Readiness::WriteClosed);
}

#[test]
fn write_without_receiver_fails_with_broken_pipe() {
    // The Rust runtime ignores SIGPIPE, so the write reports the error
    // instead of killing the test process.
    let (mut sender, receiver) = pipe::new().unwrap();
    drop(receiver);
    assert_error_kind(sender.write(b"nobody reads"), io::ErrorKind::BrokenPipe);
    assert_error_kind(
        sender.write_vectored(&[IoSlice::new(b"x")]),
        io::ErrorKind::BrokenPipe,
    );
}

#[test]
fn vectored_write_and_read_keep_order() {
    let (mut sender, mut receiver) = pipe::new().unwrap();
    let bufs = [
        IoSlice::new(b"one "),
        IoSlice::new(b"two "),
        IoSlice::new(b"three"),
    ];
    let n = sender.write_vectored(&bufs).unwrap();
    assert_eq!(n, 13, "a small write to an empty pipe is whole");

    let mut a = [0; 4];
    let mut b = [0; 9];
    let mut slices = [IoSliceMut::new(&mut a), IoSliceMut::new(&mut b)];
    assert_eq!(receiver.read_vectored(&mut slices).unwrap(), 13);
    assert_eq!(&a, b"one ");
    assert_eq!(&b, b"two three");
    assert_would_block(receiver.read_vectored(&mut [IoSliceMut::new(&mut a)]));
}

#[test]
fn shared_references_read_and_write() {
    let (sender, receiver) = pipe::new().unwrap();

    // Another thread writes through `&Sender` while this one owns the
    // `Receiver`.
    let sender = Arc::new(sender);
    let writer = {
        let sender = Arc::clone(&sender);
        thread::spawn(move || {
            (&*sender).write_all(b"sha").unwrap();
            let n = (&*sender).write_vectored(&[IoSlice::new(b"red")]).unwrap();
            assert_eq!(n, 3);
            (&*sender).flush().unwrap();
        })
    };
    writer.join().unwrap();

    let mut buf = [0; 6];
    (&receiver).read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"shared");
    let mut slices = [IoSliceMut::new(&mut buf)];
    assert_would_block((&receiver).read_vectored(&mut slices));
}

#[test]
fn set_nonblocking_switches_both_ways() {
    let (sender, receiver) = pipe::new().unwrap();
    sender.set_nonblocking(false).unwrap();
    receiver.set_nonblocking(false).unwrap();
    assert_blocking(&sender);
    assert_blocking(&receiver);

    sender.set_nonblocking(true).unwrap();
    receiver.set_nonblocking(true).unwrap();
    assert_nonblocking(&sender);
    assert_nonblocking(&receiver);

    // Setting the current mode again is harmless.
    receiver.set_nonblocking(true).unwrap();
    assert_nonblocking(&receiver);
}

#[test]
fn set_nonblocking_keeps_other_status_flags() {
    let (sender, _receiver) = pipe::new().unwrap();
    let fd = sender.as_raw_fd();
    // SAFETY: `sender` keeps `fd` open; `F_SETFL` only changes its flags.
    let ret = unsafe { libc::fcntl(fd, libc::F_SETFL, libc::O_NONBLOCK | libc::O_APPEND) };
    assert_ne!(ret, -1);

    sender.set_nonblocking(false).unwrap();
    // SAFETY: as above, for `F_GETFL`.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    assert_eq!(flags & libc::O_NONBLOCK, 0);
    assert_ne!(flags & libc::O_APPEND, 0, "O_APPEND was lost");
}

#[test]
fn try_io_returns_the_closure_result() {
    let (sender, receiver) = pipe::new().unwrap();
    assert_eq!(sender.try_io(|| Ok(7)).unwrap(), 7);
    assert_error_kind(
        receiver.try_io(|| Err::<(), _>(io::ErrorKind::WouldBlock.into())),
        io::ErrorKind::WouldBlock,
    );
}

#[test]
fn try_io_would_block_then_new_data_gives_event() {
    let (mut poll, mut events) = init_with_poll();
    let (mut sender, mut receiver) = pipe::new().unwrap();
    poll.registry()
        .register(&mut receiver, RECEIVER, Interest::READABLE)
        .unwrap();

    let raw_read = |receiver: &Receiver| {
        receiver.try_io(|| {
            let mut buf = [0u8; 16];
            // SAFETY: `buf` has room for 16 bytes and `receiver` keeps the
            // descriptor open during the call.
            let n = unsafe { libc::read(receiver.as_raw_fd(), buf.as_mut_ptr().cast(), 16) };
            if n < 0 {
                Err(io::Error::last_os_error())
            } else {
                Ok(buf[..n as usize].to_vec())
            }
        })
    };
    assert_would_block(raw_read(&receiver));

    sender.write_all(b"raw").unwrap();
    expect_event(&mut poll, &mut events, RECEIVER, Interest::READABLE);
    assert_eq!(raw_read(&receiver).unwrap(), b"raw");
    assert_would_block(raw_read(&receiver));
}

#[test]
fn owned_fd_conversions_keep_the_descriptor() {
    let (sender, receiver) = pipe::new().unwrap();
    let (send_fd, recv_fd) = (sender.as_raw_fd(), receiver.as_raw_fd());
    assert_eq!(sender.as_fd().as_raw_fd(), send_fd);
    assert_eq!(receiver.as_fd().as_raw_fd(), recv_fd);

    let send_owned = OwnedFd::from(sender);
    let recv_owned = OwnedFd::from(receiver);
    assert_eq!(send_owned.as_raw_fd(), send_fd);
    assert_eq!(recv_owned.as_raw_fd(), recv_fd);

    let mut sender = Sender::from(send_owned);
    let mut receiver = Receiver::from(recv_owned);
    sender.write_all(b"ok").unwrap();
    let mut buf = [0; 2];
    receiver.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"ok");
}

#[test]
fn raw_fd_conversions_keep_the_descriptor() {
    let (sender, receiver) = pipe::new().unwrap();
    let send_fd = sender.into_raw_fd();
    let recv_fd = receiver.into_raw_fd();

    // SAFETY: both descriptors were just released by `into_raw_fd`, so
    // they are open and owned by nobody else.
    let (mut sender, mut receiver) =
        unsafe { (Sender::from_raw_fd(send_fd), Receiver::from_raw_fd(recv_fd)) };
    assert_eq!(sender.as_raw_fd(), send_fd);
    assert_eq!(receiver.as_raw_fd(), recv_fd);
    sender.write_all(b"raw").unwrap();
    let mut buf = [0; 3];
    receiver.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"raw");
}

#[test]
#[cfg_attr(
    not(debug_assertions),
    ignore = "release builds skip the second-Poll check, as Registry::register documents"
)]
fn registering_with_a_second_poll_is_refused() {
    let (first, _) = init_with_poll();
    let second = Poll::new().unwrap();
    let (_sender, mut receiver) = pipe::new().unwrap();

    first
        .registry()
        .register(&mut receiver, RECEIVER, Interest::READABLE)
        .unwrap();
    assert_error_kind(
        second
            .registry()
            .register(&mut receiver, RECEIVER, Interest::READABLE),
        io::ErrorKind::AlreadyExists,
    );

    // Once the first `Poll` is gone the second one may take it.
    drop(first);
    second
        .registry()
        .register(&mut receiver, RECEIVER, Interest::READABLE)
        .unwrap();
}

#[test]
fn deregistered_receiver_can_be_registered_again() {
    let (mut poll, mut events) = init_with_poll();
    let (mut sender, mut receiver) = pipe::new().unwrap();
    let registry = poll.registry();
    registry
        .register(&mut receiver, RECEIVER, Interest::READABLE)
        .unwrap();
    registry.deregister(&mut receiver).unwrap();

    sender.write_all(b"x").unwrap();
    expect_no_events(&mut poll, &mut events);

    poll.registry()
        .register(&mut receiver, Token(9), Interest::READABLE)
        .unwrap();
    expect_event(&mut poll, &mut events, Token(9), Interest::READABLE);
}

#[test]
fn debug_names_the_end() {
    let (sender, receiver) = pipe::new().unwrap();
    assert!(format!("{sender:?}").starts_with("Sender"));
    assert!(format!("{receiver:?}").starts_with("Receiver"));
}

#[test]
fn pipe_ends_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Sender>();
    assert_send_sync::<Receiver>();
}
