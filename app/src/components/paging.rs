//! The end of a listing page: an "Older photos" link to the next page (a plain link: it
//! works without JavaScript), and where JavaScript runs, the next page's cards appended
//! as the reader nears the end, the address following along.

use leptos::prelude::*;

/// `path?k=v&…&before=next`, each value percent-encoded: the next page of a listing whose
/// own query (a search, a tab) is `params`.
pub fn older_href(path: &str, params: &[(&str, &str)], next: &str) -> String {
    let mut q: Vec<String> = params
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
    q.push(format!("before={}", encode(next)));
    format!("{path}?{}", q.join("&"))
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The link to the next page, or nothing on the last one.
#[component]
pub fn OlderLink(
    href: Option<String>,
    /// Only the link, never loaded on scroll (the design catalogue's sample).
    #[prop(optional)]
    still: bool,
) -> impl IntoView {
    href.map(|href| {
        view! {
            <nav class="paging" aria-label="More photos">
                <a class="button older" rel="next" href=href>
                    "Older photos"
                </a>
            </nav>
            {(!still).then(|| view! { <MoreOnScroll /> })}
        }
    })
}

/// When the "Older photos" link comes within a screen of view, fetches that page, appends
/// its cards to this page's grid, takes over its next link (or drops the link on the
/// last page) and replaces the address with the loaded page's, so a reload or Back lands
/// near where the reader was. The link stays a link: this only saves the click.
#[island]
fn MoreOnScroll() -> impl IntoView {
    Effect::new(move |_| {
        use std::cell::Cell;
        use std::rc::Rc;
        use wasm_bindgen::{closure::Closure, JsCast};
        let busy = Rc::new(Cell::new(false));
        let check = Closure::<dyn FnMut()>::new(move || {
            if busy.get() {
                return;
            }
            let Some(link) = document()
                .query_selector("nav.paging a.older")
                .ok()
                .flatten()
                .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
            else {
                return;
            };
            let near = window()
                .inner_height()
                .ok()
                .and_then(|h| h.as_f64())
                .is_some_and(|h| link.get_bounding_client_rect().top() < 2.0 * h);
            if !near {
                return;
            }
            let Ok(xhr) = web_sys::XmlHttpRequest::new() else {
                return;
            };
            let href = link.href();
            if xhr.open("GET", &href).is_err() {
                return;
            }
            xhr.set_response_type(web_sys::XmlHttpRequestResponseType::Document);
            busy.set(true);
            let done = {
                let (xhr, busy, link) = (xhr.clone(), busy.clone(), link.clone());
                Closure::<dyn FnMut()>::new(move || {
                    if xhr.status().ok() == Some(200) {
                        if let Ok(Some(page)) = xhr.response_xml() {
                            append(&page, &link, &href);
                        }
                    }
                    // A failed fetch leaves the link for a click.
                    busy.set(false);
                })
            };
            xhr.set_onloadend(Some(done.as_ref().unchecked_ref()));
            done.forget();
            if xhr.send().is_err() {
                busy.set(false);
            }
        });
        let w = window();
        let f = check.as_ref().unchecked_ref();
        let _ = w.add_event_listener_with_callback("scroll", f);
        let _ = w.add_event_listener_with_callback("resize", f);
        // A short first page may already show the link.
        let _ = w.set_timeout_with_callback(f);
        // Lives as long as the page.
        check.forget();
    });
}

#[cfg(feature = "hydrate")]
fn append(page: &web_sys::Document, link: &web_sys::HtmlAnchorElement, loaded: &str) {
    let (Some(grid), Ok(cards)) = (
        document().query_selector("ul.grid").ok().flatten(),
        page.query_selector_all("ul.grid > li"),
    ) else {
        return;
    };
    for i in 0..cards.length() {
        if let Some(card) = cards.get(i) {
            if let Ok(mine) = document().import_node_with_deep(&card, true) {
                let _ = grid.append_child(&mine);
            }
        }
    }
    match page
        .query_selector("nav.paging a.older")
        .ok()
        .flatten()
        .and_then(|a| a.get_attribute("href"))
    {
        Some(next) => link.set_href(&next),
        None => {
            if let Some(nav) = link.parent_element() {
                nav.remove();
            }
        }
    }
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(loaded));
    }
}

#[cfg(not(feature = "hydrate"))]
fn append(_: &web_sys::Document, _: &web_sys::HtmlAnchorElement, _: &str) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn older_links_keep_the_query_and_encode_it() {
        assert_eq!(older_href("/", &[], "1.a"), "/?before=1.a");
        assert_eq!(
            older_href("/search", &[("q", "tag:sea & \"sun\""), ("x", "")], "1.a"),
            "/search?q=tag%3Asea%20%26%20%22sun%22&before=1.a"
        );
    }
}
