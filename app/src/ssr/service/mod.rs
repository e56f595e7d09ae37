//! Use cases, each a plain async fn over the [`Platform`](super::Platform).

pub mod accounts;
pub mod albums;
pub mod cache;
pub mod feeds;
pub mod links;
pub mod media;
pub mod photos;
pub mod search;
pub mod social;
pub mod upload;
