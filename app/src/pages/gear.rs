//! `/camera/{name}` and `/lens/{name}`: public photos taken with a camera or lens, newest
//! first, paged. The name is the one the photo page shows, percent-encoded; case does
//! not matter. Rendered data first: the Worker loads the page (`list_by_gear`) and then
//! renders this at once.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::error_box::ErrorBox;
use crate::components::listing::{gear_href, PhotoListing};
use crate::error::LumenError;
use crate::model::PhotoPage;
use crate::text::isolate;

/// `kind` "camera" or "lens" (as `list_by_gear` takes it), `label` its heading, `name` as
/// it was in the address (decoded), `page` what `list_by_gear` found.
#[component]
pub fn GearPage(
    kind: &'static str,
    label: &'static str,
    name: String,
    page: Result<PhotoPage, LumenError>,
) -> impl IntoView {
    match page {
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
}
