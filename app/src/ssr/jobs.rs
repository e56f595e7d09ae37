//! The media job: R2 original → `media` → R2 variants → D1 `ready` (or `failed`).
//! Idempotent: it reloads the row, skips finished work and writes deterministic keys,
//! so a redelivered message changes nothing.

use media::wire::{Meta, Settings};

use crate::model::PhotoStatus;
use crate::ssr::keys;
use crate::ssr::platform::Processing;
use crate::ssr::ports::{
    MediaJob, MediaService, PhotoRow, PortError, PortResult, RenderError, Rendition, VariantRow,
};
use crate::ssr::service::cache;
use crate::ssr::Platform;

/// Bump when the pipeline's output changes, so new renders get new (immutable) URLs.
pub const PIPELINE_VERSION: &str = "v1";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobOutcome {
    Ready {
        variants: usize,
    },
    Failed {
        reason: String,
    },
    /// Nothing to do: already finished, or the photo no longer exists.
    Skipped,
    /// A queued purge of the edge cache went through.
    Purged,
    /// A person's export zip is in R2 (`service::prepared`).
    Exported {
        bytes: u64,
    },
}

/// Runs one job. `Err` is transient (storage or media service unavailable): the caller
/// retries.
pub async fn process_job(p: &Platform, job: &MediaJob) -> PortResult<JobOutcome> {
    let photo_id = match job {
        MediaJob::ProcessV1 { photo_id } => photo_id,
        MediaJob::PurgeV1 { tags } => {
            return cache::retry(p, tags).await.map(|()| JobOutcome::Purged)
        }
        MediaJob::ExportV1 { user_id } => {
            return crate::ssr::service::prepared::build(p, user_id).await
        }
    };
    let Some(row) = p.photos.get(photo_id).await? else {
        return Ok(JobOutcome::Skipped);
    };
    if row.status != PhotoStatus::Pending {
        return Ok(JobOutcome::Skipped);
    }
    let spec = spec_for(&row);
    match &p.processing {
        Processing::Worker => in_worker(p, &row, &spec).await,
        Processing::Service(service) => on_service(p, &row, &spec, service.as_ref()).await,
        Processing::Misconfigured(reason) => fail(p, &row, reason).await,
    }
}

/// What the job asks of the pipeline, whichever backend runs it.
pub fn spec_for(row: &PhotoRow) -> media::Spec {
    media::Spec {
        watermark: row.watermark.then(|| {
            format!(
                "© {} · Lumen",
                row.owner_username.as_deref().unwrap_or("Lumen")
            )
        }),
        ..media::Spec::default()
    }
}

/// `worker`: the pipeline runs here, in wasm.
async fn in_worker(p: &Platform, row: &PhotoRow, spec: &media::Spec) -> PortResult<JobOutcome> {
    // Read whole, a resumable upload's original would not fit the isolate: refused by size
    // before a byte of it is read.
    if row.bytes > spec.max_bytes as u64 {
        return fail(p, row, TOO_LARGE_FOR_WORKER).await;
    }
    let Some(original) = p.blobs.get(&keys::original(&row.owner_id, &row.id)).await? else {
        return fail(p, row, MISSING).await;
    };
    let out = match media::process(&original.bytes, spec) {
        Ok(out) => out,
        Err(e) => return fail(p, row, &e.user_message()).await,
    };
    drop(original);
    let meta = Meta::of(&out);
    let rev = rev_of(&meta.sha256);
    for (v, bytes) in meta.variants.iter().zip(out.variants) {
        let key = keys::variant(&row.id, &rev, v.width, &v.ext);
        p.blobs.put(&key, bytes.bytes, &v.mime).await?;
    }
    ready(p, row, meta, rev).await
}

/// `service`: the native media service renders; this isolate only moves bytes it never
/// reads from the service's answer to R2, and records the metadata.
async fn on_service(
    p: &Platform,
    row: &PhotoRow,
    spec: &media::Spec,
    service: &dyn MediaService,
) -> PortResult<JobOutcome> {
    let key = keys::original(&row.owner_id, &row.id);
    let rendered = match service.render(&key, &Settings::of(spec)).await {
        Ok(rendered) => rendered,
        Err(RenderError::Refused(reason)) => return fail(p, row, &reason).await,
        Err(RenderError::Transient(why)) => {
            // Recorded while the photo is pending (an admin sees why it waits), then retried.
            // Only the kind of failure (a status, "unreachable"): the rest may be the answer's
            // text, which is for the log, not for a row that readers of the photo receive.
            let kind = why.split([' ', ':']).next().unwrap_or_default();
            let note = format!("Waiting for the media service ({kind}); it will be tried again.");
            if let Err(e) = p.photos.note_retry(&row.id, &note).await {
                leptos::logging::warn!("photo {}: retry note not written: {e}", row.id);
            }
            return Err(PortError::Unavailable(format!("media service: {why}")));
        }
    };
    let meta = rendered.meta().clone();
    let rev = rev_of(&meta.sha256);
    for (i, v) in meta.variants.iter().enumerate() {
        rendered
            .store(i, &keys::variant(&row.id, &rev, v.width, &v.ext))
            .await?;
    }
    ready(p, row, meta, rev).await
}

const MISSING: &str = "The original file is missing.";
pub const TOO_LARGE_FOR_WORKER: &str =
    "This file is too large to process on the Worker; configure the media service.";

fn rev_of(sha256: &str) -> String {
    format!("{PIPELINE_VERSION}-{}", sha256.get(..12).unwrap_or(sha256))
}

/// Records the rendition (its variants are stored) and marks the photo ready.
async fn ready(p: &Platform, row: &PhotoRow, meta: Meta, rev: String) -> PortResult<JobOutcome> {
    let thumbhash = meta.thumbhash_bytes();
    let variants: Vec<VariantRow> = meta
        .variants
        .into_iter()
        .map(|v| VariantRow {
            photo_id: row.id.clone(),
            width: v.width,
            height: v.height,
            r2_key: keys::variant(&row.id, &rev, v.width, &v.ext),
            mime: v.mime,
            bytes: v.len,
        })
        .collect();
    let [r, g, b, _] = meta.average_rgba;
    let rendition = Rendition {
        width: meta.width,
        height: meta.height,
        sha256: meta.sha256,
        rev,
        placeholder: format!("#{r:02x}{g:02x}{b:02x}"),
        thumbhash,
        exif_json: meta.exif_json,
        gps_json: meta.gps_json,
        variants,
    };
    let n = rendition.variants.len();
    p.photos.mark_ready(&row.id, &rendition).await?;
    // The seed's last step: what showed the photo pending (or not at all) goes now.
    cache::photo_changed(p, row).await;
    Ok(JobOutcome::Ready { variants: n })
}

async fn fail(p: &Platform, row: &PhotoRow, reason: &str) -> PortResult<JobOutcome> {
    p.photos.mark_failed(&row.id, reason).await?;
    cache::photo_changed(p, row).await;
    Ok(JobOutcome::Failed {
        reason: reason.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssr::fakes::{block_on, fake_platform, pending_row, png_bytes};

    fn job(id: &str) -> MediaJob {
        MediaJob::ProcessV1 {
            photo_id: id.into(),
        }
    }

    #[test]
    fn renders_variants_and_marks_ready() {
        let (p, mem) = fake_platform();
        mem.insert(pending_row("p1", 1));
        mem.put_blob(&keys::original("u1", "p1"), png_bytes(700, 400));
        let out = block_on(process_job(&p, &job("p1"))).unwrap();
        assert_eq!(out, JobOutcome::Ready { variants: 3 });
        let row = mem.photo("p1").unwrap();
        assert_eq!(row.status, PhotoStatus::Ready);
        assert_eq!((row.width, row.height), (Some(700), Some(400)));
        let widths: Vec<u32> = mem.variants_of("p1").iter().map(|v| v.width).collect();
        assert_eq!(widths, [320, 640, 700], "never upscaled");
        // Redelivery: nothing new is written.
        let blobs = mem.blobs.len();
        assert_eq!(
            block_on(process_job(&p, &job("p1"))).unwrap(),
            JobOutcome::Skipped
        );
        assert_eq!(mem.blobs.len(), blobs);
        assert_eq!(mem.variants_of("p1").len(), 3);
    }

    #[test]
    fn an_original_over_the_workers_limit_fails_unread() {
        let (p, mem) = fake_platform();
        let mut row = pending_row("p1", 1);
        row.bytes = media::Spec::default().max_bytes as u64 + 1;
        mem.insert(row);
        let out = block_on(process_job(&p, &job("p1"))).unwrap();
        assert_eq!(
            out,
            JobOutcome::Failed {
                reason: TOO_LARGE_FOR_WORKER.into()
            },
            "refused by its size, before reading the (absent) original"
        );
    }

    #[test]
    fn undecodable_original_fails_with_reason() {
        let (p, mem) = fake_platform();
        mem.insert(pending_row("p1", 1));
        let mut broken = png_bytes(64, 64);
        broken.truncate(60);
        mem.put_blob(&keys::original("u1", "p1"), broken);
        let out = block_on(process_job(&p, &job("p1"))).unwrap();
        assert!(matches!(out, JobOutcome::Failed { .. }), "{out:?}");
        let row = mem.photo("p1").unwrap();
        assert_eq!(row.status, PhotoStatus::Failed);
        assert!(row.failure.is_some_and(|f| !f.is_empty()));
    }

    #[test]
    fn missing_original_or_row() {
        let (p, mem) = fake_platform();
        assert_eq!(
            block_on(process_job(&p, &job("gone"))).unwrap(),
            JobOutcome::Skipped
        );
        mem.insert(pending_row("p1", 1));
        let out = block_on(process_job(&p, &job("p1"))).unwrap();
        assert!(matches!(out, JobOutcome::Failed { .. }));
    }

    /// The service as the Worker sees it: the real pipeline behind the real wire format.
    struct FakeService {
        blobs: std::sync::Arc<dyn crate::ssr::ports::BlobStore>,
        answer: Option<RenderError>,
    }

    struct FakeRendered {
        meta: Meta,
        bodies: Vec<Vec<u8>>,
        blobs: std::sync::Arc<dyn crate::ssr::ports::BlobStore>,
    }

    #[async_trait::async_trait]
    impl MediaService for FakeService {
        async fn render(
            &self,
            original_key: &str,
            settings: &Settings,
        ) -> Result<Box<dyn crate::ssr::ports::Rendered>, RenderError> {
            if let Some(e) = &self.answer {
                return Err(e.clone());
            }
            let Ok(Some(original)) = self.blobs.get(original_key).await else {
                return Err(RenderError::Refused(MISSING.into()));
            };
            let spec = settings.apply(&media::Spec::default());
            let out = media::process(&original.bytes, &spec)
                .map_err(|e| RenderError::Refused(e.user_message()))?;
            let body = media::wire::encode_response(&out);
            let len = media::wire::meta_len(&body).map_err(RenderError::Transient)?;
            let json = &body[media::wire::PREFIX_LEN..media::wire::PREFIX_LEN + len];
            let (meta, spans) =
                media::wire::parse_meta(json, body.len()).map_err(RenderError::Transient)?;
            let bodies = spans
                .iter()
                .map(|&(at, n)| body[at..at + n].to_vec())
                .collect();
            Ok(Box::new(FakeRendered {
                meta,
                bodies,
                blobs: self.blobs.clone(),
            }))
        }
    }

    #[async_trait::async_trait]
    impl crate::ssr::ports::Rendered for FakeRendered {
        fn meta(&self) -> &Meta {
            &self.meta
        }
        async fn store(&self, index: usize, key: &str) -> PortResult<()> {
            let v = &self.meta.variants[index];
            self.blobs
                .put(key, self.bodies[index].clone(), &v.mime)
                .await
        }
    }

    fn on_service(
        p: &mut Platform,
        answer: Option<RenderError>,
    ) -> std::sync::Arc<dyn MediaService> {
        let service: std::sync::Arc<dyn MediaService> = std::sync::Arc::new(FakeService {
            blobs: p.blobs.clone(),
            answer,
        });
        p.processing = Processing::Service(service.clone());
        service
    }

    #[test]
    fn service_mode_stores_what_worker_mode_stores() {
        let run = |service: bool| {
            let (mut p, mem) = fake_platform();
            if service {
                on_service(&mut p, None);
            }
            let mut row = pending_row("p1", 1);
            row.watermark = true;
            row.owner_username = Some("ada".into());
            mem.insert(row);
            mem.put_blob(&keys::original("u1", "p1"), png_bytes(900, 700));
            let out = block_on(process_job(&p, &job("p1"))).unwrap();
            assert_eq!(out, JobOutcome::Ready { variants: 3 });
            let variants = mem.variants_of("p1");
            let bytes: Vec<Vec<u8>> = variants
                .iter()
                .map(|v| block_on(p.blobs.get(&v.r2_key)).unwrap().unwrap().bytes)
                .collect();
            (mem.photo("p1").unwrap(), variants, bytes)
        };
        let (worker, service) = (run(false), run(true));
        assert_eq!(worker, service);
        assert_eq!(worker.0.status, PhotoStatus::Ready);
    }

    #[test]
    fn service_refusals_fail_the_photo_and_outages_retry() {
        let (mut p, mem) = fake_platform();
        mem.insert(pending_row("p1", 1));
        mem.put_blob(&keys::original("u1", "p1"), png_bytes(64, 64));
        on_service(&mut p, Some(RenderError::Transient("503 busy".into())));
        assert!(block_on(process_job(&p, &job("p1"))).is_err());
        let row = mem.photo("p1").unwrap();
        assert_eq!(row.status, PhotoStatus::Pending);
        assert_eq!(
            row.failure.as_deref(),
            Some("Waiting for the media service (503); it will be tried again."),
            "the wait is noted, without the answer's text"
        );

        let why = "The media service refused this Worker's signature.";
        on_service(&mut p, Some(RenderError::Refused(why.into())));
        let out = block_on(process_job(&p, &job("p1"))).unwrap();
        assert_eq!(out, JobOutcome::Failed { reason: why.into() });
        let row = mem.photo("p1").unwrap();
        assert_eq!(row.status, PhotoStatus::Failed);
        assert_eq!(row.failure.as_deref(), Some(why));
        assert!(mem.variants_of("p1").is_empty());
    }

    #[test]
    fn a_misconfigured_backend_fails_the_photo_with_its_reason() {
        let (mut p, mem) = fake_platform();
        mem.insert(pending_row("p1", 1));
        mem.put_blob(&keys::original("u1", "p1"), png_bytes(64, 64));
        let why = "LUMEN_PROCESSING is \"service\" but LUMEN_SERVICE_URL is not set.";
        p.processing = Processing::Misconfigured(why.into());
        let out = block_on(process_job(&p, &job("p1"))).unwrap();
        assert_eq!(out, JobOutcome::Failed { reason: why.into() });
        assert_eq!(mem.photo("p1").unwrap().failure.as_deref(), Some(why));
    }

    #[test]
    fn storage_outage_is_transient() {
        let (p, mem) = fake_platform();
        mem.insert(pending_row("p1", 1));
        mem.put_blob(&keys::original("u1", "p1"), png_bytes(10, 10));
        mem.fail_blobs(true);
        assert!(block_on(process_job(&p, &job("p1"))).is_err());
        assert_eq!(mem.photo("p1").unwrap().status, PhotoStatus::Pending);
    }
}
