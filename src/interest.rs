//! What a caller asks to be told about an event source.

use std::num::NonZeroU8;
use std::{fmt, ops};

const READABLE: u8 = 0b0_0001;
const WRITABLE: u8 = 0b0_0010;
// The bits below exist on every platform so that `is_*` can answer `false`
// where the constant itself is not offered.
const AIO: u8 = 0b0_0100;
const LIO: u8 = 0b0_1000;
const PRIORITY: u8 = 0b1_0000;

/// The kinds of readiness a caller wants to hear about for a source.
///
/// An `Interest` is never empty: it holds at least one of the readiness
/// kinds below. Combine them with `|` or [`Interest::add`] and take them
/// apart with [`Interest::remove`]. Interest is what is *asked*; what the OS
/// *reports* comes back as an [`Event`].
///
/// | Constant | Platforms | Asks for |
/// |---|---|---|
/// | [`READABLE`] | all | data to read, a connection to accept, end of stream |
/// | [`WRITABLE`] | all | room to write, a finished connect |
/// | `PRIORITY` | Linux, Android | out-of-band or priority data (`EPOLLPRI`) |
/// | `AIO` | DragonFly, FreeBSD, iOS, macOS | POSIX AIO completion (`EVFILT_AIO`) |
/// | `LIO` | FreeBSD | `lio_listio(2)` completion (`EVFILT_LIO`) |
///
/// [`Event`]: crate::event::Event
/// [`READABLE`]: Interest::READABLE
/// [`WRITABLE`]: Interest::WRITABLE
///
/// # Examples
///
/// ```
/// use metal_io::Interest;
///
/// let both = Interest::READABLE | Interest::WRITABLE;
/// assert!(both.is_readable() && both.is_writable());
/// assert_eq!(both.remove(Interest::WRITABLE), Some(Interest::READABLE));
/// assert_eq!(format!("{both:?}"), "READABLE | WRITABLE");
/// ```
#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Interest(NonZeroU8);

impl Interest {
    /// Interest in readable readiness.
    pub const READABLE: Interest = Interest::from_bits(READABLE);

    /// Interest in writable readiness.
    pub const WRITABLE: Interest = Interest::from_bits(WRITABLE);

    /// Interest in the completion of POSIX AIO operations (`EVFILT_AIO`).
    #[cfg(any(
        target_os = "dragonfly",
        target_os = "freebsd",
        target_os = "ios",
        target_os = "macos",
        target_os = "tvos",
        target_os = "visionos",
        target_os = "watchos",
    ))]
    pub const AIO: Interest = Interest::from_bits(AIO);

    /// Interest in the completion of `lio_listio(2)` batches (`EVFILT_LIO`).
    #[cfg(target_os = "freebsd")]
    pub const LIO: Interest = Interest::from_bits(LIO);

    /// Interest in priority (out-of-band) data, `EPOLLPRI`.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    pub const PRIORITY: Interest = Interest::from_bits(PRIORITY);

    /// Builds an interest from bits that are known to be non-zero.
    #[inline]
    const fn from_bits(bits: u8) -> Interest {
        match NonZeroU8::new(bits) {
            Some(bits) => Interest(bits),
            None => panic!("an interest is never empty"),
        }
    }

    /// Returns the union of `self` and `other`.
    ///
    /// This is the `const` form of `self | other`.
    ///
    /// # Examples
    ///
    /// ```
    /// use metal_io::Interest;
    ///
    /// const BOTH: Interest = Interest::READABLE.add(Interest::WRITABLE);
    /// assert!(BOTH.is_readable() && BOTH.is_writable());
    /// ```
    #[allow(clippy::should_implement_trait)]
    #[must_use]
    #[inline]
    pub const fn add(self, other: Interest) -> Interest {
        Interest::from_bits(self.0.get() | other.0.get())
    }

    /// Returns `self` without the kinds in `other`, or `None` when nothing
    /// would be left.
    ///
    /// # Examples
    ///
    /// ```
    /// use metal_io::Interest;
    ///
    /// let both = Interest::READABLE | Interest::WRITABLE;
    /// assert_eq!(both.remove(Interest::READABLE), Some(Interest::WRITABLE));
    /// assert_eq!(Interest::READABLE.remove(Interest::READABLE), None);
    /// ```
    #[must_use]
    pub fn remove(self, other: Interest) -> Option<Interest> {
        NonZeroU8::new(self.0.get() & !other.0.get()).map(Interest)
    }

    /// Returns true if the interest includes readable readiness.
    ///
    /// # Examples
    ///
    /// ```
    /// use metal_io::Interest;
    ///
    /// // The check is `const`, so it also works at compile time.
    /// const READS: bool = Interest::READABLE.is_readable();
    /// assert!(READS);
    /// assert!(!Interest::WRITABLE.is_readable());
    /// ```
    #[must_use]
    #[inline]
    pub const fn is_readable(self) -> bool {
        self.0.get() & READABLE != 0
    }

    /// Returns true if the interest includes writable readiness.
    ///
    /// # Examples
    ///
    /// ```
    /// use metal_io::Interest;
    ///
    /// let mut interest = Interest::READABLE;
    /// assert!(!interest.is_writable());
    /// interest |= Interest::WRITABLE;
    /// assert!(interest.is_writable());
    /// ```
    #[must_use]
    #[inline]
    pub const fn is_writable(self) -> bool {
        self.0.get() & WRITABLE != 0
    }

    /// Returns true if the interest includes AIO completion.
    ///
    /// Always false where `Interest::AIO` is not offered.
    ///
    /// # Examples
    ///
    /// ```
    /// use metal_io::Interest;
    ///
    /// assert!(!(Interest::READABLE | Interest::WRITABLE).is_aio());
    ///
    /// // The constant itself exists only on some kqueue systems.
    /// #[cfg(any(target_os = "freebsd", target_os = "macos"))]
    /// assert!(Interest::AIO.is_aio());
    /// ```
    #[must_use]
    #[inline]
    pub const fn is_aio(self) -> bool {
        self.0.get() & AIO != 0
    }

    /// Returns true if the interest includes LIO completion.
    ///
    /// Always false where `Interest::LIO` is not offered.
    ///
    /// # Examples
    ///
    /// ```
    /// use metal_io::Interest;
    ///
    /// assert!(!(Interest::READABLE | Interest::WRITABLE).is_lio());
    ///
    /// // The constant itself exists only on FreeBSD.
    /// #[cfg(target_os = "freebsd")]
    /// assert!((Interest::READABLE | Interest::LIO).is_lio());
    /// ```
    #[must_use]
    #[inline]
    pub const fn is_lio(self) -> bool {
        self.0.get() & LIO != 0
    }

    /// Returns true if the interest includes priority readiness.
    ///
    /// Always false where `Interest::PRIORITY` is not offered.
    ///
    /// # Examples
    ///
    /// ```
    /// use metal_io::Interest;
    ///
    /// assert!(!(Interest::READABLE | Interest::WRITABLE).is_priority());
    ///
    /// // The constant itself exists only on Linux and Android.
    /// #[cfg(any(target_os = "linux", target_os = "android"))]
    /// assert!((Interest::READABLE | Interest::PRIORITY).is_priority());
    /// ```
    #[must_use]
    #[inline]
    pub const fn is_priority(self) -> bool {
        self.0.get() & PRIORITY != 0
    }
}

impl ops::BitOr for Interest {
    type Output = Interest;

    #[inline]
    fn bitor(self, other: Interest) -> Interest {
        self.add(other)
    }
}

impl ops::BitOrAssign for Interest {
    #[inline]
    fn bitor_assign(&mut self, other: Interest) {
        *self = self.add(other);
    }
}

impl fmt::Debug for Interest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const NAMES: [(u8, &str); 5] = [
            (READABLE, "READABLE"),
            (WRITABLE, "WRITABLE"),
            (AIO, "AIO"),
            (LIO, "LIO"),
            (PRIORITY, "PRIORITY"),
        ];

        let mut first = true;
        for (bit, name) in NAMES {
            if self.0.get() & bit != 0 {
                if !first {
                    f.write_str(" | ")?;
                }
                f.write_str(name)?;
                first = false;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_lists_each_kind_once() {
        assert_eq!(format!("{:?}", Interest::READABLE), "READABLE");
        let both = Interest::WRITABLE | Interest::READABLE;
        assert_eq!(format!("{both:?}"), "READABLE | WRITABLE");
    }

    #[test]
    fn remove_of_everything_is_none() {
        let both = Interest::READABLE | Interest::WRITABLE;
        assert_eq!(both.remove(both), None);
        assert_eq!(
            Interest::READABLE.remove(Interest::WRITABLE),
            Some(Interest::READABLE)
        );
    }

    #[test]
    fn bitor_assign_accumulates() {
        let mut interest = Interest::READABLE;
        interest |= Interest::WRITABLE;
        assert!(interest.is_readable() && interest.is_writable());
        assert!(!interest.is_aio() && !interest.is_lio() && !interest.is_priority());
    }
}
