//! Server-function declarations, by area.

pub mod dev;
pub mod photos;
