//! `GET /media/{photo}/{rev}/{width}.{ext}`: variants from R2. The key holds the
//! content revision, so responses are cacheable forever.

use app::ssr::platform::Platform;
use app::ssr::service::media;
use axum::extract::{Extension, Request};
use axum::http::header;
use axum::response::Response;
use worker::send::SendFuture;

use super::{json_error, respond};

pub async fn handle(Extension(p): Extension<Platform>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    SendFuture::new(async move {
        match media::variant(&p, &path).await {
            Ok(blob) => {
                let mut res = respond(200, &blob.content_type, blob.bytes);
                let h = res.headers_mut();
                h.insert(
                    header::CACHE_CONTROL,
                    header::HeaderValue::from_static("public, max-age=31536000, immutable"),
                );
                h.insert(
                    header::X_CONTENT_TYPE_OPTIONS,
                    header::HeaderValue::from_static("nosniff"),
                );
                res
            }
            Err(e) => json_error(&e),
        }
    })
    .await
}
