#![cfg(all(feature = "os-poll", feature = "net"))]

mod util;

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use metal_io::net::{TcpListener, TcpStream};
use metal_io::{Events, Interest, Poll, Registry, Token, Waker};

use util::any_local_address;

/// How many connections the echo test makes. Each one costs two
/// descriptors, which keeps the test well under a 20,000-descriptor limit.
const CONNECTIONS: usize = 2000;

/// How many connections may wait to be accepted at once, so that the
/// listener's backlog never overflows (an overflow costs a one-second SYN
/// retransmission, not a failure, but it would slow the test down).
const MAX_PENDING: usize = 128;

/// The whole echo test must finish within this time.
const ECHO_DEADLINE: Duration = Duration::from_secs(60);

const LISTENER: Token = Token(0);

/// One side of a connection in the echo test.
enum Conn {
    /// Sends `data`, then checks that the echo matches it.
    Client {
        stream: TcpStream,
        data: Vec<u8>,
        sent: usize,
        echoed: Vec<u8>,
    },
    /// Echoes whatever arrives until the client closes.
    Server { stream: TcpStream, pending: Vec<u8> },
}

/// The bytes client `i` sends: distinct per client, 100 to 8,000 bytes.
fn client_data(i: usize) -> Vec<u8> {
    let len = 100 + (i * 7919) % 7900;
    let mut data = format!("client {i}:").into_bytes();
    data.extend((0..len).map(|j| (i * 31 + j * 7) as u8));
    data
}

/// Writes from `buf[*from..]` until done or `WouldBlock`.
fn write_some(stream: &mut TcpStream, buf: &[u8], from: &mut usize) -> io::Result<()> {
    while *from < buf.len() {
        match stream.write(&buf[*from..]) {
            Ok(n) => *from += n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Reads into `out` until `WouldBlock`; returns `true` at end of stream.
fn read_some(stream: &mut TcpStream, out: &mut Vec<u8>) -> io::Result<bool> {
    let mut buf = [0; 16 * 1024];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return Ok(true),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Handles readiness on one connection. Returns `true` when the connection
/// is finished and should be dropped; panics on a corrupted echo.
fn drive(conn: &mut Conn) -> bool {
    match conn {
        Conn::Client {
            stream,
            data,
            sent,
            echoed,
        } => {
            write_some(stream, data, sent).expect("client write failed");
            let eof = read_some(stream, echoed).expect("client read failed");
            assert!(
                echoed.len() <= data.len() && data.starts_with(echoed),
                "echo corrupted: {} bytes so far",
                echoed.len()
            );
            assert!(!eof || echoed.len() == data.len(), "server closed early");
            echoed.len() == data.len()
        }
        Conn::Server { stream, pending } => {
            let eof = read_some(stream, pending).expect("server read failed");
            let mut written = 0;
            write_some(stream, pending, &mut written).expect("server write failed");
            pending.drain(..written);
            eof
        }
    }
}

/// Connects one more client and registers it; returns its slab slot.
fn connect_client(
    registry: &Registry,
    slab: &mut Vec<Option<Conn>>,
    addr: SocketAddr,
    i: usize,
) -> usize {
    let mut stream = TcpStream::connect(addr).expect("unable to connect");
    let slot = slab.len();
    registry
        .register(
            &mut stream,
            Token(slot),
            Interest::READABLE | Interest::WRITABLE,
        )
        .expect("unable to register client");
    slab.push(Some(Conn::Client {
        stream,
        data: client_data(i),
        sent: 0,
        echoed: Vec::new(),
    }));
    slot
}

/// Accepts until `WouldBlock`, registering each new server side.
fn accept_all(registry: &Registry, listener: &TcpListener, slab: &mut Vec<Option<Conn>>) -> usize {
    let mut accepted = 0;
    loop {
        match listener.accept() {
            Ok((mut stream, _)) => {
                let slot = slab.len();
                registry
                    .register(
                        &mut stream,
                        Token(slot),
                        Interest::READABLE | Interest::WRITABLE,
                    )
                    .expect("unable to register server side");
                slab.push(Some(Conn::Server {
                    stream,
                    pending: Vec::new(),
                }));
                accepted += 1;
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return accepted,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => panic!("accept failed: {e}"),
        }
    }
}

#[test]
fn thousands_of_connections_echo_intact_on_one_poll() {
    util::init();
    let mut poll = Poll::new().unwrap();
    let mut events = Events::with_capacity(1024);
    let mut listener = TcpListener::bind(any_local_address()).unwrap();
    let addr = listener.local_addr().unwrap();
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)
        .unwrap();

    // Slot 0 stands for the listener, so a connection's token is its slot.
    let mut slab: Vec<Option<Conn>> = vec![None];
    let (mut connected, mut accepted, mut finished) = (0, 0, 0);
    let deadline = Instant::now() + ECHO_DEADLINE;

    while finished < CONNECTIONS {
        // Connect more clients while few are waiting to be accepted.
        while connected < CONNECTIONS && connected - accepted < MAX_PENDING {
            connect_client(poll.registry(), &mut slab, addr, connected);
            connected += 1;
        }

        let left = deadline.saturating_duration_since(Instant::now());
        assert!(
            !left.is_zero(),
            "deadline passed: connected={connected} accepted={accepted} finished={finished}"
        );
        match poll.poll(&mut events, Some(left)) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            result => result.unwrap(),
        }

        for event in events.iter() {
            if event.token() == LISTENER {
                accepted += accept_all(poll.registry(), &listener, &mut slab);
                continue;
            }
            let slot = event.token().0;
            let Some(conn) = slab[slot].as_mut() else {
                continue;
            };
            if drive(conn) {
                // Deregister before closing, as the readiness contract
                // asks. Closing the client makes its server side read end
                // of stream, and that side is closed in turn.
                let stream = match conn {
                    Conn::Client { stream, .. } => {
                        finished += 1;
                        stream
                    }
                    Conn::Server { stream, .. } => stream,
                };
                poll.registry().deregister(stream).unwrap();
                slab[slot] = None;
            }
        }
    }

    assert_eq!(accepted, CONNECTIONS);
}

/// How many threads wake the one `Poll` at the same time.
const WAKING_THREADS: usize = 8;

/// How many acknowledged rounds each thread runs.
const ROUNDS: u64 = 1000;

/// How long anyone waits for a wake-up before calling it lost.
const LOST_AFTER: Duration = Duration::from_secs(10);

const WAKER: Token = Token(0);

#[test]
fn concurrent_wakes_are_never_lost() {
    util::init();
    let mut poll = Poll::new().unwrap();
    let mut events = Events::with_capacity(16);
    let waker = Arc::new(Waker::new(poll.registry(), WAKER).unwrap());

    // Thread `i` stores the round it wants acknowledged, then wakes the
    // poll; the poll thread answers on the thread's channel.
    let requested: Arc<Vec<AtomicU64>> =
        Arc::new((0..WAKING_THREADS).map(|_| AtomicU64::new(0)).collect());
    let finished = Arc::new(AtomicUsize::new(0));
    let mut acks = Vec::new();
    let mut threads = Vec::new();
    for i in 0..WAKING_THREADS {
        let (ack_tx, ack_rx) = mpsc::channel::<u64>();
        acks.push(ack_tx);
        let waker = Arc::clone(&waker);
        let requested = Arc::clone(&requested);
        let finished = Arc::clone(&finished);
        threads.push(thread::spawn(move || {
            for round in 1..=ROUNDS {
                requested[i].store(round, Ordering::SeqCst);
                // Several wakes per round: they must coalesce harmlessly.
                for _ in 0..=(round % 3) {
                    waker.wake().unwrap();
                }
                match ack_rx.recv_timeout(LOST_AFTER) {
                    Ok(acked) => assert_eq!(acked, round),
                    Err(_) => panic!("thread {i}: wake-up for round {round} was lost"),
                }
            }
            finished.fetch_add(1, Ordering::SeqCst);
            waker.wake().unwrap();
        }));
    }

    let mut acked = vec![0u64; WAKING_THREADS];
    let deadline = Instant::now() + Duration::from_secs(60);
    while finished.load(Ordering::SeqCst) < WAKING_THREADS {
        assert!(
            Instant::now() < deadline,
            "wake test did not finish in time"
        );
        match poll.poll(&mut events, Some(LOST_AFTER)) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            result => result.unwrap(),
        }

        let woken = events.iter().any(|e| e.token() == WAKER);
        let pending: Vec<usize> = (0..WAKING_THREADS)
            .filter(|&i| requested[i].load(Ordering::SeqCst) > acked[i])
            .collect();
        // A request with no event for `LOST_AFTER` is a lost wake-up.
        assert!(
            woken || pending.is_empty(),
            "poll timed out with requests pending from threads {pending:?}"
        );
        for i in pending {
            acked[i] = requested[i].load(Ordering::SeqCst);
            // A thread that already failed has dropped its receiver; its
            // own panic reports the failure when it is joined.
            let _ = acks[i].send(acked[i]);
        }
    }

    for thread in threads {
        thread.join().expect("a waking thread failed");
    }
    assert!(acked.iter().all(|&round| round == ROUNDS), "{acked:?}");
}
