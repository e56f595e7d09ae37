//! `GET /exports/{user_id}`: a prepared export zip (`service::prepared`), streamed from R2 to
//! its owner only (anyone else: 404, like a made-up id); same-site and signed in.
//! `POST /_dev/exports?at=<ms>` (local and preview only): the cron's sweep of expired
//! exports as if it were `at`, for tests that move the clock instead of waiting a day.

use app::error::LumenError;
use app::ssr::guard::{self, Need, RequestHead};
use app::ssr::platform::Platform;
use app::ssr::ports::BlobReader;
use app::ssr::service::{export, prepared};
use axum::body::{Body, Bytes};
use axum::extract::{Extension, Path, Request};
use axum::http::Uri;
use axum::response::Response;
use worker::send::SendFuture;

use super::{json_error, respond};

pub async fn download(
    Extension(p): Extension<Platform>,
    Path(user_id): Path<String>,
    req: Request,
) -> Response {
    let head = RequestHead::from_request(req.uri(), req.headers());
    SendFuture::new(async move {
        let opened = async {
            let s = guard::check(&p, &head, Need::Member).await?;
            prepared::open(&p, s.as_ref(), &user_id).await
        };
        match opened.await {
            Ok((name, reader)) => zip_from(reader, &name),
            Err(LumenError::Unauthenticated) => json_error(&LumenError::NotFound),
            Err(e) => json_error(&e),
        }
    })
    .await
}

/// The object as it comes, chunk by chunk; a storage failure ends the body with an error.
fn zip_from(reader: Box<dyn BlobReader>, name: &str) -> Response {
    let len = reader.size();
    let body = futures_util::stream::unfold(Some(reader), |r| async move {
        let mut r = r?;
        match r.chunk().await {
            Ok(Some(c)) => Some((Ok::<_, std::io::Error>(Bytes::from(c)), Some(r))),
            Ok(None) => None,
            Err(e) => Some((Err(std::io::Error::other(e.to_string())), None)),
        }
    });
    super::albums::zip_body(Body::from_stream(body), len, name)
}

pub async fn sweep(Extension(p): Extension<Platform>, uri: Uri) -> Response {
    let at = match super::dev_clock(&p, &uri) {
        Ok(at) => at,
        Err(e) => return json_error(&e),
    };
    SendFuture::new(async move {
        match export::sweep(&p, at).await {
            Ok(n) => respond(200, "application/json", format!("{{\"exports\":{n}}}")),
            Err(e) => json_error(&e),
        }
    })
    .await
}
