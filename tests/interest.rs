//! `Interest` needs no selector, so these tests run in every feature set
//! and use none of the shared helpers.

use metal_io::Interest;

#[test]
fn constants_say_what_they_are() {
    assert!(Interest::READABLE.is_readable());
    assert!(!Interest::READABLE.is_writable());
    assert!(Interest::WRITABLE.is_writable());
    assert!(!Interest::WRITABLE.is_readable());
    for interest in [Interest::READABLE, Interest::WRITABLE] {
        assert!(!interest.is_aio() && !interest.is_lio() && !interest.is_priority());
    }
}

#[test]
fn add_and_bitor_agree() {
    const BOTH: Interest = Interest::READABLE.add(Interest::WRITABLE);
    assert_eq!(BOTH, Interest::READABLE | Interest::WRITABLE);
    assert_eq!(BOTH, Interest::WRITABLE | Interest::READABLE);
    assert!(BOTH.is_readable() && BOTH.is_writable());

    let mut interest = Interest::READABLE;
    interest |= Interest::WRITABLE;
    assert_eq!(interest, BOTH);

    // Adding what is there changes nothing.
    assert_eq!(Interest::READABLE | Interest::READABLE, Interest::READABLE);
}

#[test]
fn remove_never_yields_an_empty_interest() {
    let both = Interest::READABLE | Interest::WRITABLE;
    assert_eq!(both.remove(Interest::READABLE), Some(Interest::WRITABLE));
    assert_eq!(both.remove(Interest::WRITABLE), Some(Interest::READABLE));
    assert_eq!(both.remove(both), None);
    assert_eq!(Interest::READABLE.remove(Interest::READABLE), None);
    assert_eq!(
        Interest::READABLE.remove(Interest::WRITABLE),
        Some(Interest::READABLE)
    );
}

#[test]
fn debug_names_each_kind() {
    assert_eq!(format!("{:?}", Interest::READABLE), "READABLE");
    assert_eq!(format!("{:?}", Interest::WRITABLE), "WRITABLE");
    assert_eq!(
        format!("{:?}", Interest::WRITABLE | Interest::READABLE),
        "READABLE | WRITABLE"
    );
}

#[test]
#[cfg(any(target_os = "linux", target_os = "android"))]
fn priority_is_named_and_combines() {
    let interest = Interest::READABLE | Interest::PRIORITY;
    assert!(interest.is_priority() && interest.is_readable());
    assert!(!interest.is_writable());
    assert_eq!(format!("{interest:?}"), "READABLE | PRIORITY");
    assert_eq!(
        interest.remove(Interest::READABLE),
        Some(Interest::PRIORITY)
    );
}

#[test]
#[cfg(any(
    target_os = "dragonfly",
    target_os = "freebsd",
    target_os = "ios",
    target_os = "macos",
    target_os = "tvos",
    target_os = "visionos",
    target_os = "watchos",
))]
fn aio_is_named() {
    assert!(Interest::AIO.is_aio());
    assert_eq!(format!("{:?}", Interest::AIO), "AIO");
}

#[test]
#[cfg(target_os = "freebsd")]
fn lio_is_named() {
    assert!(Interest::LIO.is_lio());
    assert_eq!(format!("{:?}", Interest::LIO), "LIO");
}

#[test]
fn compares_by_value() {
    assert_eq!(Interest::READABLE, Interest::READABLE);
    assert_ne!(Interest::READABLE, Interest::WRITABLE);
    assert_ne!(Interest::READABLE, Interest::READABLE | Interest::WRITABLE);
}

#[test]
fn is_copy_send_and_sync() {
    fn assert_traits<T: Copy + Send + Sync>() {}
    assert_traits::<Interest>();
}
