//! One file per route.

pub mod design;
pub mod feed;
pub mod not_found;
pub mod photo;
pub mod upload;
