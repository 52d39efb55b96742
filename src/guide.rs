//! A guide to writing an event loop with metal-io.
//!
//! An event loop owns a [`Poll`], registers its sources with the `Poll`'s
//! [`Registry`], and then repeats three steps: wait for events, handle each
//! one, and adjust registrations. This guide builds a small TCP echo loop in
//! that order. The complete, runnable program is the `tcp_echo_server`
//! example in the repository.
//!
//! [`Poll`]: crate::Poll
//! [`Registry`]: crate::Registry
//!
//! # 1. Create a `Poll` and an `Events` buffer
//!
//! `Events` is allocated once and reused; its capacity is the most events
//! one call returns. Events that do not fit are returned by the next call.
//!
#![cfg_attr(feature = "os-poll", doc = "```")]
#![cfg_attr(not(feature = "os-poll"), doc = "```ignore")]
//! use metal_io::{Events, Poll};
//!
//! let poll = Poll::new()?;
//! let events = Events::with_capacity(1024);
//! # drop((poll, events));
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # 2. Register sources with tokens
//!
//! A [`Token`](crate::Token) is how an event names its source. Pick a
//! scheme that maps a token back to your state in O(1): here the listener is
//! token 0 and connection `i` is token `i + 1`, an index into a `Vec`.
//! Register only the [`Interest`](crate::Interest) you need: asking for
//! `WRITABLE` on a socket with nothing to send only wakes the loop for
//! nothing.
//!
#![cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
#![cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
//! use metal_io::net::TcpListener;
//! use metal_io::{Interest, Poll, Token};
//!
//! const LISTENER: Token = Token(0);
//!
//! let poll = Poll::new()?;
//! let mut listener = TcpListener::bind("127.0.0.1:0".parse().unwrap())?;
//! poll.registry().register(&mut listener, LISTENER, Interest::READABLE)?;
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # 3. Wait, then drain every ready source until `WouldBlock`
//!
//! Readiness is edge-triggered: an event says a source *became* ready, and
//! it is not repeated. So for each event, repeat the operation until it
//! returns [`WouldBlock`](std::io::ErrorKind::WouldBlock). Treat
//! `WouldBlock` as "done for now" (events may be spurious), retry on
//! [`Interrupted`](std::io::ErrorKind::Interrupted), and close the source
//! on other errors. The full rules are the
//! [readiness contract](crate::Poll#the-readiness-contract).
//!
#![cfg_attr(all(feature = "os-poll", feature = "net"), doc = "```")]
#![cfg_attr(not(all(feature = "os-poll", feature = "net")), doc = "```ignore")]
//! use std::io::{self, Read, Write};
//! use std::time::{Duration, Instant};
//! use metal_io::net::{TcpListener, TcpStream};
//! use metal_io::{Events, Interest, Poll, Token};
//!
//! const LISTENER: Token = Token(0);
//!
//! # fn main() -> io::Result<()> {
//! let mut poll = Poll::new()?;
//! let mut events = Events::with_capacity(128);
//! let mut listener = TcpListener::bind("127.0.0.1:0".parse().unwrap())?;
//! poll.registry().register(&mut listener, LISTENER, Interest::READABLE)?;
//!
//! // A client, so that the loop has something to do.
//! let mut client = std::net::TcpStream::connect(listener.local_addr()?)?;
//! client.write_all(b"hello")?;
//! client.shutdown(std::net::Shutdown::Write)?;
//!
//! let mut connections: Vec<Option<TcpStream>> = Vec::new();
//! let deadline = Instant::now() + Duration::from_secs(10);
//! let mut echoed = 0;
//! while echoed < 5 && Instant::now() < deadline {
//!     poll.poll(&mut events, Some(Duration::from_millis(100)))?;
//!     for event in events.iter() {
//!         if event.token() == LISTENER {
//!             // Accept every pending connection.
//!             loop {
//!                 match listener.accept() {
//!                     Ok((mut stream, _)) => {
//!                         let token = Token(connections.len() + 1);
//!                         poll.registry().register(&mut stream, token, Interest::READABLE)?;
//!                         connections.push(Some(stream));
//!                     }
//!                     Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
//!                     Err(e) => return Err(e),
//!                 }
//!             }
//!             continue;
//!         }
//!
//!         // Read until WouldBlock, echoing what arrives.
//!         let slot = &mut connections[event.token().0 - 1];
//!         let Some(stream) = slot.as_mut() else { continue };
//!         let mut buf = [0; 4096];
//!         loop {
//!             match stream.read(&mut buf) {
//!                 Ok(0) => {
//!                     // The peer closed: deregister before dropping.
//!                     poll.registry().deregister(stream)?;
//!                     *slot = None;
//!                     break;
//!                 }
//!                 Ok(n) => {
//!                     // A real server buffers what `write` does not take
//!                     // and registers WRITABLE interest to finish later.
//!                     stream.write_all(&buf[..n])?;
//!                     echoed += n;
//!                 }
//!                 Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
//!                 Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
//!                 Err(e) => return Err(e),
//!             }
//!         }
//!     }
//! }
//!
//! let mut back = Vec::new();
//! client.read_to_end(&mut back)?;
//! assert_eq!(back, b"hello");
//! # Ok(())
//! # }
//! ```
//!
//! # 4. Wake the loop from other threads
//!
//! A thread that hands work to the loop (through a channel, say) calls
//! [`Waker::wake`](crate::Waker::wake) afterwards. The loop sees an event
//! with the waker's token and then drains the channel. Wakes coalesce, so
//! always drain everything, not one item per event. A wake costs a system
//! call only when the loop is blocked in the kernel.
//!
#![cfg_attr(feature = "os-poll", doc = "```")]
#![cfg_attr(not(feature = "os-poll"), doc = "```ignore")]
//! use std::sync::{mpsc, Arc};
//! use std::time::Duration;
//! use metal_io::{Events, Poll, Token, Waker};
//!
//! const WAKER: Token = Token(usize::MAX);
//!
//! # fn main() -> std::io::Result<()> {
//! let mut poll = Poll::new()?;
//! let mut events = Events::with_capacity(16);
//! let waker = Arc::new(Waker::new(poll.registry(), WAKER)?);
//! let (tx, rx) = mpsc::channel();
//!
//! let remote = Arc::clone(&waker);
//! let worker = std::thread::spawn(move || {
//!     for job in 0..3 {
//!         tx.send(job).unwrap();
//!         remote.wake().unwrap();
//!     }
//! });
//!
//! let mut done = Vec::new();
//! while done.len() < 3 {
//!     poll.poll(&mut events, Some(Duration::from_secs(5)))?;
//!     if events.iter().any(|e| e.token() == WAKER) {
//!         done.extend(rx.try_iter());
//!     }
//! }
//! worker.join().unwrap();
//! assert_eq!(done, [0, 1, 2]);
//! # Ok(())
//! # }
//! ```
//!
//! # 5. Deregister before dropping
//!
//! Deregister a source before dropping it. After
//! [`Registry::deregister`](crate::Registry::deregister) returns no event
//! carries its token, so the token can be given to a new source at once.
//! A source dropped while registered may still have events queued under its
//! token, which a new source with the same token would then receive.
//!
//! # Common mistakes
//!
//! - Reading once per event instead of until `WouldBlock`: the rest of the
//!   data produces no further event, and the connection stalls.
//! - Keeping `WRITABLE` interest with nothing to write: the loop spins on
//!   events it does not need. Register it when a write returns
//!   `WouldBlock`, and drop it with `reregister` once the buffer is empty.
//! - Treating `is_read_closed` as the only sign of a closed peer: it is a
//!   hint. A read returning `Ok(0)` is the proof.
//! - Polling with `None` in tests or shutdown paths: use a timeout or a
//!   `Waker`, so that the loop can always be stopped.
