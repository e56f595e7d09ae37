//! The bundle of ports a request or job runs against.

use std::sync::Arc;

use super::ports::{
    AdminRepo, AlbumPhotos, AlbumRepo, BlobStore, Clock, CommentRepo, Crypto, EdgeCache, Ids,
    JobQueue, JobRepo, LikeRepo, LinkRepo, MediaService, PhotoRepo, RateLimiter, SearchRepo,
    TagRepo, TrashRepo, UploadRepo, UserRepo,
};
use crate::error::LumenError;

/// Where this Worker runs; decides dev-only routes such as `/_design`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Local,
    Preview,
    Production,
}

impl Stage {
    pub fn parse(s: &str) -> Self {
        match s {
            "local" => Self::Local,
            "preview" => Self::Preview,
            // Anything unknown is treated as production: the safe default.
            _ => Self::Production,
        }
    }

    pub fn allows_dev_tools(self) -> bool {
        self != Self::Production
    }
}

/// Per-user quotas. Defaults suit a small instance; the Worker may override them from
/// its environment (`LUMEN_QUOTA_BYTES`, `LUMEN_UPLOADS_PER_HOUR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quotas {
    /// Bytes of originals one account may store.
    pub stored_bytes: u64,
    /// Photos one account may upload in any hour.
    pub uploads_per_hour: u32,
    /// Photos one album zip may hold (see `service::albums::MAX_DOWNLOAD_PHOTOS`).
    pub download_photos: u32,
}

impl Default for Quotas {
    fn default() -> Self {
        Self {
            stored_bytes: 2 * 1024 * 1024 * 1024,
            uploads_per_hour: 200,
            download_photos: 40,
        }
    }
}

/// Where media jobs run (`LUMEN_PROCESSING`).
#[derive(Clone)]
pub enum Processing {
    /// In the queue consumer's isolate: the default, for the paid plan.
    Worker,
    /// On the native media service (a VPS behind a Tunnel, or a Container).
    Service(Arc<dyn MediaService>),
    /// The settings ask for something that cannot run: each job fails with this sentence,
    /// so a wrong setting shows on the photo instead of leaving it pending.
    Misconfigured(String),
}

#[derive(Clone)]
pub struct Platform {
    pub photos: Arc<dyn PhotoRepo>,
    pub albums: Arc<dyn AlbumRepo>,
    pub album_photos: Arc<dyn AlbumPhotos>,
    pub users: Arc<dyn UserRepo>,
    pub links: Arc<dyn LinkRepo>,
    pub likes: Arc<dyn LikeRepo>,
    pub comments: Arc<dyn CommentRepo>,
    pub tags: Arc<dyn TagRepo>,
    pub search: Arc<dyn SearchRepo>,
    pub limits: Arc<dyn RateLimiter>,
    pub crypto: Arc<dyn Crypto>,
    pub quotas: Quotas,
    pub blobs: Arc<dyn BlobStore>,
    pub jobs: Arc<dyn JobQueue>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn Ids>,
    pub stage: Stage,
    pub processing: Processing,
    /// Media job records (issue 15).
    pub job_records: Arc<dyn JobRepo>,
    pub admin: Arc<dyn AdminRepo>,
    /// Usernames (lower-case) that `LUMEN_ADMINS` makes admins, besides the first account.
    pub admins: Arc<[String]>,
    pub trash: Arc<dyn TrashRepo>,
    /// The shared cache of anonymous pages and public media; purge through `service::cache`.
    pub edge: Arc<dyn EdgeCache>,
    /// Resumable uploads in progress (issue 14).
    pub uploads: Arc<dyn UploadRepo>,
}

/// The platform of the current request: the Worker puts it in the request's
/// extensions, which leptos_axum provides to pages and server functions as `Parts`.
pub fn platform() -> Result<Platform, LumenError> {
    use leptos::prelude::use_context;
    use_context::<Platform>()
        .or_else(|| {
            use_context::<axum::http::request::Parts>()
                .and_then(|parts| parts.extensions.get::<Platform>().cloned())
        })
        .ok_or_else(|| {
            leptos::logging::error!("platform missing from context");
            LumenError::Internal {
                ref_id: "platform".into(),
            }
        })
}
