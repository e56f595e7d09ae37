//! `BlobStore` over an R2 bucket.

use app::ssr::ports::{Blob, BlobStore, PortError, PortResult};
use async_trait::async_trait;
use worker::send::{SendFuture, SendWrapper};
use worker::{Bucket, HttpMetadata};

pub struct R2Blobs(SendWrapper<Bucket>);

impl R2Blobs {
    pub fn new(bucket: Bucket) -> Self {
        Self(SendWrapper::new(bucket))
    }
}

fn unavailable(e: worker::Error) -> PortError {
    PortError::Unavailable(format!("r2: {e}"))
}

#[async_trait]
impl BlobStore for R2Blobs {
    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> PortResult<()> {
        SendFuture::new(async move {
            self.0
                .put(key, bytes)
                .http_metadata(HttpMetadata {
                    content_type: Some(content_type.to_string()),
                    ..Default::default()
                })
                .execute()
                .await
                .map(|_| ())
                .map_err(unavailable)
        })
        .await
    }

    async fn get(&self, key: &str) -> PortResult<Option<Blob>> {
        SendFuture::new(async move {
            let Some(object) = self.0.get(key).execute().await.map_err(unavailable)? else {
                return Ok(None);
            };
            let content_type = object
                .http_metadata()
                .content_type
                .unwrap_or_else(|| "application/octet-stream".into());
            let bytes = match object.body() {
                Some(body) => body.bytes().await.map_err(unavailable)?,
                None => Vec::new(),
            };
            Ok(Some(Blob {
                bytes,
                content_type,
            }))
        })
        .await
    }

    async fn delete(&self, key: &str) -> PortResult<()> {
        SendFuture::new(async move { self.0.delete(key).await.map_err(unavailable) }).await
    }
}
