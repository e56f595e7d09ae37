//! Upload: a plain multipart form that works without JavaScript; once hydrated it
//! sends each file on its own request and shows per-file progress.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::components::upload_row::{FormError, UploadRow};
use crate::components::uploader::{upload_all, UploadItem};

#[component]
pub fn UploadPage() -> impl IntoView {
    let query = use_query_map();
    // Set by the upload route when a form post without JS was refused.
    let server_error = move || {
        query
            .read()
            .get("error")
            .map(|e| e.chars().take(300).collect::<String>())
    };
    let items = RwSignal::new(Vec::<UploadItem>::new());
    let input = NodeRef::<leptos::html::Input>::new();
    let navigate = use_navigate();

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        let Some(files) = input.get().and_then(|i| i.files()) else {
            return;
        };
        if files.length() == 0 {
            return;
        }
        ev.prevent_default();
        let navigate = navigate.clone();
        upload_all(files, items, move |urls| {
            // One photo: go and watch it get ready. Several: the feed shows them all.
            let to = match urls.as_slice() {
                [one] => one.clone(),
                _ => "/".to_string(),
            };
            navigate(&to, Default::default());
        });
    };

    view! {
        <Title text="Upload" />
        <section class="upload">
            <h1>"Upload photos"</h1>
            <form
                method="post"
                action="/upload"
                enctype="multipart/form-data"
                on:submit=on_submit
            >
                <label for="photos">"Photos (JPEG, PNG, WebP or GIF, up to 50 MB each)"</label>
                <input
                    id="photos"
                    node_ref=input
                    type="file"
                    name="photos"
                    accept="image/jpeg,image/png,image/webp,image/gif"
                    multiple
                    required
                />
                {move || server_error().map(|message| view! { <FormError message /> })}
                <button type="submit" class="button primary">
                    "Upload"
                </button>
            </form>
            <ul class="progress-list" aria-label="Upload progress">
                // A handful of rows: redraw them all on each change.
                {move || {
                    items.get().into_iter().map(|item| view! { <UploadRow item /> }).collect_view()
                }}
            </ul>
        </section>
    }
}
