//! The caller-chosen identifier carried by every event.

/// Associates readiness events with the event source they belong to.
///
/// A `Token` is a plain `usize` chosen by the caller when registering a
/// source with [`Registry::register`]. Every [`Event`] that
/// [`Poll::poll`] returns for that source carries the same token, which is
/// how an event loop finds the state it keeps for the source: typically as
/// an index into a slab or a key into a map.
///
/// Every value is available to the caller, `Token(usize::MAX)` included:
/// metal-io keeps no token for itself. Tokens need not be unique, but an
/// event loop usually cannot tell two sources with the same token apart.
///
/// [`Registry::register`]: crate::Registry::register
/// [`Event`]: crate::event::Event
/// [`Poll::poll`]: crate::Poll::poll
///
/// # Examples
///
/// ```
/// use metal_io::Token;
///
/// let token = Token(7);
/// assert_eq!(usize::from(token), 7);
/// assert!(Token(1) < Token(2));
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Token(pub usize);

impl From<Token> for usize {
    fn from(token: Token) -> usize {
        token.0
    }
}
