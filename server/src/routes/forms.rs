//! Server-function answers, made right for HTTP and for forms without JS:
//! - a failed server function answers with its `LumenError`'s status (not 500);
//! - a plain form post (the browser asked for HTML) that failed gets the page it came
//!   from again, rendered with the message next to the form and what was typed (never
//!   passwords), instead of leptos' silent redirect back.

use app::components::form::FormFeedback;
use app::error::LumenError;
use app::ssr::platform::Platform;
use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use worker::send::SendFuture;

use super::{json_error, render_page};

/// Forms are small; anything bigger is not one of ours.
const MAX_FORM_BYTES: usize = 64 * 1024;

pub async fn layer(req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with("/api/") || req.method() != Method::POST {
        return next.run(req).await;
    }
    SendFuture::new(handle(req, next)).await
}

async fn handle(req: Request, next: Next) -> Response {
    let action = req.uri().path().to_string();
    let headers = req.headers().clone();
    let platform = req.extensions().get::<Platform>().cloned();
    let plain_form = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    let (parts, body) = req.into_parts();
    let Some(bytes) = super::read_at_most(body, MAX_FORM_BYTES).await else {
        return json_error(&LumenError::TooLarge);
    };
    let res = next
        .run(Request::from_parts(parts, Body::from(bytes.clone())))
        .await;
    // Errors come back as 500, or, for plain form posts, as leptos' 302 back to the
    // Referer with the error as the body.
    let maybe_error = res.status() == StatusCode::INTERNAL_SERVER_ERROR
        || (plain_form && res.status() == StatusCode::FOUND);
    if !maybe_error {
        return res;
    }
    let (res_parts, res_body) = res.into_parts();
    let Ok(res_bytes) = to_bytes(res_body, MAX_FORM_BYTES).await else {
        return Response::from_parts(res_parts, Body::empty());
    };
    let Ok(error) = serde_json::from_slice::<LumenError>(&res_bytes) else {
        return Response::from_parts(res_parts, Body::from(res_bytes));
    };
    let back = back_path(&headers);
    match (plain_form, back, platform) {
        // A cross-site post never gets our page rendered for it.
        (true, Some(back), Some(p)) if error != LumenError::Forbidden => {
            let values = form_urlencoded::parse(&bytes)
                .filter(|(k, _)| !k.contains("password"))
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            let feedback = FormFeedback {
                action,
                error: error.clone(),
                values,
            };
            render_page(&p, &headers, &back, Some(feedback), &error).await
        }
        _ => {
            let mut res = json_error(&error);
            res.headers_mut().extend(
                res_parts
                    .headers
                    .into_iter()
                    .filter_map(|(k, v)| k.filter(|k| k == header::SET_COOKIE).map(|k| (k, v))),
            );
            res
        }
    }
}

/// A bulk form's body (up to 64 KiB, drained if longer, before any answer, as forms are)
/// and the signed-in person posting it from this site.
pub(crate) async fn bulk_member(
    p: &Platform,
    head: &app::ssr::guard::RequestHead,
    body: Body,
) -> Result<(app::ssr::auth::Session, axum::body::Bytes), LumenError> {
    let bytes = super::read_at_most(body, 64 * 1024)
        .await
        .ok_or(LumenError::TooLarge)?;
    let session = app::ssr::guard::check(p, head, app::ssr::guard::Need::Member)
        .await?
        .ok_or(LumenError::Unauthenticated)?;
    Ok((session, bytes))
}

/// A bulk form's refusal (a plain route, not a server function): the page the form was on
/// again, with the reason on `action`'s form; a cross-site post or one without a page to go
/// back to gets the JSON error only.
pub(crate) async fn refuse_bulk(
    p: &Platform,
    headers: &HeaderMap,
    action: &str,
    e: LumenError,
) -> Response {
    match back_path(headers) {
        Some(back) if e != LumenError::Forbidden => {
            let feedback = FormFeedback {
                action: action.into(),
                error: e.clone(),
                values: Vec::new(),
            };
            render_page(p, headers, &back, Some(feedback), &e).await
        }
        _ => json_error(&e),
    }
}

/// The page the form was on: the path of a same-origin `Referer`.
pub(crate) fn back_path(h: &HeaderMap) -> Option<String> {
    let referer = h.get(header::REFERER)?.to_str().ok()?;
    let host = h.get(header::HOST)?.to_str().ok()?;
    let rest = referer
        .strip_prefix("https://")
        .or_else(|| referer.strip_prefix("http://"))?;
    let (origin_host, path) = rest.split_once('/').unwrap_or((rest, ""));
    (origin_host == host).then(|| format!("/{path}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(referer: &str, host: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::REFERER, referer.parse().unwrap());
        h.insert(header::HOST, host.parse().unwrap());
        h
    }

    #[test]
    fn back_only_to_this_site() {
        assert_eq!(
            back_path(&headers(
                "http://localhost:8787/signin?next=/upload",
                "localhost:8787"
            )),
            Some("/signin?next=/upload".into())
        );
        assert_eq!(
            back_path(&headers("https://lumen.test", "lumen.test")),
            Some("/".into())
        );
        assert_eq!(
            back_path(&headers("https://evil.test/signin", "lumen.test")),
            None
        );
        assert_eq!(
            back_path(&headers("https://lumen.test.evil.test/", "lumen.test")),
            None
        );
    }
}
