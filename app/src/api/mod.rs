//! Server-function declarations, by area.

pub mod accounts;
pub mod admin;
pub mod albums;
pub mod dev;
pub mod links;
pub mod photos;
pub mod search;
pub mod social;
pub mod trash;
pub mod viewer;
