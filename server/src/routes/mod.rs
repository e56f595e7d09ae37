//! Plain HTTP routes that are not Leptos pages, and the server-function error layer.

pub mod albums;
pub mod dev;
pub mod dev_trash;
pub mod exports;
pub mod feeds;
pub mod forms;
pub mod headers;
pub mod links;
pub mod media;
pub mod pages;
pub mod resumable;
pub mod trash;
pub mod upload;

use app::components::form::FormFeedback;
use app::error::LumenError;
use app::ssr::platform::Platform;
use axum::body::Body;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use tower_service::Service;

/// A `LumenError` as JSON, with its status.
pub fn json_error(e: &LumenError) -> Response {
    let body = serde_json::to_string(e).unwrap_or_else(|_| "{}".into());
    let mut res = respond(e.status(), "application/json", body);
    retry_after(&mut res, e);
    res
}

/// `Retry-After` for rate limits and the hourly upload quota.
fn retry_after(res: &mut Response, e: &LumenError) {
    let secs = match e {
        LumenError::RateLimited { retry_after_secs } => Some(*retry_after_secs),
        LumenError::Quota {
            retry_after_secs, ..
        } => *retry_after_secs,
        _ => None,
    };
    if let Some(s) = secs {
        res.headers_mut().insert(header::RETRY_AFTER, s.into());
    }
}

/// The whole body if it is at most `max` bytes. A longer one is read to its end and
/// dropped, chunk by chunk, so the sender gets our answer (a 413) instead of a reset
/// connection: answering before the body is read breaks the client's upload.
pub async fn read_at_most(body: Body, max: usize) -> Option<axum::body::Bytes> {
    use http_body_util::BodyExt;
    let mut body = body;
    let mut kept = Vec::new();
    let mut fits = true;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return None;
        };
        if let (true, Some(data)) = (fits, frame.data_ref()) {
            fits = kept.len() + data.len() <= max;
            if fits {
                kept.extend_from_slice(data);
            } else {
                kept = Vec::new();
            }
        }
    }
    fits.then(|| kept.into())
}

/// One query parameter of a request, decoded.
pub fn query(uri: &axum::http::Uri, key: &str) -> Option<String> {
    form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

/// A dev route's clock: `?at=<ms>` (the clock moved, not waited for), else now; refused
/// where dev tools are off (production).
pub fn dev_clock(p: &Platform, uri: &axum::http::Uri) -> Result<i64, LumenError> {
    app::ssr::guard::dev_tools(p.stage)?;
    Ok(query(uri, "at")
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| p.clock.now_ms()))
}

pub fn respond(status: u16, content_type: &str, body: impl Into<Body>) -> Response {
    let mut res = Response::new(body.into());
    *res.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Ok(v) = content_type.parse() {
        res.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    res
}

/// Renders the page at `path` for the sender of a refused form post (same cookies, so
/// the same signed-in user), with the refusal in context and as the status.
pub async fn render_page(
    p: &Platform,
    headers: &HeaderMap,
    path: &str,
    feedback: Option<FormFeedback>,
    e: &LumenError,
) -> Response {
    let Ok(mut req) = axum::http::Request::get(path).body(Body::empty()) else {
        return json_error(e);
    };
    for name in [header::COOKIE, header::HOST] {
        if let Some(v) = headers.get(&name) {
            req.headers_mut().insert(name, v.clone());
        }
    }
    req.extensions_mut().insert(p.clone());
    if let Some(f) = feedback {
        req.extensions_mut().insert(f);
    }
    match crate::router::router().call(req).await {
        Ok(mut res) => {
            *res.status_mut() =
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            retry_after(&mut res, e);
            res
        }
        Err(never) => match never {},
    }
}

/// Marks a response whose streamed body has a length known in advance (a zip): the fetch
/// handler sends it through a `FixedLengthStream`, so it goes out with `Content-Length`
/// (a plain stream goes out chunked, and the browser could not show progress).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedLength(pub u64);

/// The raw response with its body piped through a `FixedLengthStream` of `len` bytes; the
/// runtime then sends `Content-Length` and fails the response if the body differs.
pub fn fixed_length(raw: web_sys::Response, len: u64) -> worker::Result<web_sys::Response> {
    let Some(body) = raw.body() else {
        return Ok(raw);
    };
    let fixed = worker::worker_sys::FixedLengthStream::new_big_int(js_sys::BigInt::from(len))?;
    let pair: &web_sys::TransformStream = fixed.as_ref();
    // The pipe runs on its own; an error in the source aborts the response.
    let _ = body.pipe_to(&pair.writable());
    let init = web_sys::ResponseInit::new();
    init.set_status(raw.status());
    init.set_headers(&raw.headers());
    Ok(web_sys::Response::new_with_opt_readable_stream_and_init(
        Some(&pair.readable()),
        &init,
    )?)
}
