//! A guide to writing an event loop with metal-io.
//!
//! (Filled in below.)
