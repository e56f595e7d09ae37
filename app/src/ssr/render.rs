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
use leptos_router::location::RequestUrl;

use crate::api::accounts::current_user;
use crate::routes::Frame;

/// A rendered page: its HTML, and the status and headers the page set while rendering.
pub struct Rendered {
    pub html: String,
    pub response: ResponseParts,
}

/// Renders a page for the request in `parts`, with what every page gets (as the routed
/// pages do, `request::provide_page_context`): `load` reads the page's data (its server
/// function, run here as the routed page's resource would), and `view` draws it inside the
/// site's [`Frame`].
pub async fn page<D, Load, Fut, V>(
    parts: Parts,
    options: LeptosOptions,
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
        // The request's URL where the router would keep it, so components reading the query
        // (`use_query_map`) work on these pages as on routed ones.
        let url = parts
            .uri
            .path_and_query()
            .map(|pq| RequestUrl::new(&format!("http://leptos.dev{pq}")))
            .and_then(|u| u.parse().ok())
            .unwrap_or_default();
        owner.with(|| {
            provide_context(ArcRwSignal::new(url));
            provide_context(parts);
            provide_context(res.clone());
            provide_context(meta);
            crate::ssr::request::provide_page_context();
        });
        // The nav's person and the page's data side by side, as the routed page's resources
        // ran: the session is read once for both (`request::SessionOnce`), and the page's
        // queries do not wait for the nav's.
        // A visitor (no session token) is known without reading anything.
        let visitor = owner.with(crate::ssr::request::visitor);
        let nav = async move {
            match visitor {
                true => None,
                false => current_user().await.ok().flatten(),
            }
        };
        let (me, data) = owner
            .with(|| futures::future::join(ScopedFuture::new(nav), ScopedFuture::new(load())))
            .await;
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

#[cfg(test)]
mod tests {
    use axum::http::{header, Request, StatusCode};
    use leptos::prelude::*;

    use super::{page, Rendered};
    use crate::api::photos::list_photos;
    use crate::model::PhotoStatus;
    use crate::pages::feed::FeedPage;
    use crate::ssr::cache::CacheTags;
    use crate::ssr::fakes::{block_on, fake_platform, pending_row, signed_in};
    use crate::ssr::request::SessionOnce;
    use crate::ssr::Platform;

    /// The feed as the Worker renders it, for a request with `cookie`, `?before=` `before`.
    fn feed(p: &Platform, cookie: Option<&str>, before: Option<&str>) -> (Rendered, CacheTags) {
        let _ = any_spawner::Executor::init_futures_executor();
        let tags = CacheTags::default();
        let mut req = Request::builder()
            .uri("/")
            .header(header::HOST, "localhost");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        let Ok(req) = req.body(()) else {
            panic!("request");
        };
        let (mut parts, ()) = req.into_parts();
        parts.extensions.insert(p.clone());
        parts.extensions.insert(tags.clone());
        parts.extensions.insert(SessionOnce::default());
        let before = before.map(str::to_string);
        let rendered = block_on(page(
            parts,
            LeptosOptions::builder().output_name("app").build(),
            move || list_photos(before),
            |page| view! { <FeedPage page /> }.into_any(),
        ));
        (rendered, tags)
    }

    /// A page rendered data first is a whole document: the title, the page's meta tags, the
    /// nav for whoever asks, its cards, the status an error sets; and what it was rendered
    /// for decides whether the shared cache may keep it.
    #[test]
    fn the_feed_renders_whole_for_visitors_and_members() {
        let (p, mem) = fake_platform();
        for (i, id) in ["first", "second"].into_iter().enumerate() {
            let mut row = pending_row(id, i as i64 + 1);
            row.status = PhotoStatus::Ready;
            row.title = format!("<b>{id}</b>");
            mem.insert(row);
            mem.add_variant(id, 640);
        }
        let mut private = pending_row("hidden", 3);
        private.visibility = crate::model::Visibility::Private;
        private.status = PhotoStatus::Ready;
        mem.insert(private);
        mem.add_variant("hidden", 640);

        let (visitor, tags) = feed(&p, None, None);
        let html = &visitor.html;
        assert_eq!(visitor.response.status, None, "200");
        assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
        assert!(html.contains("<title>Lumen</title>"), "{html}");
        assert!(
            html.contains(
                r#"<meta name="description" content="The latest public photos shared on Lumen.">"#
            ),
            "{html}"
        );
        assert!(
            html.contains(r#"href="/signin""#),
            "a visitor's nav: {html}"
        );
        assert!(
            html.contains("&lt;b&gt;second&lt;/b&gt;"),
            "escaped: {html}"
        );
        assert!(html
            .find("/p/second")
            .zip(html.find("/p/first"))
            .is_some_and(|(a, b)| a < b));
        assert!(!html.contains("/p/hidden"), "private: {html}");
        assert!(html.ends_with("</html>") || html.contains("</html><script>"));
        // Tagged by what it shows, for the purge.
        let shown = ["feed", "photo:first", "photo:second"]
            .map(String::from)
            .to_vec();
        assert_eq!(tags.storable(), Some(shown));

        let cookie = signed_in(&p, "u1", "ada").cookie;
        let (member, tags) = feed(&p, cookie.as_deref(), None);
        assert!(member.html.contains(r#"href="/u/ada""#), "{}", member.html);
        assert!(member.html.contains("ADA"), "their name in the nav");
        assert!(!member.html.contains(r#"href="/signin""#));
        assert_eq!(tags.storable(), None, "personal: never in the shared cache");

        // The router's hooks work here too: the query reaches a component through them.
        let (mut parts, ()) = Request::builder()
            .uri("/?x=a%20b")
            .body(())
            .unwrap_or_default()
            .into_parts();
        parts.extensions.insert(p.clone());
        let probe = block_on(page(
            parts,
            LeptosOptions::builder().output_name("app").build(),
            || async {},
            |()| {
                let x = leptos_router::hooks::use_query_map()
                    .read_untracked()
                    .get("x");
                view! { <p id="probe">{x}</p> }.into_any()
            },
        ));
        assert!(
            probe.html.contains(r#"<p id="probe">a b</p>"#),
            "{}",
            probe.html
        );

        let (broken, _) = feed(&p, None, Some("zzz"));
        assert_eq!(broken.response.status, Some(StatusCode::BAD_REQUEST));
        assert!(
            broken
                .html
                .contains("<title>This page link is broken · Lumen</title>"),
            "the error's title wins: {}",
            broken.html
        );
    }
}
