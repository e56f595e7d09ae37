//! `BlobStore` over an R2 bucket.

use app::ssr::ports::{
    Blob, BlobPage, BlobReader, BlobStore, BlobWriter, Listed, PortError, PortResult,
};
use async_trait::async_trait;
use futures_util::{AsyncReadExt, StreamExt};
use wasm_bindgen::JsCast;
use worker::send::{SendFuture, SendWrapper};
use worker::{
    Bucket, FixedLengthStream, HttpMetadata, MultipartUpload, ObjectBody, ResponseBody,
    UploadedPart,
};

pub struct R2Blobs(SendWrapper<Bucket>);

impl R2Blobs {
    pub fn new(bucket: Bucket) -> Self {
        Self(SendWrapper::new(bucket))
    }

    /// A new multipart upload of `key`, its type recorded.
    async fn create(&self, key: &str, mime: &str) -> PortResult<MultipartUpload> {
        self.0
            .create_multipart_upload(key)
            .http_metadata(content_type(mime))
            .execute()
            .await
            .map_err(unavailable)
    }
}

fn unavailable(e: worker::Error) -> PortError {
    PortError::Unavailable(format!("r2: {e}"))
}

fn content_type(content_type: &str) -> HttpMetadata {
    HttpMetadata {
        content_type: Some(content_type.to_string()),
        ..Default::default()
    }
}

#[async_trait]
impl BlobStore for R2Blobs {
    async fn put(&self, key: &str, bytes: Vec<u8>, mime: &str) -> PortResult<()> {
        SendFuture::new(async move {
            self.0
                .put(key, bytes)
                .http_metadata(content_type(mime))
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
            let size = usize::try_from(object.size()).unwrap_or(0);
            let bytes = match object.body() {
                Some(body) => read_all(body, size).await?,
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

    async fn open(&self, key: &str) -> PortResult<Option<Box<dyn BlobReader>>> {
        SendFuture::new(async move {
            let Some(object) = self.0.get(key).execute().await.map_err(unavailable)? else {
                return Ok(None);
            };
            let size = object.size();
            let stream = match object.body() {
                Some(body) => Some(body.stream().map_err(unavailable)?),
                None => None,
            };
            let reader: Box<dyn BlobReader> = Box::new(R2Reader {
                size,
                stream: SendWrapper::new(stream),
            });
            Ok(Some(reader))
        })
        .await
    }

    async fn begin(&self, key: &str, mime: &str) -> PortResult<Box<dyn BlobWriter>> {
        SendFuture::new(async move {
            let upload = self.create(key, mime).await?;
            let writer: Box<dyn BlobWriter> = Box::new(R2Writer {
                upload: SendWrapper::new(upload),
                parts: SendWrapper::new(Vec::new()),
            });
            Ok(writer)
        })
        .await
    }

    async fn create_upload(&self, key: &str, mime: &str) -> PortResult<String> {
        SendFuture::new(async move { Ok(self.create(key, mime).await?.upload_id().await) }).await
    }

    /// The body goes to R2 as a fixed-length stream, chunk by chunk as it arrives: the
    /// part is never whole in memory, and a body shorter than declared fails the part.
    async fn upload_part(
        &self,
        key: &str,
        upload_id: &str,
        number: u16,
        body: Box<dyn BlobReader>,
    ) -> PortResult<String> {
        let size = body.size();
        let chunks = futures_util::stream::unfold(body, |mut body| async move {
            match body.chunk().await {
                Ok(Some(c)) => Some((Ok(c), body)),
                Ok(None) => None,
                Err(e) => Some((Err(worker::Error::RustError(e.to_string())), body)),
            }
        });
        let stream = FixedLengthStream::wrap(chunks, size);
        SendFuture::new(async move {
            let upload = self
                .0
                .resume_multipart_upload(key, upload_id)
                .map_err(unavailable)?;
            let part = upload
                .upload_part(number, stream)
                .await
                .map_err(unavailable)?;
            Ok(part.etag())
        })
        .await
    }

    async fn complete_upload(
        &self,
        key: &str,
        upload_id: &str,
        parts: &[(u16, String)],
    ) -> PortResult<()> {
        let parts: Vec<UploadedPart> = parts
            .iter()
            .map(|(n, etag)| UploadedPart::new(*n, etag.clone()))
            .collect();
        SendFuture::new(async move {
            let upload = self
                .0
                .resume_multipart_upload(key, upload_id)
                .map_err(unavailable)?;
            upload
                .complete(parts)
                .await
                .map(|_| ())
                .map_err(unavailable)
        })
        .await
    }

    async fn abort_upload(&self, key: &str, upload_id: &str) -> PortResult<()> {
        SendFuture::new(async move {
            let upload = self
                .0
                .resume_multipart_upload(key, upload_id)
                .map_err(unavailable)?;
            match upload.abort().await {
                Ok(()) => Ok(()),
                // Already completed, aborted, or expired: nothing left to drop.
                Err(e) if e.to_string().contains("NoSuchUpload") => Ok(()),
                Err(e) => Err(unavailable(e)),
            }
        })
        .await
    }

    async fn list(&self, prefix: &str, after: Option<&str>, limit: u32) -> PortResult<BlobPage> {
        SendFuture::new(async move {
            let mut req = self.0.list().prefix(prefix).limit(limit);
            if let Some(after) = after {
                req = req.start_after(after);
            }
            let listed = req.execute().await.map_err(unavailable)?;
            Ok(BlobPage {
                objects: listed
                    .objects()
                    .into_iter()
                    .map(|o| Listed {
                        key: o.key(),
                        uploaded_ms: i64::try_from(o.uploaded().as_millis()).unwrap_or(0),
                    })
                    .collect(),
                more: listed.truncated(),
            })
        })
        .await
    }
}

/// How much of an object one read asks for: the size of the one JS buffer reads reuse.
const READ_BYTES: usize = 256 * 1024;

/// Reads an object of `size` bytes into one buffer of that size. `body.bytes()` would hold it
/// in JS and again in wasm (measured: twice the original), and a plain chunk stream leaves a
/// JS copy of every chunk for the GC; a BYOB reader fills the buffer through one reused
/// `READ_BYTES` JS buffer.
async fn read_all(body: ObjectBody<'_>, size: usize) -> PortResult<Vec<u8>> {
    let raw = match body.response_body().map_err(unavailable)? {
        ResponseBody::Stream(raw) => raw,
        ResponseBody::Body(bytes) => return Ok(bytes),
        ResponseBody::Empty => return Ok(Vec::new()),
    };
    let stream = wasm_streams::ReadableStream::from_raw(raw.unchecked_into());
    let mut bytes = vec![0u8; size];
    match stream.try_into_async_read() {
        Ok(mut reader) => {
            let mut filled = 0;
            while filled < bytes.len() {
                let end = (filled + READ_BYTES).min(bytes.len());
                let n = reader
                    .read(&mut bytes[filled..end])
                    .await
                    .map_err(|e| PortError::Unavailable(format!("r2: read: {e}")))?;
                if n == 0 {
                    break;
                }
                filled += n;
            }
            bytes.truncate(filled);
        }
        // Not a byte stream: take its chunks as they come.
        Err((_, stream)) => {
            bytes.clear();
            let mut chunks = stream.into_stream();
            while let Some(chunk) = chunks.next().await {
                let chunk = chunk.map_err(|e| PortError::Unavailable(format!("r2: {e:?}")))?;
                bytes.extend_from_slice(&js_sys::Uint8Array::new(&chunk).to_vec());
            }
        }
    }
    Ok(bytes)
}

/// An R2 object's body as it streams in: each chunk is passed on, none is kept.
struct R2Reader {
    size: u64,
    stream: SendWrapper<Option<worker::ByteStream>>,
}

#[async_trait]
impl BlobReader for R2Reader {
    fn size(&self) -> u64 {
        self.size
    }

    async fn chunk(&mut self) -> PortResult<Option<Vec<u8>>> {
        let Some(stream) = self.stream.as_mut() else {
            return Ok(None);
        };
        SendFuture::new(stream.next())
            .await
            .transpose()
            .map_err(unavailable)
    }
}

/// An R2 multipart upload; parts are numbered from 1 in the order they are written.
struct R2Writer {
    upload: SendWrapper<MultipartUpload>,
    parts: SendWrapper<Vec<UploadedPart>>,
}

#[async_trait]
impl BlobWriter for R2Writer {
    async fn write_part(&mut self, bytes: Vec<u8>) -> PortResult<()> {
        let number = u16::try_from(self.parts.len() + 1)
            .map_err(|_| PortError::Unavailable("r2: too many parts".into()))?;
        SendFuture::new(async move {
            let part = self
                .upload
                .upload_part(number, bytes)
                .await
                .map_err(unavailable)?;
            self.parts.push(part);
            Ok(())
        })
        .await
    }

    async fn finish(self: Box<Self>) -> PortResult<()> {
        let Self { upload, parts } = *self;
        SendFuture::new(async move {
            upload
                .0
                .complete(parts.0)
                .await
                .map(|_| ())
                .map_err(unavailable)
        })
        .await
    }

    async fn abort(self: Box<Self>) -> PortResult<()> {
        SendFuture::new(async move { self.upload.abort().await.map_err(unavailable) }).await
    }
}
