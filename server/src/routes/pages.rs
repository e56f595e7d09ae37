//! Pages rendered data first (`app::ssr::render`), answered here ahead of the router: the
//! page's server function runs, then the page renders in one pass.

use app::api::photos::list_photos;
use app::pages::feed::FeedPage;
use app::pages::photo::{self, PhotoPage};
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Request};
use axum::http::{header, HeaderValue};
use axum::response::Response;
use leptos::prelude::*;
use worker::send::SendFuture;

use super::query;
use crate::router::{options, request_context};

/// `GET /`: the feed, `?before=` a page.
pub async fn feed(req: Request) -> Response {
    let before = query(req.uri(), "before");
    render(
        req,
        move || list_photos(before),
        |page| view! { <FeedPage page /> }.into_any(),
    )
    .await
}

/// `GET /p/{id}`: a photo, with everything around it.
pub async fn photo(id: Result<Path<String>, PathRejection>, req: Request) -> Response {
    // An id that is not even UTF-8 is an id of nothing: the page's 404, not axum's 400.
    let id = id.map(|Path(id)| id).unwrap_or_default();
    render(
        req,
        move || photo::load(id),
        |page| view! { <PhotoPage page /> }.into_any(),
    )
    .await
}

async fn render<D, Fut>(
    req: Request,
    load: impl FnOnce() -> Fut,
    view: impl FnOnce(D) -> AnyView,
) -> Response
where
    Fut: std::future::Future<Output = D>,
{
    let (parts, _) = req.into_parts();
    let page = SendFuture::new(app::ssr::render::page(
        parts,
        options(),
        request_context,
        load,
        view,
    ))
    .await;
    let mut res = Response::new(Body::from(page.html));
    if let Some(status) = page.response.status {
        *res.status_mut() = status;
    }
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    res.headers_mut().extend(page.response.headers);
    res
}
