//! Scheduled clean-up: re-send jobs for photos stuck in `pending` (a queue send that
//! failed after the row was written), a page at a time; then drop expired sessions and
//! old rate-limit windows and long-dead share links, and purge the trash past its 30 days.

use app::ssr::ports::MediaJob;
use worker::Env;

/// A job normally finishes in seconds; after this long it was probably lost.
const STALE_AFTER_MS: i64 = 10 * 60 * 1000;
const PAGE: u32 = 50;

pub async fn run(env: &Env) -> worker::Result<()> {
    let p = crate::platform::build(env)?;
    let before = p.clock.now_ms() - STALE_AFTER_MS;
    let stale = p
        .photos
        .stale_pending(before, PAGE)
        .await
        .map_err(|e| worker::Error::RustError(e.to_string()))?;
    for photo_id in &stale {
        let job = MediaJob::ProcessV1 {
            photo_id: photo_id.clone(),
        };
        if let Err(e) = p.jobs.send(&job).await {
            worker::console_error!("CRON requeue {photo_id} failed: {e}");
        }
    }
    worker::console_log!("CRON requeued {} stale pending photos", stale.len());
    // Housekeeping after the requeue, so a D1 hiccup here cannot hold photos back.
    if let Err(e) = p.users.purge_expired(p.clock.now_ms()).await {
        worker::console_error!("CRON purging expired sessions and rate limits failed: {e}");
    }
    // The trash: whatever an interrupted purge left, then photos past their 30 days.
    match app::ssr::service::trash::purge(&p, p.clock.now_ms(), None).await {
        Ok(d) => worker::console_log!("CRON purged {} photos, {} objects", d.photos, d.objects),
        Err(e) => worker::console_error!("CRON purging the trash failed: {e:?}"),
    }
    match app::ssr::service::export::sweep(&p, p.clock.now_ms()).await {
        Ok(n) => worker::console_log!("CRON removed {n} expired exports"),
        Err(e) => worker::console_error!("CRON removing expired exports failed: {e:?}"),
    }
    match app::ssr::service::links::sweep(&p).await {
        Ok(n) => worker::console_log!("CRON deleted {n} dead share links"),
        Err(e) => worker::console_error!("CRON sweeping dead share links failed: {e:?}"),
    }
    Ok(())
}
