//! `/`: the latest public photos, a page at a time (`?before=` the last one shown).

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

use crate::api::photos::list_photos;
use crate::components::error_box::ErrorBox;
use crate::components::paging::{older_href, OlderLink};
use crate::components::photo_card::PhotoGrid;

#[component]
pub fn FeedPage() -> impl IntoView {
    let query = use_query_map();
    let before = move || query.read().get("before");
    let photos = Resource::new(before, list_photos);
    view! {
        <Title text="" />
        <Meta name="description" content="The latest public photos shared on Lumen." />
        <h1 class="visually-hidden">"Latest photos"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading photos…"</p> }>
            {move || Suspend::new(async move {
                match photos.await {
                    Ok(page) => {
                        let href = page.next.map(|n| older_href("/", &[], &n));
                        view! {
                            <PhotoGrid cards=page.photos query="?in=feed" />
                            <OlderLink href />
                        }
                            .into_any()
                    }
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
