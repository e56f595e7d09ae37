//! `POST /_dev/purge?at=<ms>&budget=<n>` (local and preview only): runs the cron's purge as
//! if it were `at` (the clock moved, not waited for), removing at most `budget` objects (a
//! purge cut off half-way). Tests use it; the cron runs the same `service::trash::purge`.

use app::ssr::platform::Platform;
use app::ssr::service::trash;
use axum::extract::Extension;
use axum::http::Uri;
use axum::response::Response;
use worker::send::SendFuture;

use super::{dev_clock, json_error, query, respond};

pub async fn purge(Extension(p): Extension<Platform>, uri: Uri) -> Response {
    let at = match dev_clock(&p, &uri) {
        Ok(at) => at,
        Err(e) => return json_error(&e),
    };
    let budget = query(&uri, "budget").and_then(|v| v.parse::<u32>().ok());
    SendFuture::new(async move {
        match trash::purge(&p, at, budget).await {
            Ok(done) => respond(
                200,
                "application/json",
                format!(
                    "{{\"photos\":{},\"objects\":{}}}",
                    done.photos, done.objects
                ),
            ),
            Err(e) => json_error(&e),
        }
    })
    .await
}
