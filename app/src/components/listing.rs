//! One page of a photo listing found by a fact (a tag, a camera, a lens, a search): the
//! grid, its own empty state, and the "Older photos" link to the next page.

use leptos::prelude::*;

use crate::components::paging::{encode, older_href, OlderLink};
use crate::components::photo_card::PhotoGrid;
use crate::model::PhotoPage;

/// `path` and `params` (the listing's own query, e.g. `q`) make the next page's link.
#[component]
pub fn PhotoListing(
    page: PhotoPage,
    path: String,
    #[prop(optional)] params: Vec<(&'static str, String)>,
    /// What an empty first page says.
    empty: &'static str,
    /// The listing as a photo page's `?in=` names it (`tag:sea`), for previous / next.
    #[prop(optional, into)]
    within: String,
) -> impl IntoView {
    if page.photos.is_empty() {
        return view! {
            <div class="empty">
                <p>{empty}</p>
            </div>
        }
        .into_any();
    }
    let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let href = page.next.as_deref().map(|n| older_href(&path, &params, n));
    view! {
        <PhotoGrid cards=page.photos query=in_query(&within) />
        <OlderLink href />
    }
    .into_any()
}

/// `?in=…` for a photo opened from the listing `within`; empty for none.
pub fn in_query(within: &str) -> String {
    if within.is_empty() {
        String::new()
    } else {
        format!("?in={}", encode(within))
    }
}

/// A tag's page: `/t/` and the tag, percent-encoded.
pub fn tag_href(tag: &str) -> String {
    format!("/t/{}", encode(tag))
}

/// The page of a camera (`kind` "camera") or lens ("lens"), named as the photo page shows
/// it, percent-encoded.
pub fn gear_href(kind: &str, name: &str) -> String {
    format!("/{kind}/{}", encode(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hrefs_encode_the_name() {
        assert_eq!(tag_href("golden hour"), "/t/golden%20hour");
        assert_eq!(tag_href("été"), "/t/%C3%A9t%C3%A9");
        assert_eq!(tag_href("<b>\"x\"</b>"), "/t/%3Cb%3E%22x%22%3C%2Fb%3E");
        assert_eq!(
            gear_href("lens", "EF 50mm f/1.8"),
            "/lens/EF%2050mm%20f%2F1.8"
        );
    }
}
