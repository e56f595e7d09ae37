//! `/settings`: display name, defaults for new uploads, password, other sessions.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use server_fn::ServerFn;

use crate::api::accounts::{current_user, ChangePassword, SignOutOthers, UpdateSettings};
use crate::components::error_box::ErrorBox;
use crate::components::form::{kept, Checkbox, Field, ServerForm};
use crate::error::LumenError;
use crate::model::{Me, Visibility};

#[component]
pub fn SettingsPage() -> impl IntoView {
    let me = Resource::new(|| (), |_| current_user());
    view! {
        <Title text="Settings" />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(me)) => view! { <Settings me /> }.into_any(),
                    Ok(None) => view! { <ErrorBox error=LumenError::Unauthenticated /> }.into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A one-line confirmation after a change, from the redirect's query.
fn done_message() -> Option<String> {
    let q = use_query_map().read_untracked();
    match (q.get("saved").as_deref(), q.get("ended")) {
        (Some("settings"), _) => Some("Settings saved.".into()),
        (Some("password"), _) => {
            Some("Password changed. Your other sessions were signed out.".into())
        }
        (_, Some(n)) => Some(format!(
            "Signed out of {} other session{}.",
            n.parse::<u32>().unwrap_or(0),
            if n == "1" { "" } else { "s" }
        )),
        _ => None,
    }
}

#[component]
fn Settings(me: Me) -> impl IntoView {
    const SETTINGS: &str = UpdateSettings::PATH;
    let current_default = kept(
        SETTINGS,
        "default_visibility",
        me.default_visibility.as_str(),
    );
    let options = Visibility::ALL
        .into_iter()
        .map(|v| {
            view! {
                <option value=v.as_str() selected=current_default == v.as_str()>
                    {v.label()}
                </option>
            }
        })
        .collect_view();
    view! {
        <section class="settings">
            <h1>"Settings"</h1>
            {done_message().map(|m| view! { <p class="notice ok" role="status">{m}</p> })}
            <p class="muted">"Signed in as @" {me.username.clone()} " (" {me.email.clone()} ")"</p>

            <h2>"Profile and uploads"</h2>
            <ServerForm action=SETTINGS class="stack" label="Profile and uploads">
                <Field
                    action=SETTINGS
                    name="display_name"
                    label="Display name"
                    required=true
                    maxlength=60
                    value=me.display_name.clone()
                />
                <label for="default_visibility">"Who sees new uploads"</label>
                <select id="default_visibility" name="default_visibility">
                    {options}
                </select>
                <Checkbox
                    action=SETTINGS
                    name="watermark"
                    label="Watermark new uploads with my username"
                    checked=me.watermark
                />
                <button type="submit" class="button primary">
                    "Save settings"
                </button>
            </ServerForm>

            <h2>"Password"</h2>
            <ServerForm action=ChangePassword::PATH class="stack" label="Change password">
                <Field
                    action=ChangePassword::PATH
                    name="current_password"
                    label="Current password"
                    kind="password"
                    autocomplete="current-password"
                    required=true
                />
                <Field
                    action=ChangePassword::PATH
                    name="new_password"
                    label="New password (at least 10 characters)"
                    kind="password"
                    autocomplete="new-password"
                    minlength=10
                    required=true
                />
                <button type="submit" class="button">
                    "Change password"
                </button>
            </ServerForm>

            <h2>"Sessions"</h2>
            <ServerForm action=SignOutOthers::PATH class="stack" label="Other sessions">
                <p>"Signed in on a computer you no longer use? End every session but this one."</p>
                <button type="submit" class="button">
                    "Sign out everywhere else"
                </button>
            </ServerForm>
            <crate::components::leave::YourData />
        </section>
    }
}
