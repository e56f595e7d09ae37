//! Tools for local and preview stages only (404 in production).

use app::ssr::guard;
use app::ssr::platform::Platform;
use app::ssr::ports::MediaJob;
use axum::extract::{Extension, Path};
use axum::response::Response;
use worker::send::SendFuture;

use super::{json_error, respond};

/// Sends the media job for a photo again: tests use it to prove redelivery is harmless.
pub async fn requeue(Extension(p): Extension<Platform>, Path(id): Path<String>) -> Response {
    if let Err(e) = guard::dev_tools(p.stage) {
        return json_error(&e);
    }
    SendFuture::new(async move {
        match p.jobs.send(&MediaJob::ProcessV1 { photo_id: id }).await {
            Ok(()) => respond(202, "application/json", "{\"queued\":true}"),
            Err(e) => json_error(&e.into()),
        }
    })
    .await
}
