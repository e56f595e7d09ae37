//! Tools for local and preview stages only (404 in production).

use app::error::LumenError;
use app::ssr::platform::Platform;
use app::ssr::ports::MediaJob;
use app::ssr::{auth, guard};
use axum::extract::{Extension, Path};
use axum::http::header::{self, HeaderValue};
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Redirect, Response};
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

/// The seeded demo users' email domain (demo/seed.json).
const DEMO_DOMAIN: &str = "@demo.lumen.test";

/// `GET /_dev/sign-in/{username}`: signs in as a demo user in one click, so reviewers of
/// a preview can open the signed-in deep links without knowing a password.
pub async fn sign_in_as(
    Extension(p): Extension<Platform>,
    Path(username): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(e) = guard::dev_tools(p.stage) {
        return json_error(&e);
    }
    SendFuture::new(async move {
        let found = p.users.by_username(&username.to_lowercase()).await;
        let user = match found {
            // Only the seeded demo accounts: anyone may open a preview and sign up there.
            Ok(Some(u))
                if u.username == username.to_lowercase() && u.email.ends_with(DEMO_DOMAIN) =>
            {
                u
            }
            Ok(_) => return json_error(&LumenError::NotFound),
            Err(e) => return json_error(&e.into()),
        };
        let (token, row) = match auth::new_session(&p, &user.id) {
            Ok(new) => new,
            Err(e) => return json_error(&e),
        };
        if let Err(e) = p.users.create_session(&row).await {
            return json_error(&e.into());
        }
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        let mut res = Redirect::to(&format!("/u/{}", user.username)).into_response();
        if let Ok(v) = HeaderValue::from_str(&auth::session_cookie(&token, host)) {
            res.headers_mut().insert(header::SET_COOKIE, v);
        }
        res
    })
    .await
}

/// `GET /_dev/sign-out` (local and preview only): the reviewers' way back to the
/// signed-out view, as a link.
pub async fn sign_out(Extension(p): Extension<Platform>, headers: HeaderMap) -> Response {
    if let Err(e) = guard::dev_tools(p.stage) {
        return json_error(&e);
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let mut res = Redirect::to("/").into_response();
    if let Ok(v) = HeaderValue::from_str(&auth::clear_cookie(host)) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

/// `GET /_dev/floor?n=N`: the home feed's D1 queries, N times, and nothing else (no
/// render), so that `make bench` can tell the render's cost from the queries' (page −
/// floor, same run). Answers how long the N took on the isolate's clock.
pub async fn floor(Extension(p): Extension<Platform>, uri: Uri) -> Response {
    if let Err(e) = guard::dev_tools(p.stage) {
        return json_error(&e);
    }
    let n = times(&uri);
    SendFuture::new(async move {
        let started = worker::Date::now().as_millis();
        let mut cards = 0;
        for _ in 0..n {
            match app::ssr::service::photos::feed(&p, None).await {
                Ok(page) => cards += page.photos.len(),
                Err(e) => return json_error(&e),
            }
        }
        took(n, started, cards)
    })
    .await
}

/// `GET /_dev/render?n=N`: the anonymous feed page rendered N times inside this one request,
/// the whole way a page goes (the Worker's routes, server functions and their D1 queries,
/// render, lean pass), minus the edge cache. Against `/_dev/floor?n=N`, the difference over
/// N is the render alone: a request's fixed cost, and the isolate clock's 1 ms steps, divide
/// away.
/// `&path=/t/sea` renders another page the same way (its cost against another build's).
pub async fn render(Extension(p): Extension<Platform>, uri: Uri) -> Response {
    if let Err(e) = guard::dev_tools(p.stage) {
        return json_error(&e);
    }
    let n = times(&uri);
    let page = super::query(&uri, "path")
        .and_then(|p| p.parse::<Uri>().ok())
        .unwrap_or_else(|| Uri::from_static("/"));
    SendFuture::new(async move {
        let started = worker::Date::now().as_millis();
        let mut bytes = 0;
        for _ in 0..n {
            let mut req = axum::http::Request::new(axum::body::Body::empty());
            *req.uri_mut() = page.clone();
            let res = crate::router::serve(req, p.clone(), Default::default()).await;
            let res = crate::page::lean(res).await;
            match axum::body::to_bytes(res.into_body(), usize::MAX).await {
                Ok(b) => bytes += b.len(),
                Err(e) => return respond(500, "text/plain", e.to_string()),
            }
        }
        took(n, started, bytes)
    })
    .await
}

/// `?n=`: how many times, 1 to 200.
fn times(uri: &Uri) -> u32 {
    super::query(uri, "n")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
        .clamp(1, 200)
}

fn took(n: u32, started: u64, size: usize) -> Response {
    let ms = worker::Date::now().as_millis().saturating_sub(started);
    respond(
        200,
        "application/json",
        format!("{{\"n\":{n},\"ms\":{ms},\"size\":{size}}}"),
    )
}
