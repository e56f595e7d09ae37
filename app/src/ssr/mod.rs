//! Server-side domain: ports, the guard, R2 keys, use cases and the media job.
//! Compiled only with `ssr`; the Worker supplies the port adapters.

pub mod access;
pub mod auth;
pub mod guard;
pub mod jobs;
pub mod keys;
pub mod limits;
pub mod platform;
pub mod ports;
pub mod position;
pub mod request;
pub mod service;

#[cfg(test)]
pub mod fakes;

pub use platform::{platform, Platform};
