//! The settings page's "Your data" section: the trash, the export, and deleting the account.

use leptos::prelude::*;
use server_fn::ServerFn;

use crate::api::trash::{export_status, DeleteAccount, PrepareExport};
use crate::components::error_box::ErrorBox;
use crate::components::form::{Field, ServerForm};
use crate::model::PreparedExport;

#[component]
pub fn YourData() -> impl IntoView {
    view! {
        <h2>"Your data"</h2>
        <p>
            "Deleted photos wait in the " <a href="/trash">"trash"</a>
            " for 30 days, so you can restore them."
        </p>
        <ExportLink />
        <PreparedExportSection />
        <DeleteAccountForm />
    }
}

/// The queued export's state, read for the signed-in person.
#[component]
fn PreparedExportSection() -> impl IntoView {
    let state = Resource::new(|| (), |_| export_status());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match state.await {
                    Ok(export) => view! { <PreparedExportView export /> }.into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// For a large library: the zip is built in the background and kept for a day. Shows its
/// state (none, being prepared, ready with its link, failed) and the form that (re)starts it.
#[component]
pub fn PreparedExportView(export: Option<PreparedExport>) -> impl IntoView {
    let state = export
        .as_ref()
        .map(|e| e.status.clone())
        .unwrap_or_default();
    let line = match (state.as_str(), export) {
        ("building", _) => Some(
            view! { <p class="notice" role="status">"Your export is being prepared. Reload this page in a minute."</p> }
                .into_any(),
        ),
        ("ready", Some(PreparedExport { url: Some(url), bytes, expires_in_hours, .. })) => Some(
            view! {
                <p class="notice ok" role="status">
                    "Your export is ready: " <a href=url download>"Download it (" {crate::pages::admin::size(bytes)} ")"</a>
                    ". The link works for " {expires_in_hours} " more hour" {if expires_in_hours == 1 { "" } else { "s" }} "."
                </p>
            }
                .into_any(),
        ),
        ("failed", _) => Some(
            view! { <p class="notice error" role="alert">"Your export could not be prepared. Try again."</p> }
                .into_any(),
        ),
        _ => None,
    };
    view! {
        <div class="prepared-export">
            {line}
            <ServerForm action=PrepareExport::PATH class="stack" label="Prepare export">
                <p class="muted">
                    "A large library? Lumen can prepare the same zip in the background and keep it for a day."
                </p>
                <button type="submit" class="button" disabled=state == "building">
                    "Prepare export"
                </button>
            </ServerForm>
        </div>
    }
}

/// Behind a `<details>`, and only with the password typed again.
#[component]
pub fn DeleteAccountForm(#[prop(optional)] open: bool) -> impl IntoView {
    view! {
        <details class="danger-zone" open=open>
            <summary>"Delete my account…"</summary>
            <ServerForm action=DeleteAccount::PATH class="stack" label="Delete account">
                <p>
                    "This removes your account and everything in it at once: every photo (the trash too), "
                    "your albums, share links, likes and comments, including your comments on other people's photos. "
                    "It cannot be undone."
                </p>
                <Field
                    action=DeleteAccount::PATH
                    name="password"
                    label="Your password"
                    kind="password"
                    autocomplete="current-password"
                    required=true
                />
                <button type="submit" class="button danger">
                    "Delete my account and everything in it"
                </button>
            </ServerForm>
        </details>
    }
}

/// The export is made when asked for: the link is ready at once.
#[component]
pub fn ExportLink() -> impl IntoView {
    view! {
        <p class="export">
            <a class="button" href="/export.zip" download>"Download all my photos (zip)"</a>
            <br />
            <small class="muted">
                "Every original, with photos.json: titles, captions, alt text, tags, albums, visibility and dates. "
                "Its copy of photos.json is removed after a day."
            </small>
        </p>
    }
}
