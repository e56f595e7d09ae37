//! Pages rendered data first: the page's data is loaded, then the whole page renders in one
//! synchronous pass, with no router, suspense boundary or task per await. Leptos' async
//! renderer spent about 0.5 ms of CPU on the feed above this same view rendered this way
//! (measured by `make bench`'s render comparison), on every page a cache miss renders.

use std::future::Future;
use std::sync::Arc;

use axum::http::request::Parts;
use futures::{stream, StreamExt};
use hydration_context::{SharedContext, SsrSharedContext};
use leptos::prelude::*;
use leptos::reactive::computed::ScopedFuture;
use leptos::reactive::owner::Sandboxed;
use leptos_axum::{ResponseOptions, ResponseParts};
use leptos_meta::ServerMetaContext;

use crate::api::accounts::current_user;
use crate::routes::Frame;

/// A rendered page: its HTML, and the status and headers the page set while rendering.
pub struct Rendered {
    pub html: String,
    pub response: ResponseParts,
}

/// Renders a page for the request in `parts`: `context` provides what every page gets (as
/// for the routed pages), `load` reads the page's data (its server function, run here as
/// the routed page's resource would), and `view` draws it inside the site's [`Frame`].
pub async fn page<D, Load, Fut, V>(
    parts: Parts,
    options: LeptosOptions,
    context: impl FnOnce(),
    load: Load,
    view: V,
) -> Rendered
where
    Load: FnOnce() -> Fut,
    Fut: Future<Output = D>,
    V: FnOnce(D) -> AnyView,
{
    Sandboxed::new(async move {
        let shared: Arc<dyn SharedContext + Send + Sync> = Arc::new(SsrSharedContext::new());
        let owner = Owner::new_root(Some(Arc::clone(&shared)));
        let res = ResponseOptions::default();
        let (meta, meta_out) = ServerMetaContext::new();
        owner.with(|| {
            provide_context(parts);
            provide_context(res.clone());
            provide_context(meta);
            context();
        });
        // The nav's person first: the page's own read of the session is then answered from
        // this one (`request::SessionOnce`).
        let me = owner
            .with(|| ScopedFuture::new(current_user()))
            .await
            .ok()
            .flatten();
        let data = owner.with(|| ScopedFuture::new(load())).await;
        let html = owner.with(|| {
            crate::html_document(options, || {
                let page = view(data);
                view! { <Frame me>{page}</Frame> }
            })
            .to_html()
        });
        let mut html = meta_out
            .inject_meta_context(stream::iter([html]))
            .await
            .collect::<String>()
            .await;
        // The islands' hydration data after the document, as Leptos' renderer writes it (the
        // lean pass drops it from pages without islands).
        if let Some(mut data) = shared.pending_data() {
            while let Some(chunk) = data.next().await {
                html.push_str("<script>");
                html.push_str(&chunk);
                html.push_str("</script>");
            }
        }
        owner.unset_with_forced_cleanup();
        let response = match res.0.write() {
            Ok(mut r) => std::mem::take(&mut *r),
            Err(_) => ResponseParts::default(),
        };
        Rendered { html, response }
    })
    .await
}
