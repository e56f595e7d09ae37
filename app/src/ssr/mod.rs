//! Server-side domain: ports, the guard, R2 keys, use cases, the media job and the album zip.
//! Compiled only with `ssr`; the Worker supplies the port adapters.

pub mod access;
pub mod atom;
pub mod auth;
pub mod cache;
pub mod cursor;
pub mod digest;
pub mod guard;
pub mod jobs;
pub mod keys;
pub mod lean;
pub mod limits;
pub mod placeholder;
pub mod platform;
pub mod ports;
pub mod position;
pub mod render;
pub mod request;
pub mod search;
pub mod service;
pub mod zip;

#[cfg(test)]
pub mod fakes;

pub use platform::{platform, Platform};
