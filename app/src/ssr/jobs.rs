//! The media job: R2 original → `media` → R2 variants → D1 `ready` (or `failed`).
//! Idempotent: it reloads the row, skips finished work and writes deterministic keys,
//! so a redelivered message changes nothing.

use crate::model::PhotoStatus;
use crate::ssr::keys;
use crate::ssr::ports::{MediaJob, PortResult, Rendition, VariantRow};
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
}

/// Runs one job. `Err` is transient (storage unavailable): the caller retries.
pub async fn process_job(p: &Platform, job: &MediaJob) -> PortResult<JobOutcome> {
    let MediaJob::ProcessV1 { photo_id } = job;
    let Some(row) = p.photos.get(photo_id).await? else {
        return Ok(JobOutcome::Skipped);
    };
    if row.status != PhotoStatus::Pending {
        return Ok(JobOutcome::Skipped);
    }
    let Some(original) = p.blobs.get(&keys::original(&row.owner_id, &row.id)).await? else {
        return fail(p, &row.id, "The original file is missing.").await;
    };
    let spec = media::Spec {
        watermark: row.watermark.then(|| {
            format!(
                "© {} · Lumen",
                row.owner_username.as_deref().unwrap_or("Lumen")
            )
        }),
        ..media::Spec::default()
    };
    let out = match media::process(&original.bytes, &spec) {
        Ok(out) => out,
        Err(e) => return fail(p, &row.id, &e.user_message()).await,
    };
    drop(original);
    let rev = format!(
        "{PIPELINE_VERSION}-{}",
        out.sha256.get(..12).unwrap_or(&out.sha256)
    );
    let mut variants = Vec::with_capacity(out.variants.len());
    for v in out.variants {
        let key = keys::variant(&row.id, &rev, v.width, v.ext);
        let bytes = v.bytes.len() as u64;
        p.blobs.put(&key, v.bytes, v.mime).await?;
        variants.push(VariantRow {
            photo_id: row.id.clone(),
            width: v.width,
            height: v.height,
            mime: v.mime.to_string(),
            r2_key: key,
            bytes,
        });
    }
    let [r, g, b, _] = out.average_rgba;
    let rendition = Rendition {
        width: out.width,
        height: out.height,
        sha256: out.sha256,
        rev,
        placeholder: format!("#{r:02x}{g:02x}{b:02x}"),
        thumbhash: out.thumbhash,
        exif_json: serde_json::to_string(&out.exif).unwrap_or_default(),
        gps_json: out.gps.and_then(|g| serde_json::to_string(&g).ok()),
        variants,
    };
    let n = rendition.variants.len();
    p.photos.mark_ready(&row.id, &rendition).await?;
    Ok(JobOutcome::Ready { variants: n })
}

async fn fail(p: &Platform, id: &str, reason: &str) -> PortResult<JobOutcome> {
    p.photos.mark_failed(id, reason).await?;
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
