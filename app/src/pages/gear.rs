//! `/camera/{name}` and `/lens/{name}`: public photos taken with a camera or lens, newest
//! first, paged. The name is the one the photo page shows, percent-encoded; case does
//! not matter.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::search::list_by_gear;
use crate::components::error_box::ErrorBox;
use crate::components::listing::{gear_href, PhotoListing};
use crate::text::isolate;

#[component]
pub fn CameraPage() -> impl IntoView {
    view! { <GearPage kind="camera" label="Camera" /> }
}

#[component]
pub fn LensPage() -> impl IntoView {
    view! { <GearPage kind="lens" label="Lens" /> }
}

#[component]
fn GearPage(kind: &'static str, label: &'static str) -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let key = move || {
        (
            params.read().get("name").unwrap_or_default(),
            query.read().get("before"),
        )
    };
    let page = Resource::new(key, move |(name, before)| {
        list_by_gear(kind.to_string(), name, before)
    });
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading photos…"</p> }>
            {move || Suspend::new(async move {
                let name = params.read_untracked().get("name").unwrap_or_default();
                match page.await {
                    Ok(page) => view! {
                        <Title text=format!("{label}: {}", isolate(&name)) />
                        <section class="listing">
                            <h1>{label} ": " <bdi>{name.clone()}</bdi></h1>
                            <p class="muted">"Public photos taken with it, newest first. "
                                <a href="/search">"Search photos"</a>
                            </p>
                            <PhotoListing page path=gear_href(kind, &name) empty="No public photos were taken with it yet." within=format!("{kind}:{name}") />
                        </section>
                    }
                    .into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
