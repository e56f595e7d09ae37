//! Upload: a plain multipart form that works without JavaScript; once hydrated it
//! sends each file on its own request and shows per-file progress.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::accounts::current_user;
use crate::components::form::refusal;
use crate::components::upload_row::{FormError, UploadRow};
use crate::components::uploader::{upload_all, UploadItem};

#[component]
pub fn UploadPage() -> impl IntoView {
    // Set when the upload route renders this page as its answer to a refused form post.
    let server_error = refusal("/upload");
    let me = Resource::new(|| (), |_| current_user());
    view! {
        <Title text="Upload" />
        <section class="upload">
            <h1>"Upload photos"</h1>
            <Suspense fallback=|| ()>
                {move || {
                    let server_error = server_error.clone();
                    Suspend::new(async move {
                        match me.await {
                            Ok(Some(_)) => view! { <Uploader server_error /> }.into_any(),
                            _ => view! {
                                <p class="notice">
                                    <a href="/signin?next=/upload">"Sign in"</a>
                                    " or "
                                    <a href="/signup">"create an account"</a>
                                    " to upload photos."
                                </p>
                            }
                            .into_any(),
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}

/// The form, and with JS the per-file progress: the one part of this page that runs in
/// the browser.
#[island]
fn Uploader(server_error: Option<String>) -> impl IntoView {
    let items = RwSignal::new(Vec::<UploadItem>::new());
    let input = NodeRef::<leptos::html::Input>::new();

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        let Some(files) = input.get().and_then(|i| i.files()) else {
            return;
        };
        if files.length() == 0 {
            return;
        }
        ev.prevent_default();
        upload_all(files, items, move |urls| {
            // One photo: go and watch it get ready. Several: the feed shows them all.
            let to = match urls.as_slice() {
                [one] => one.clone(),
                _ => "/".to_string(),
            };
            let _ = window().location().set_href(&to);
        });
    };

    view! {
            <form
                method="post"
                action="/upload"
                enctype="multipart/form-data"
                on:submit=on_submit
            >
                <label for="photos">"Photos (JPEG, PNG, WebP or GIF, up to 16 MB each)"</label>
                <input
                    id="photos"
                    node_ref=input
                    type="file"
                    name="photos"
                    accept="image/jpeg,image/png,image/webp,image/gif"
                    multiple
                    required
                />
                {server_error.map(|message| view! { <FormError message /> })}
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
    }
}
