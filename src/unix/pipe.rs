//! Unix pipes registered with a `Poll`.
