//! Scheduled clean-up: re-send jobs for photos stuck in `pending` (a queue send that
//! failed after the row was written) unless they gave up, a page at a time; then drop expired sessions and
//! old rate-limit windows and long-dead share links, and purge the trash past its 30 days.

use worker::Env;

pub async fn run(env: &Env) -> worker::Result<()> {
    let p = crate::platform::build(env)?;
    // Skips jobs that have given up and pages past them (`service::jobs::resend_lost`).
    let sent = app::ssr::service::jobs::resend_lost(&p)
        .await
        .map_err(|e| worker::Error::RustError(e.to_string()))?;
    worker::console_log!("CRON requeued {sent} lost media jobs");
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
    match app::ssr::service::resumable::sweep(&p, p.clock.now_ms()).await {
        Ok(n) => worker::console_log!("CRON aborted {n} abandoned resumable uploads"),
        Err(e) => worker::console_error!("CRON aborting abandoned uploads failed: {e:?}"),
    }
    match app::ssr::service::links::sweep(&p).await {
        Ok(n) => worker::console_log!("CRON deleted {n} dead share links"),
        Err(e) => worker::console_error!("CRON sweeping dead share links failed: {e:?}"),
    }
    Ok(())
}
