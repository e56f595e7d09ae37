//! `/t/{tag}`: public photos with a tag, newest first, paged. Rendered data first: the
//! Worker loads the page (`list_tagged`) and then renders this at once.

use leptos::prelude::*;
use leptos_meta::{Link, Title};

use crate::components::error_box::ErrorBox;
use crate::components::listing::{tag_href, PhotoListing};
use crate::error::LumenError;
use crate::model::PhotoPage;
use crate::text::isolate;

/// `tag` as it was in the address (decoded), `page` what `list_tagged` found for it.
#[component]
pub fn TagPage(tag: String, page: Result<PhotoPage, LumenError>) -> impl IntoView {
    match page {
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
}
