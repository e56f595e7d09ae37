//! `/`: the latest public photos, a page at a time (`?before=` the last one shown). Rendered
//! data first: the Worker loads the page (`list_photos`) and then renders this at once.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};

use crate::components::error_box::ErrorBox;
use crate::components::paging::{older_href, OlderLink};
use crate::components::photo_card::PhotoGrid;
use crate::error::LumenError;
use crate::model::PhotoPage;

#[component]
pub fn FeedPage(page: Result<PhotoPage, LumenError>) -> impl IntoView {
    // In document order, so an error's title is set after (over) the feed's.
    view! {
        <Title text="" />
        <Meta name="description" content="The latest public photos shared on Lumen." />
        <h1 class="visually-hidden">"Latest photos"</h1>
        {match page {
            Ok(page) => {
                let href = page.next.map(|n| older_href("/", &[], &n));
                view! {
                    <PhotoGrid cards=page.photos query="?in=feed" />
                    <OlderLink href />
                }
                    .into_any()
            }
            Err(error) => view! { <ErrorBox error /> }.into_any(),
        }}
    }
}
