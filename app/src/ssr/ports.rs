//! The small traits the domain talks to; the Worker implements them over D1, R2 and
//! Queues, tests over memory.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::{short_ref, LumenError};
use crate::model::PhotoStatus;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortError {
    #[error("not found")]
    NotFound,
    #[error("conflict")]
    Conflict,
    #[error("unavailable: {0}")]
    Unavailable(String),
}

impl From<PortError> for LumenError {
    fn from(e: PortError) -> Self {
        match e {
            PortError::NotFound => LumenError::NotFound,
            PortError::Conflict => LumenError::Conflict,
            PortError::Unavailable(cause) => {
                let ref_id = short_ref(&cause);
                leptos::logging::error!("internal error ref={ref_id}: {cause}");
                LumenError::Internal { ref_id }
            }
        }
    }
}

pub type PortResult<T> = Result<T, PortError>;

/// A photo as stored in D1.
#[derive(Debug, Clone, PartialEq)]
pub struct PhotoRow {
    pub id: String,
    pub owner_id: String,
    pub title: String,
    pub status: PhotoStatus,
    pub failure: Option<String>,
    pub content_type: String,
    pub bytes: u64,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub sha256: Option<String>,
    pub rev: Option<String>,
    pub placeholder: Option<String>,
    pub exif_json: Option<String>,
    pub created_at: i64,
}

impl PhotoRow {
    /// A just-uploaded photo: nothing is known yet beyond what the upload said.
    pub fn pending(
        id: &str,
        owner_id: &str,
        title: &str,
        content_type: &str,
        bytes: u64,
        created_at: i64,
    ) -> Self {
        Self {
            id: id.to_string(),
            owner_id: owner_id.to_string(),
            title: title.to_string(),
            status: PhotoStatus::Pending,
            failure: None,
            content_type: content_type.to_string(),
            bytes,
            width: None,
            height: None,
            sha256: None,
            rev: None,
            placeholder: None,
            exif_json: None,
            created_at,
        }
    }
}

/// One stored variant of a photo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariantRow {
    pub photo_id: String,
    pub width: u32,
    pub height: u32,
    pub mime: String,
    pub r2_key: String,
    pub bytes: u64,
}

/// What the media job learned, written in one go with the variants.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendition {
    pub width: u32,
    pub height: u32,
    pub sha256: String,
    pub rev: String,
    pub placeholder: String,
    pub thumbhash: Vec<u8>,
    pub exif_json: String,
    pub gps_json: Option<String>,
    pub variants: Vec<VariantRow>,
}

#[async_trait]
pub trait PhotoRepo: Send + Sync {
    async fn insert_pending(&self, row: &PhotoRow) -> PortResult<()>;
    async fn get(&self, id: &str) -> PortResult<Option<PhotoRow>>;
    /// Newest first.
    async fn feed(&self, limit: u32) -> PortResult<Vec<PhotoRow>>;
    async fn variants(&self, ids: &[String]) -> PortResult<Vec<VariantRow>>;
    /// Replaces the photo's variants and marks it ready, atomically.
    async fn mark_ready(&self, id: &str, r: &Rendition) -> PortResult<()>;
    async fn mark_failed(&self, id: &str, reason: &str) -> PortResult<()>;
    /// Photos still pending that were created before `before_ms`.
    async fn stale_pending(&self, before_ms: i64, limit: u32) -> PortResult<Vec<String>>;
}

/// An object read back from the blob store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    pub bytes: Vec<u8>,
    pub content_type: String,
}

#[async_trait]
pub trait BlobStore: Send + Sync {
    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> PortResult<()>;
    async fn get(&self, key: &str) -> PortResult<Option<Blob>>;
    async fn delete(&self, key: &str) -> PortResult<()>;
}

/// A queue message: ids only, never bytes; versioned by its tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MediaJob {
    ProcessV1 { photo_id: String },
}

#[async_trait]
pub trait JobQueue: Send + Sync {
    async fn send(&self, job: &MediaJob) -> PortResult<()>;
}

pub trait Clock: Send + Sync {
    fn now_ms(&self) -> i64;
}

pub trait Ids: Send + Sync {
    /// A fresh, unguessable id (URL-safe).
    fn new_id(&self) -> String;
}
