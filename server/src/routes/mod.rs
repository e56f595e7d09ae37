//! Plain HTTP routes that are not Leptos pages.

pub mod dev;
pub mod media;
pub mod upload;

use app::error::LumenError;
use axum::body::Body;
use axum::http::{header, StatusCode};
use axum::response::Response;

/// A `LumenError` as JSON, with its status.
pub fn json_error(e: &LumenError) -> Response {
    let body = serde_json::to_string(e).unwrap_or_else(|_| "{}".into());
    respond(e.status(), "application/json", body)
}

pub fn respond(status: u16, content_type: &str, body: impl Into<Body>) -> Response {
    let mut res = Response::new(body.into());
    *res.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Ok(v) = content_type.parse() {
        res.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    res
}
