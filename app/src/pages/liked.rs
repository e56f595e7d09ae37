//! `/liked`: the photos you liked that you may still see, newest like first, a page at a
//! time (`?before=`), with the "Older photos" link (and load-on-scroll) of every listing.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::social::list_liked;
use crate::components::error_box::ErrorBox;
use crate::components::paging::{older_href, OlderLink};
use crate::components::photo_card::PhotoGrid;
use crate::error::LumenError;
use crate::model::PhotoPage;

#[component]
pub fn LikedPage() -> impl IntoView {
    let before = use_query_map().read_untracked().get("before");
    let page = Resource::new(move || before.clone(), list_liked);
    view! {
        <Title text="Liked" />
        <h1>"Liked"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading photos…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <LikedPhotos page /> }.into_any(),
                    Err(LumenError::Unauthenticated) => view! {
                        <p>
                            <a href="/signin?next=/liked">"Sign in"</a>
                            " to see the photos you liked."
                        </p>
                    }
                    .into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// One page of liked photos (the design catalogue shows it too).
#[component]
pub fn LikedPhotos(page: PhotoPage) -> impl IntoView {
    if page.photos.is_empty() {
        return view! {
            <div class="empty">
                <p>"Photos you like show up here."</p>
                <a class="button" href="/">"Browse the feed"</a>
            </div>
        }
        .into_any();
    }
    let older = page.next.map(|n| older_href("/liked", &[], &n));
    view! {
        <PhotoGrid cards=page.photos />
        <OlderLink href=older />
    }
    .into_any()
}
