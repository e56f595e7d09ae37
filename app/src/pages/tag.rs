//! `/t/{tag}`: public photos with a tag, newest first, paged.

use leptos::prelude::*;
use leptos_meta::{Link, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::search::list_tagged;
use crate::components::error_box::ErrorBox;
use crate::components::listing::{tag_href, PhotoListing};
use crate::text::isolate;

#[component]
pub fn TagPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let key = move || {
        (
            params.read().get("tag").unwrap_or_default(),
            query.read().get("before"),
        )
    };
    let page = Resource::new(key, |(tag, before)| list_tagged(tag, before));
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading photos…"</p> }>
            {move || Suspend::new(async move {
                let tag = params.read_untracked().get("tag").unwrap_or_default();
                match page.await {
                    Ok(page) => view! {
                        <Title text=format!("#{}", isolate(&tag)) />
                        <Link
                            rel="alternate"
                            type_="application/atom+xml"
                            href=format!("{}/feed.atom", tag_href(&tag))
                            title=format!("#{}", isolate(&tag))
                        />
                        <section class="listing">
                            <h1>"#" <bdi>{tag.clone()}</bdi></h1>
                            <p class="muted">"Public photos tagged with it, newest first. "
                                <a href="/search">"Search photos"</a>
                            </p>
                            <PhotoListing page path=tag_href(&tag) empty="No public photos have this tag yet." within=format!("tag:{tag}") />
                        </section>
                    }
                    .into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
