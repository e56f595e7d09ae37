//! `/search?q=…`: a bookmarkable search over titles, captions, alt text and tags, with
//! filters (`camera:`, `lens:`, `taken:`, `by:`, `tag:`). A plain GET form, so it works
//! without JavaScript and the address is the search. Rendered data first: the Worker runs
//! the search (`search_photos`) and then renders this at once.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};

use crate::components::error_box::ErrorBox;
use crate::components::listing::PhotoListing;
use crate::error::LumenError;
use crate::model::PhotoPage;
use crate::text::isolate;

/// `q` as it was in the address (decoded, untrimmed), `found` what `search_photos` found.
#[component]
pub fn SearchPage(q: String, found: Result<Option<PhotoPage>, LumenError>) -> impl IntoView {
    let title = if q.trim().is_empty() {
        "Search".to_string()
    } else {
        format!("Search: {}", isolate(q.trim()))
    };
    match found {
        Ok(page) => view! {
            <Title text=title />
            <Meta name="robots" content="noindex" />
            <SearchResults q page />
        }
        .into_any(),
        Err(error) => view! { <ErrorBox error /> }.into_any(),
    }
}

/// The form and what it found (`None`: nothing was asked yet). The design catalogue shows
/// it with and without hits.
#[component]
pub fn SearchResults(
    q: String,
    page: Option<PhotoPage>,
    /// The search box's id (the catalogue shows several forms on one page).
    #[prop(default = "q".to_string(), into)]
    input_id: String,
) -> impl IntoView {
    let results = match page {
        Some(page) => view! {
            <PhotoListing page path="/search".to_string() params=vec![("q", q.clone())] empty="No photos match." within=format!("search:{q}") />
        }
        .into_any(),
        None => view! {
            <div class="empty">
                <p>"Search titles, captions, alt text and tags."</p>
            </div>
        }
        .into_any(),
    };
    view! {
        <section class="listing search">
            <h1>"Search"</h1>
            <form method="get" action="/search" role="search" class="inline-form">
                <label for=input_id.clone() class="visually-hidden">"Search photos"</label>
                <input id=input_id name="q" type="search" maxlength="1000" value=q dir="auto" />
                <button type="submit" class="button primary">"Search"</button>
            </form>
            <details class="search-help">
                <summary>"Filters"</summary>
                <ul>
                    <li><code>"camera:\"canon eos r5\""</code> " – part of the camera’s name"</li>
                    <li><code>"lens:\"EF 50mm\""</code> " – part of the lens’s name"</li>
                    <li><code>"taken:2024"</code> ", " <code>"taken:2024-06"</code> ", " <code>"taken:2024-06-01"</code></li>
                    <li><code>"by:ada"</code> " – one person’s photos"</li>
                    <li><code>"tag:sunset"</code></li>
                    <li>"Words match the start of words; put a phrase in quotes to match it exactly."</li>
                </ul>
            </details>
            {results}
        </section>
    }
}
