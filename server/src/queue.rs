//! `JobQueue` over a Cloudflare Queue, and the consumer loop.

use app::ssr::jobs::JobOutcome;
use app::ssr::ports::{JobQueue, MediaJob, PortError, PortResult};
use async_trait::async_trait;
use worker::send::{SendFuture, SendWrapper};
use worker::{Env, MessageBatch, MessageExt, Queue, QueueRetryOptionsBuilder};

pub struct CfJobQueue(SendWrapper<Queue>);

impl CfJobQueue {
    pub fn new(queue: Queue) -> Self {
        Self(SendWrapper::new(queue))
    }
}

#[async_trait]
impl JobQueue for CfJobQueue {
    async fn send(&self, job: &MediaJob) -> PortResult<()> {
        let job = job.clone();
        SendFuture::new(async move {
            self.0
                .send(job)
                .await
                .map_err(|e| PortError::Unavailable(format!("queue: {e}")))
        })
        .await
    }
}

/// Seconds before a transiently failed job is tried again.
const RETRY_DELAY_SECS: u32 = 10;

/// How the dead-letter queue's name ends, in wrangler.toml (`lumen-media-jobs-dlq`) and in
/// previews (`scripts/preview-config.mjs` names it `<base>-dlq`): messages the queue gave up on.
const DEAD_LETTERS_SUFFIX: &str = "-dlq";

pub async fn consume(batch: MessageBatch<serde_json::Value>, env: Env) -> worker::Result<()> {
    let platform = crate::platform::build(&env)?;
    let dead_letters = batch.queue().ends_with(DEAD_LETTERS_SUFFIX);
    for msg in batch.raw_iter() {
        let started = worker::Date::now().as_millis();
        let id = msg.id();
        let job: Result<MediaJob, _> = serde_wasm_bindgen::from_value(msg.body());
        let Ok(job) = job else {
            // A message we cannot read will never become readable: drop it loudly.
            worker::console_error!("QUEUE {id} malformed body; dropped");
            msg.ack();
            continue;
        };
        let photo_id = match &job {
            MediaJob::ProcessV1 { photo_id } => photo_id.as_str(),
            MediaJob::PurgeV1 { .. } | MediaJob::ExportV1 { .. } => "-",
        };
        if dead_letters {
            match app::ssr::service::jobs::dead_letter(&platform, &job).await {
                Ok(changed) => {
                    worker::console_log!("QUEUE {id} photo={photo_id} dead changed={changed}");
                    msg.ack();
                }
                Err(e) => {
                    worker::console_error!("QUEUE {id} photo={photo_id} dead letter retry ({e})");
                    msg.retry();
                }
            }
            continue;
        }
        let mem = || u32::try_from(crate::memory::wasm_mib()).unwrap_or(u32::MAX);
        let outcome = app::ssr::service::jobs::deliver(&platform, &job, mem).await;
        let ms = worker::Date::now().as_millis().saturating_sub(started);
        match outcome {
            Ok(o) => {
                let status = match &o {
                    JobOutcome::Ready { variants } => format!("ready variants={variants}"),
                    JobOutcome::Failed { reason } => format!("failed reason={reason:?}"),
                    JobOutcome::Skipped => "skipped".into(),
                    JobOutcome::Purged => "purged".into(),
                    JobOutcome::Exported { bytes } => format!("exported bytes={bytes}"),
                };
                worker::console_log!(
                    "QUEUE {id} photo={photo_id} {status} {ms}ms wasm_mem={}MiB",
                    crate::memory::wasm_mib()
                );
                msg.ack();
            }
            Err(e) => {
                worker::console_error!("QUEUE {id} photo={photo_id} retry ({e}) {ms}ms");
                msg.retry_with_options(
                    &QueueRetryOptionsBuilder::new()
                        .with_delay_seconds(RETRY_DELAY_SECS)
                        .build(),
                );
            }
        }
    }
    Ok(())
}
