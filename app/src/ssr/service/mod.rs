//! Use cases, each a plain async fn over the [`Platform`](super::Platform).

pub mod accounts;
pub mod admin;
pub mod albums;
pub mod cache;
pub mod export;
pub mod feeds;
pub mod jobs;
pub mod leave;
pub mod links;
pub mod media;
pub mod photos;
pub mod prepared;
pub mod repair;
pub mod resumable;
pub mod search;
pub mod social;
pub mod trash;
pub mod upload;
pub mod viewer;
