//! ← and → follow the page's `rel="prev"` and `rel="next"` links (an album's previous and
//! next photo), where JavaScript runs; without it the links are there to click.

use leptos::prelude::*;

#[island]
pub fn KeyNav() -> impl IntoView {
    Effect::new(move |_| {
        use wasm_bindgen::{closure::Closure, JsCast};
        let on_key =
            Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(move |e: web_sys::KeyboardEvent| {
                let rel = match e.key().as_str() {
                    "ArrowLeft" => "prev",
                    "ArrowRight" => "next",
                    _ => return,
                };
                if e.alt_key() || e.ctrl_key() || e.meta_key() || e.shift_key() {
                    return;
                }
                // Arrows move the caret in a field: leave them to it.
                if typing() {
                    return;
                }
                let link = document()
                    .query_selector(&format!("a[rel={rel}]"))
                    .ok()
                    .flatten()
                    .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok());
                if let Some(a) = link {
                    e.prevent_default();
                    a.click();
                }
            });
        let _ =
            document().add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
        // Lives as long as the page.
        on_key.forget();
    });
}

/// Whether the keyboard is in a form field (or editable text), where keys type.
pub fn typing() -> bool {
    document().active_element().is_some_and(|el| {
        matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
            || el.has_attribute("contenteditable")
    })
}
