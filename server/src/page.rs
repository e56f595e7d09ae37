//! Every HTML answer goes out lean (`app::ssr::lean`): no script on a page without islands,
//! no hydration markers there, and a Content-Security-Policy naming the hashes of the
//! inline scripts instead of a per-response nonce, so a cached copy serves everyone.

use app::http::content_security_policy_with;
use axum::body::Body;
use axum::http::{header, HeaderValue};
use axum::response::Response;

pub async fn lean(res: Response) -> Response {
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if !html {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        Err(e) => {
            worker::console_error!("page body unreadable: {e}");
            return Response::from_parts(parts, Body::empty());
        }
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    let lean = app::ssr::lean::lean(text);
    if let Ok(v) = HeaderValue::from_str(&content_security_policy_with(&lean.script_hashes)) {
        parts.headers.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(lean.html))
}
