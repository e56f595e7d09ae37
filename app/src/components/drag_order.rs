//! Drag to reorder an album's photos where JavaScript runs. The rows are the server's
//! (each with its own "Move earlier / later" forms, which work without JavaScript); this
//! island only lets them be dragged, and saves each drop as one move.

use leptos::prelude::*;

use crate::api::albums::place_in_album;

#[island]
pub fn DragOrder(album_id: String, children: Children) -> impl IntoView {
    use wasm_bindgen::JsCast;
    let dragged = StoredValue::new(None::<web_sys::Element>);
    let row = |e: &web_sys::DragEvent| {
        e.target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest("li[data-photo]").ok().flatten())
    };
    let on_start = move |e: web_sys::DragEvent| {
        if let Some(li) = row(&e) {
            if let Some(dt) = e.data_transfer() {
                dt.set_effect_allowed("move");
                let _ = dt.set_data(
                    "text/plain",
                    &li.get_attribute("data-photo").unwrap_or_default(),
                );
            }
            dragged.set_value(Some(li));
        }
    };
    let on_over = move |e: web_sys::DragEvent| {
        if row(&e).is_some() {
            e.prevent_default();
        }
    };
    let on_drop = move |e: web_sys::DragEvent| {
        e.prevent_default();
        let (Some(target), Some(moving)) = (row(&e), dragged.get_value()) else {
            return;
        };
        if target == moving {
            return;
        }
        // The upper half of a row drops before it, the lower half after it.
        let rect = target.get_bounding_client_rect();
        let after = f64::from(e.client_y()) > rect.top() + rect.height() / 2.0;
        let anchor = if after {
            target.next_element_sibling()
        } else {
            Some(target.clone())
        };
        if let Some(list) = target.parent_element() {
            let _ = list.insert_before(&moving, anchor.as_ref().map(|a| a.unchecked_ref()));
        }
        let photo = moving.get_attribute("data-photo").unwrap_or_default();
        let before = moving
            .next_element_sibling()
            .and_then(|n| n.get_attribute("data-photo"));
        let album = album_id.clone();
        leptos::task::spawn_local(async move {
            if place_in_album(album, photo, before).await.is_err() {
                // The page shows the order the server has.
                let _ = window().location().reload();
            }
        });
        dragged.set_value(None);
    };
    view! {
        <div class="drag-order" on:dragstart=on_start on:dragover=on_over on:drop=on_drop>
            {children()}
        </div>
    }
}
