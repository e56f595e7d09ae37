//! Upload: a plain multipart form that works without JavaScript; once hydrated it
//! sends each file on its own request and shows per-file progress.

use leptos::prelude::*;
use leptos_meta::Title;

use leptos_router::hooks::use_query_map;

use crate::api::accounts::current_user;
use crate::api::albums::list_albums;
use crate::components::form::refusal;
use crate::components::upload_row::{FormError, UploadRow};
use crate::components::uploader::{upload_all, UploadItem};

#[component]
pub fn UploadPage() -> impl IntoView {
    // Set when the upload route renders this page as its answer to a refused form post.
    let server_error = refusal("/upload");
    // `/upload?album=…` (from an album's page) picks that album.
    let selected = use_query_map().read_untracked().get("album");
    let me = Resource::new(|| (), |_| current_user());
    view! {
        <Title text="Upload" />
        <section class="upload">
            <h1>"Upload photos"</h1>
            <Suspense fallback=|| ()>
                {move || {
                    let server_error = server_error.clone();
                    let selected = selected.clone();
                    Suspend::new(async move {
                        match me.await {
                            Ok(Some(me)) => {
                                let albums = list_albums(me.username)
                                    .await
                                    .unwrap_or_default()
                                    .into_iter()
                                    .map(|a| (a.id, a.title))
                                    .collect();
                                view! {
                                    <AlbumChoice albums selected />
                                    <Uploader server_error />
                                }
                                .into_any()
                            }
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
/// The album to upload into: outside the island (server-rendered only) and tied to its
/// form by the `form` attribute; it comes before the form, so its field is sent first.
#[component]
fn AlbumChoice(albums: Vec<(String, String)>, selected: Option<String>) -> impl IntoView {
    (!albums.is_empty()).then(|| {
        let options = albums
            .into_iter()
            .map(|(id, title)| {
                let chosen = selected.as_deref() == Some(id.as_str());
                view! { <option value=id selected=chosen>{title}</option> }
            })
            .collect_view();
        view! {
            <p class="album-choice">
                <label for="album">"Album"</label>
                " "
                <select id="album" name="album" form=UPLOAD_FORM>
                    <option value="">"No album"</option>
                    {options}
                </select>
            </p>
        }
    })
}

const UPLOAD_FORM: &str = "upload-form";

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
        let into = document()
            .get_element_by_id("album")
            .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlSelectElement>(e).ok())
            .map(|s| s.value())
            .filter(|v| !v.is_empty());
        let target = into.clone();
        upload_all(files, items, into, move |urls| {
            // One photo: go and watch it get ready. Several: their album, or the feed.
            let to = match (urls.as_slice(), &target) {
                ([one], Some(a)) => format!("{one}?album={a}"),
                ([one], None) => one.clone(),
                (_, Some(a)) => format!("/a/{a}"),
                (_, None) => "/".to_string(),
            };
            let _ = window().location().set_href(&to);
        });
    };

    view! {
            <form
                id=UPLOAD_FORM
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
