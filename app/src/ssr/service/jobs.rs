//! The media job's record around each delivery, the dead-letter queue, and the cron's
//! re-send of lost jobs (issue 15). The job itself is `ssr::jobs::process_job`.

use crate::model::PhotoStatus;
use crate::ssr::jobs::{process_job, JobOutcome};
use crate::ssr::ports::{JobState, Key, MediaJob, PortResult};
use crate::ssr::Platform;

/// Deliveries before a job has given up: the first and wrangler.toml's `max_retries = 5`.
pub const MAX_ATTEMPTS: u32 = 6;
/// A job normally finishes in seconds; pending longer than this, it was probably lost.
pub const STALE_AFTER_MS: i64 = 10 * 60 * 1000;
/// Rows per cron page, and pages per cron run (the run stays short).
pub const CRON_PAGE: u32 = 50;
pub const CRON_PAGES: u32 = 4;

/// What the photo says once the queue has given up on its job.
pub const DEAD_REASON: &str =
    "Processing kept failing, so it stopped. An admin can run it again once the cause is fixed.";

impl MediaJob {
    /// The job that renders `photo_id`.
    pub fn process(photo_id: &str) -> Self {
        Self::ProcessV1 {
            photo_id: photo_id.into(),
        }
    }
}

/// One delivery of `job`, recorded: one more attempt, then done, failed (with the reason)
/// or queued again with the transient error (`Err`, which the consumer retries).
/// `mem_mib` reads the isolate's memory when the job ends.
pub async fn deliver(
    p: &Platform,
    job: &MediaJob,
    mem_mib: impl Fn() -> u32,
) -> PortResult<JobOutcome> {
    let MediaJob::ProcessV1 { photo_id } = job else {
        // A cache purge has no job record: it is done or retried by the queue.
        return process_job(p, job).await;
    };
    let pending = p
        .photos
        .get(photo_id)
        .await?
        .is_some_and(|row| row.status == PhotoStatus::Pending);
    if !pending {
        // Finished, failed or gone: a redelivery changes nothing, the record included.
        return Ok(JobOutcome::Skipped);
    }
    p.job_records.start(photo_id, p.clock.now_ms()).await?;
    let outcome = process_job(p, job).await;
    let now = p.clock.now_ms();
    match &outcome {
        Ok(JobOutcome::Ready { .. }) => {
            p.job_records
                .finish(photo_id, JobState::Done, None, mem_mib(), now)
                .await?
        }
        Ok(JobOutcome::Failed { reason }) => {
            p.job_records
                .finish(photo_id, JobState::Failed, Some(reason), mem_mib(), now)
                .await?
        }
        Ok(JobOutcome::Skipped | JobOutcome::Purged | JobOutcome::Exported { .. }) => {}
        Err(e) => {
            // The record keeps the error for the console; the queue retries.
            if let Err(w) = p.job_records.retry(photo_id, &e.to_string(), now).await {
                leptos::logging::warn!("job {photo_id}: retry not recorded: {w}");
            }
        }
    }
    outcome
}

/// A message the queue gave up on (the dead-letter queue's consumer): the job is dead and
/// the photo failed with a reason, so nothing stays "processing" forever. Idempotent, and a
/// photo a later delivery finished stays as it is. Returns whether anything changed.
pub async fn dead_letter(p: &Platform, job: &MediaJob) -> PortResult<bool> {
    let photo_id = match job {
        MediaJob::ProcessV1 { photo_id } => photo_id,
        MediaJob::ExportV1 { user_id } => return super::prepared::failed(p, user_id).await,
        MediaJob::PurgeV1 { .. } => {
            // A purge the queue gave up on: the copies expire with their `s-maxage`.
            leptos::logging::warn!("dead letter: {job:?} dropped");
            return Ok(false);
        }
    };
    let changed = p
        .job_records
        .dead(photo_id, DEAD_REASON, p.clock.now_ms())
        .await?;
    if changed {
        p.photos.mark_failed(photo_id, DEAD_REASON).await?;
    }
    Ok(changed)
}

/// The cron: re-sends the jobs of photos pending too long whose job was lost, skipping
/// those that have given up (attempts, dead) and walking on past them page by page, so
/// poison photos never crowd out a lost one. Returns how many were sent.
pub async fn resend_lost(p: &Platform) -> PortResult<u32> {
    let before = p.clock.now_ms() - STALE_AFTER_MS;
    let mut after: Option<Key> = None;
    let mut sent = 0;
    for _ in 0..CRON_PAGES {
        let page = p
            .job_records
            .lost(before, MAX_ATTEMPTS, after.as_ref(), CRON_PAGE)
            .await?;
        for (_, photo_id) in &page {
            match p.jobs.send(&MediaJob::process(photo_id)).await {
                Ok(()) => sent += 1,
                Err(e) => leptos::logging::warn!("cron: re-send of {photo_id} failed: {e}"),
            }
        }
        if page.len() < CRON_PAGE as usize {
            break;
        }
        after = page.last().cloned();
    }
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssr::fakes::{block_on, fake_platform, pending_row, png_bytes};
    use crate::ssr::keys;

    fn job(id: &str) -> MediaJob {
        MediaJob::process(id)
    }

    #[test]
    fn a_job_runs_is_recorded_and_a_redelivery_changes_nothing() {
        let (p, mem) = fake_platform();
        mem.insert(pending_row("p1", 5));
        mem.put_blob(&keys::original("u1", "p1"), png_bytes(64, 48));
        mem.now.store(100, std::sync::atomic::Ordering::SeqCst);
        let out = block_on(deliver(&p, &job("p1"), || 42)).unwrap();
        assert!(matches!(out, JobOutcome::Ready { .. }));
        let rec = mem.job("p1").unwrap();
        assert_eq!(
            (rec.state, rec.attempts, rec.queued_at, rec.mem_mib),
            (JobState::Done, 1, 5, Some(42))
        );
        assert_eq!((rec.started_at, rec.finished_at), (Some(100), Some(100)));
        // Redelivered after it finished: skipped, the record untouched.
        assert_eq!(
            block_on(deliver(&p, &job("p1"), || 1)).unwrap(),
            JobOutcome::Skipped
        );
        assert_eq!(mem.job("p1").unwrap(), rec);
    }

    #[test]
    fn a_refused_photo_fails_and_an_outage_is_retried_then_dead_lettered() {
        let (p, mem) = fake_platform();
        mem.insert(pending_row("bad", 1));
        let out = block_on(deliver(&p, &job("bad"), || 1)).unwrap();
        assert!(matches!(out, JobOutcome::Failed { .. }));
        let rec = mem.job("bad").unwrap();
        assert_eq!(rec.state, JobState::Failed);
        assert_eq!(rec.last_error, mem.photo("bad").unwrap().failure);

        mem.insert(pending_row("p1", 1));
        mem.put_blob(&keys::original("u1", "p1"), png_bytes(10, 10));
        mem.fail_blobs(true);
        for attempt in 1..=MAX_ATTEMPTS {
            assert!(block_on(deliver(&p, &job("p1"), || 1)).is_err());
            let rec = mem.job("p1").unwrap();
            assert_eq!((rec.state, rec.attempts), (JobState::Queued, attempt));
            assert!(rec.last_error.is_some());
        }
        assert_eq!(mem.photo("p1").unwrap().status, PhotoStatus::Pending);
        // The queue gives up: dead, and the photo failed with the reason.
        assert!(block_on(dead_letter(&p, &job("p1"))).unwrap());
        assert_eq!(mem.job("p1").unwrap().state, JobState::Dead);
        let photo = mem.photo("p1").unwrap();
        assert_eq!(photo.status, PhotoStatus::Failed);
        assert_eq!(photo.failure.as_deref(), Some(DEAD_REASON));
        // A second dead letter, or one for a finished or missing photo, changes nothing.
        assert!(!block_on(dead_letter(&p, &job("p1"))).unwrap());
        assert!(!block_on(dead_letter(&p, &job("bad"))).unwrap());
        assert_eq!(mem.job("bad").unwrap().state, JobState::Failed);
        assert!(!block_on(dead_letter(&p, &job("gone"))).unwrap());
        assert!(mem.job("gone").is_none());
    }

    #[test]
    fn a_dead_letter_after_a_late_success_leaves_the_photo_ready() {
        let (p, mem) = fake_platform();
        mem.insert(pending_row("p1", 1));
        mem.put_blob(&keys::original("u1", "p1"), png_bytes(10, 10));
        block_on(deliver(&p, &job("p1"), || 1)).unwrap();
        assert!(!block_on(dead_letter(&p, &job("p1"))).unwrap());
        assert_eq!(mem.photo("p1").unwrap().status, PhotoStatus::Ready);
        assert_eq!(mem.job("p1").unwrap().state, JobState::Done);
    }

    #[test]
    fn the_cron_skips_what_gave_up_and_pages_past_it() {
        let (p, mem) = fake_platform();
        mem.now
            .store(STALE_AFTER_MS + 10_000, std::sync::atomic::Ordering::SeqCst);
        mem.fail_blobs(true);
        // 120 poison photos, older than the lost one: each delivered until it gave up.
        for i in 0..120 {
            let id = format!("poison{i:03}");
            mem.insert(pending_row(&id, 100 + i));
            for _ in 0..MAX_ATTEMPTS {
                let _ = block_on(deliver(&p, &job(&id), || 1));
            }
        }
        mem.insert(pending_row("dead", 300));
        block_on(dead_letter(&p, &job("dead"))).unwrap();
        mem.insert(pending_row("lost", 400));
        mem.insert(pending_row("recent", STALE_AFTER_MS + 5_000));
        let before = mem.jobs.len();
        assert_eq!(block_on(resend_lost(&p)).unwrap(), 1);
        assert_eq!(mem.jobs.len(), before + 1, "only the lost photo is re-sent");

        // More lost photos than a page: the cron walks on to the next pages.
        for i in 0..(CRON_PAGE + 10) {
            mem.insert(pending_row(&format!("lost{i:03}"), 500 + i64::from(i)));
        }
        assert_eq!(block_on(resend_lost(&p)).unwrap(), CRON_PAGE + 11);
    }
}
