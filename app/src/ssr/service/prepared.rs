//! The export built by the queue, for accounts too large for one request (`GET /export.zip`
//! refuses them past `LUMEN_ZIP_MAX_PHOTOS`). "Prepare export" records it as building and
//! queues a job; the job writes the zip into R2 part by part (a multipart upload, so the
//! Worker holds one part and one chunk of an original at a time, never the archive) and
//! records it ready with a day to live. Only its owner downloads it; the cron removes it.

use crate::error::LumenError;
use crate::model::PreparedExport;
use crate::ssr::access;
use crate::ssr::auth::Session;
use crate::ssr::jobs::JobOutcome;
use crate::ssr::keys;
use crate::ssr::ports::{
    BlobReader, ExportRow, ExportStatus, MediaJob, PortError, PortResult, MIN_PART_BYTES,
};
use crate::ssr::service::export::{all_photos, write_json_and_plan, KEEP_MS};
use crate::ssr::zip::ZipWriter;
use crate::ssr::Platform;

/// A prepare while one is being built does nothing for this long (a lost job: try again).
const BUILDING_FOR_MS: i64 = 60 * 60 * 1000;

/// Records the export as building and queues its job.
pub async fn prepare(p: &Platform, s: &Session) -> Result<(), LumenError> {
    let now = p.clock.now_ms();
    let user_id = &s.user.id;
    if let Some(e) = p.trash.export_of(user_id).await? {
        if e.status == ExportStatus::Building && now - e.created_at < BUILDING_FOR_MS {
            return Ok(());
        }
    }
    let row = ExportRow {
        r2_key: keys::export_zip(user_id),
        status: ExportStatus::Building,
        bytes: 0,
        created_at: now,
        expires_at: now + KEEP_MS,
    };
    p.trash.put_export(user_id, &row).await?;
    let job = MediaJob::ExportV1 {
        user_id: user_id.clone(),
    };
    if let Err(e) = p.jobs.send(&job).await {
        p.trash.forget_export(user_id).await?;
        return Err(e.into());
    }
    Ok(())
}

/// What the settings page shows: nothing, building, failed, or the link and its expiry.
pub async fn status(p: &Platform, s: &Session) -> Result<Option<PreparedExport>, LumenError> {
    let now = p.clock.now_ms();
    let Some(e) = p.trash.export_of(&s.user.id).await? else {
        return Ok(None);
    };
    // `GET /export.zip` records its JSON in the same row: not a prepared zip.
    if e.r2_key != keys::export_zip(&s.user.id) || e.expires_at <= now {
        return Ok(None);
    }
    Ok(Some(PreparedExport {
        status: e.status.as_str().to_string(),
        url: (e.status == ExportStatus::Ready).then(|| keys::export_url(&s.user.id)),
        bytes: e.bytes,
        expires_in_hours: ((e.expires_at - now) as u64).div_ceil(3_600_000),
    }))
}

/// The prepared zip of `owner_id` for its download, or `NotFound` (someone else's, not
/// ready, expired, or never made).
pub async fn open(
    p: &Platform,
    viewer: Option<&Session>,
    owner_id: &str,
) -> Result<(String, Box<dyn BlobReader>), LumenError> {
    access::check_export(viewer.map(|s| s.user.id.as_str()), owner_id)?;
    let e = p
        .trash
        .export_of(owner_id)
        .await?
        .ok_or(LumenError::NotFound)?;
    let key = keys::export_zip(owner_id);
    if e.status != ExportStatus::Ready || e.r2_key != key || e.expires_at <= p.clock.now_ms() {
        return Err(LumenError::NotFound);
    }
    let reader = p.blobs.open(&key).await?.ok_or(LumenError::NotFound)?;
    let name = viewer.map_or("export", |s| s.user.username.as_str());
    Ok((format!("lumen-{name}.zip"), reader))
}

/// The job: builds the zip of `user_id`'s export in R2. `Err` is transient (the queue
/// retries; the dead-letter queue marks it failed, [`failed`]).
pub async fn build(p: &Platform, user_id: &str) -> PortResult<JobOutcome> {
    let Some(e) = p.trash.export_of(user_id).await? else {
        return Ok(JobOutcome::Skipped);
    };
    let Some(user) = p.users.by_id(user_id).await? else {
        return Ok(JobOutcome::Skipped);
    };
    if e.status != ExportStatus::Building || e.r2_key != keys::export_zip(user_id) {
        return Ok(JobOutcome::Skipped);
    }
    let failed = |e: LumenError| PortError::Unavailable(format!("export of {user_id}: {e:?}"));
    let rows = all_photos(p, user_id).await.map_err(failed)?;
    let d = write_json_and_plan(p, &user, &rows, p.clock.now_ms())
        .await
        .map_err(failed)?;
    let total = d.plan.total_len();
    let mut out = p.blobs.begin(&e.r2_key, "application/zip").await?;
    let written = write_zip(p, ZipWriter::new(d.plan), &d.keys, out.as_mut()).await;
    match written {
        Ok(()) => out.finish().await?,
        Err(err) => {
            if let Err(a) = out.abort().await {
                leptos::logging::warn!("export of {user_id}: abort failed: {a}");
            }
            return Err(err);
        }
    }
    let now = p.clock.now_ms();
    let ready = ExportRow {
        status: ExportStatus::Ready,
        bytes: total,
        expires_at: now + KEEP_MS,
        ..e
    };
    p.trash.put_export(user_id, &ready).await?;
    Ok(JobOutcome::Exported { bytes: total })
}

/// The dead-letter queue's part: the export will not be built.
pub async fn failed(p: &Platform, user_id: &str) -> PortResult<bool> {
    let Some(e) = p.trash.export_of(user_id).await? else {
        return Ok(false);
    };
    if e.status != ExportStatus::Building {
        return Ok(false);
    }
    let row = ExportRow {
        status: ExportStatus::Failed,
        ..e
    };
    p.trash.put_export(user_id, &row).await?;
    Ok(true)
}

/// Streams the planned archive into `out` in parts of exactly [`MIN_PART_BYTES`] (R2 wants
/// every part but the last the same size), holding at most one part and one chunk.
async fn write_zip(
    p: &Platform,
    mut zip: ZipWriter,
    sources: &[String],
    out: &mut dyn crate::ssr::ports::BlobWriter,
) -> PortResult<()> {
    let bad = |e: crate::ssr::zip::ZipError| PortError::Unavailable(format!("zip: {e:?}"));
    let mut parts = Parts::default();
    for (i, key) in sources.iter().enumerate() {
        parts.push(out, &zip.start_entry(i).map_err(bad)?).await?;
        let mut reader = p
            .blobs
            .open(key)
            .await?
            .ok_or_else(|| PortError::Unavailable(format!("{key} is missing")))?;
        while let Some(chunk) = reader.chunk().await? {
            zip.data(&chunk).map_err(bad)?;
            parts.push(out, &chunk).await?;
        }
        parts.push(out, &zip.finish_entry().map_err(bad)?).await?;
    }
    parts.push(out, &zip.finish().map_err(bad)?).await?;
    if !parts.buf.is_empty() {
        out.write_part(std::mem::take(&mut parts.buf)).await?;
    }
    Ok(())
}

#[derive(Default)]
struct Parts {
    buf: Vec<u8>,
}

impl Parts {
    async fn push(
        &mut self,
        out: &mut dyn crate::ssr::ports::BlobWriter,
        bytes: &[u8],
    ) -> PortResult<()> {
        let mut rest = bytes;
        while !rest.is_empty() {
            let room = MIN_PART_BYTES - self.buf.len();
            let (now, later) = rest.split_at(room.min(rest.len()));
            self.buf.extend_from_slice(now);
            rest = later;
            if self.buf.len() == MIN_PART_BYTES {
                let part = std::mem::replace(&mut self.buf, Vec::with_capacity(MIN_PART_BYTES));
                out.write_part(part).await?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PhotoStatus;
    use crate::ssr::fakes::{block_on, fake_platform, pending_row, session};
    use crate::ssr::jobs::process_job;

    /// Prepare → the queued job writes the zip in 5 MiB parts (two originals of 4 and
    /// 3 MiB make a full part and the rest) holding every original as stored; only its owner
    /// opens it; after a day the sweep removes the object and the link is gone.
    #[test]
    fn a_prepared_export_is_built_in_parts_for_its_owner_only_and_expires() {
        let (p, mem) = fake_platform();
        let ada = session(&p, "u1", "ada");
        let bob = session(&p, "u2", "bob");
        let sizes = [4 << 20, 3 << 20];
        for (i, n) in sizes.into_iter().enumerate() {
            let id = format!("p{i}");
            let mut row = pending_row(&id, i as i64 + 1);
            row.status = PhotoStatus::Ready;
            row.bytes = n as u64;
            mem.insert(row);
            mem.put_blob(&keys::original("u1", &id), vec![i as u8 + 7; n]);
        }
        assert_eq!(block_on(status(&p, &ada)).unwrap(), None);
        block_on(prepare(&p, &ada)).unwrap();
        block_on(prepare(&p, &ada)).unwrap();
        let job = MediaJob::ExportV1 {
            user_id: "u1".into(),
        };
        assert_eq!(
            mem.jobs.sent(),
            std::slice::from_ref(&job),
            "a second prepare while building waits"
        );
        let building = block_on(status(&p, &ada)).unwrap().unwrap();
        assert_eq!((building.status.as_str(), building.url), ("building", None));
        assert!(matches!(
            block_on(open(&p, Some(&ada), "u1")),
            Err(LumenError::NotFound)
        ));

        let out = block_on(process_job(&p, &job)).unwrap();
        let zip = mem.blobs.get(&keys::export_zip("u1")).unwrap();
        assert_eq!(
            out,
            JobOutcome::Exported {
                bytes: zip.len() as u64
            }
        );
        let parts = mem.blobs.parts_of(&keys::export_zip("u1")).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0], MIN_PART_BYTES);
        for (i, n) in sizes.into_iter().enumerate() {
            let original = vec![i as u8 + 7; n];
            assert!(zip.windows(n).any(|w| w == original.as_slice()));
        }
        assert_eq!(mem.blobs.open_uploads(), 0);
        let ready = block_on(status(&p, &ada)).unwrap().unwrap();
        assert_eq!(ready.url.as_deref(), Some("/exports/u1"));
        assert_eq!(
            (ready.status.as_str(), ready.expires_in_hours),
            ("ready", 24)
        );
        assert!(block_on(open(&p, Some(&ada), "u1")).is_ok());
        for who in [Some(&bob), None] {
            assert!(matches!(
                block_on(open(&p, who, "u1")),
                Err(LumenError::NotFound)
            ));
        }
        assert_eq!(
            block_on(process_job(&p, &job)).unwrap(),
            JobOutcome::Skipped
        );

        mem.advance(KEEP_MS + 1);
        assert!(matches!(
            block_on(open(&p, Some(&ada), "u1")),
            Err(LumenError::NotFound)
        ));
        assert_eq!(block_on(status(&p, &ada)).unwrap(), None);
        let now = p.clock.now_ms();
        assert_eq!(
            block_on(crate::ssr::service::export::sweep(&p, now)).unwrap(),
            1
        );
        assert!(!mem.blobs.contains(&keys::export_zip("u1")));
        assert!(!mem.blobs.contains(&keys::export_json("u1")));
        assert_eq!(block_on(p.trash.export_of("u1")).unwrap(), None);
    }

    /// A storage failure half-way leaves no object and no open upload; the queue retries,
    /// and the dead-letter queue marks it failed.
    #[test]
    fn a_failed_build_leaves_nothing_and_the_dead_letter_marks_it() {
        let (p, mem) = fake_platform();
        let ada = session(&p, "u1", "ada");
        let mut row = pending_row("gone", 1);
        row.status = PhotoStatus::Ready;
        mem.insert(row);
        block_on(prepare(&p, &ada)).unwrap();
        let job = MediaJob::ExportV1 {
            user_id: "u1".into(),
        };
        assert!(
            block_on(process_job(&p, &job)).is_err(),
            "its original is missing"
        );
        assert!(!mem.blobs.contains(&keys::export_zip("u1")));
        assert_eq!(mem.blobs.open_uploads(), 0);
        assert!(block_on(crate::ssr::service::jobs::dead_letter(&p, &job)).unwrap());
        let s = block_on(status(&p, &ada)).unwrap().unwrap();
        assert_eq!((s.status.as_str(), s.url), ("failed", None));
    }
}
