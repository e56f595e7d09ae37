//! `POST /_dev/purge?at=<ms>&budget=<n>` (local and preview only): runs the cron's purge as
//! if it were `at` (the clock moved, not waited for), removing at most `budget` objects (a
//! purge cut off half-way). Tests use it; the cron runs the same `service::trash::purge`.

use app::ssr::guard;
use app::ssr::platform::Platform;
use app::ssr::service::trash;
use axum::extract::Extension;
use axum::http::Uri;
use axum::response::Response;
use worker::send::SendFuture;

use super::{json_error, respond};

pub async fn purge(Extension(p): Extension<Platform>, uri: Uri) -> Response {
    if let Err(e) = guard::dev_tools(p.stage) {
        return json_error(&e);
    }
    let (mut at, mut budget) = (None, None);
    for (k, v) in form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "at" => at = v.parse::<i64>().ok(),
            "budget" => budget = v.parse::<u32>().ok(),
            _ => {}
        }
    }
    SendFuture::new(async move {
        let at = at.unwrap_or_else(|| p.clock.now_ms());
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
