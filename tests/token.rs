//! `Token` needs no selector, so these tests run in every feature set and
//! use none of the shared helpers.

use std::collections::{BTreeSet, HashSet};

use metal_io::Token;

#[test]
fn converts_to_usize() {
    assert_eq!(usize::from(Token(0)), 0);
    assert_eq!(usize::from(Token(42)), 42);
    assert_eq!(usize::from(Token(usize::MAX)), usize::MAX);
    let n: usize = Token(7).into();
    assert_eq!(n, 7);
}

#[test]
fn every_value_is_a_valid_token() {
    let max = Token(usize::MAX);
    assert_eq!(max.0, usize::MAX);
    assert_eq!(max, Token(usize::MAX));
    assert_ne!(max, Token(0));
}

#[test]
fn orders_and_hashes_by_value() {
    assert!(Token(1) < Token(2));
    assert!(Token(usize::MAX) > Token(0));
    assert_eq!(Token(3).max(Token(9)), Token(9));

    let set: HashSet<Token> = [Token(1), Token(1), Token(2)].into_iter().collect();
    assert_eq!(set.len(), 2);
    let sorted: Vec<Token> = [Token(5), Token(1), Token(3)]
        .into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(sorted, [Token(1), Token(3), Token(5)]);
}

#[test]
fn is_copy_and_debug() {
    let token = Token(12);
    let copy = token;
    assert_eq!(token, copy);
    assert_eq!(format!("{token:?}"), "Token(12)");
}

#[test]
fn is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Token>();
}
