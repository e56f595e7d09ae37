//! One file per route (sign-in and sign-up share one).

pub mod admin;
pub mod album;
pub mod design;
pub mod feed;
pub mod gear;
pub mod liked;
pub mod not_found;
pub mod photo;
pub mod profile;
pub mod search;
pub mod settings;
pub mod share;
pub mod signin;
pub mod tag;
pub mod trash;
pub mod upload;
