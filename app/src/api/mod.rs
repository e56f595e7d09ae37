//! Server-function declarations, by area.

pub mod photos;
