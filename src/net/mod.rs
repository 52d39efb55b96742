//! Non-blocking TCP, UDP and Unix-domain sockets.
