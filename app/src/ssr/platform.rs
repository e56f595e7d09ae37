//! The bundle of ports a request or job runs against.

use std::sync::Arc;

use super::ports::{BlobStore, Clock, Ids, JobQueue, PhotoRepo};
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

#[derive(Clone)]
pub struct Platform {
    pub photos: Arc<dyn PhotoRepo>,
    pub blobs: Arc<dyn BlobStore>,
    pub jobs: Arc<dyn JobQueue>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn Ids>,
    pub stage: Stage,
}

/// The platform of the current request (provided by the Worker's router).
pub fn platform() -> Result<Platform, LumenError> {
    leptos::prelude::use_context::<Platform>().ok_or_else(|| {
        leptos::logging::error!("platform missing from context");
        LumenError::Internal {
            ref_id: "platform".into(),
        }
    })
}
