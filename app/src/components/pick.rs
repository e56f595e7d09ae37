//! Choosing several photos at once: a checkbox per card, tied by the `form` attribute to a
//! bulk form elsewhere on the page (so it is a real form without JavaScript), and, where
//! JavaScript runs, shift-click to tick or untick a whole range.

use leptos::prelude::*;

/// The `id` of the page's bulk form; the cards' checkboxes name it.
pub const BULK_FORM: &str = "bulk";

/// Shift-click on a photo checkbox sets every checkbox between it and the one clicked
/// before to the same state, as file managers do.
#[island]
pub fn RangeSelect() -> impl IntoView {
    Effect::new(move |_| {
        use std::cell::Cell;
        use std::rc::Rc;
        use wasm_bindgen::{closure::Closure, JsCast};
        let last = Rc::new(Cell::new(None::<u32>));
        let on_click =
            Closure::<dyn FnMut(web_sys::MouseEvent)>::new(move |e: web_sys::MouseEvent| {
                let Some(clicked) = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                    .filter(|i| i.type_() == "checkbox" && i.name() == "photo")
                else {
                    return;
                };
                let Ok(boxes) = document().query_selector_all("input[type=checkbox][name=photo]")
                else {
                    return;
                };
                let nth = |i: u32| {
                    boxes
                        .get(i)
                        .and_then(|n| n.dyn_into::<web_sys::HtmlInputElement>().ok())
                };
                let Some(here) = (0..boxes.length()).find(|&i| nth(i).as_ref() == Some(&clicked))
                else {
                    return;
                };
                if let (true, Some(before)) = (e.shift_key(), last.get()) {
                    for i in here.min(before)..=here.max(before) {
                        if let Some(b) = nth(i) {
                            b.set_checked(clicked.checked());
                        }
                    }
                }
                last.set(Some(here));
            });
        let _ =
            document().add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref());
        // Lives as long as the page.
        on_click.forget();
    });
}
