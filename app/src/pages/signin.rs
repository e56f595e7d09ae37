//! `/signin` and `/signup`: plain forms posting to the account server functions.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use server_fn::ServerFn;

use crate::api::accounts::{SignIn, SignUp};
use crate::components::form::{kept, Field, ServerForm};

#[component]
pub fn SignInPage() -> impl IntoView {
    const ACTION: &str = SignIn::PATH;
    let next = use_query_map()
        .read_untracked()
        .get("next")
        .unwrap_or_else(|| kept(ACTION, "next", "/"));
    view! {
        <Title text="Sign in" />
        <section class="account">
            <h1>"Sign in"</h1>
            <ServerForm action=ACTION class="stack">
                <input type="hidden" name="next" value=next />
                <Field action=ACTION name="login" label="Username" autocomplete="username" required=true />
                <Field
                    action=ACTION
                    name="password"
                    label="Password"
                    kind="password"
                    autocomplete="current-password"
                    required=true
                />
                <button type="submit" class="button primary">
                    "Sign in"
                </button>
            </ServerForm>
            <p>"New here? " <a href="/signup">"Create an account"</a></p>
        </section>
    }
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    const ACTION: &str = SignUp::PATH;
    view! {
        <Title text="Create an account" />
        <section class="account">
            <h1>"Create an account"</h1>
            <ServerForm action=ACTION class="stack">
                <Field
                    action=ACTION
                    name="username"
                    label="Username"
                    autocomplete="username"
                    required=true
                    minlength=3
                    maxlength=30
                    pattern="[A-Za-z0-9_\\-]{3,30}"
                    hint="3–30 letters, digits, - or _. Your page will be /u/username."
                />
                <Field
                    action=ACTION
                    name="display_name"
                    label="Display name (optional)"
                    autocomplete="name"
                    maxlength=60
                />
                <Field action=ACTION name="email" label="Email" kind="email" autocomplete="email" required=true />
                <Field
                    action=ACTION
                    name="password"
                    label="Password"
                    kind="password"
                    autocomplete="new-password"
                    required=true
                    minlength=10
                    hint="At least 10 characters."
                />
                <button type="submit" class="button primary">
                    "Create account"
                </button>
            </ServerForm>
            <p>"Already have an account? " <a href="/signin">"Sign in"</a></p>
        </section>
    }
}
