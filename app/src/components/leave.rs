//! The settings page's "Your data" section: the trash, the export, and deleting the account.

use leptos::prelude::*;
use server_fn::ServerFn;

use crate::api::trash::DeleteAccount;
use crate::components::form::{Field, ServerForm};

#[component]
pub fn YourData() -> impl IntoView {
    view! {
        <h2>"Your data"</h2>
        <p>
            "Deleted photos wait in the " <a href="/trash">"trash"</a>
            " for 30 days, so you can restore them."
        </p>
        <ExportLink />
        <DeleteAccountForm />
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
