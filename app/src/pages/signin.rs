//! `/signin` and `/signup`: plain forms posting to the account server functions.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use server_fn::ServerFn;

use crate::api::accounts::{SignIn, SignUp};
use crate::components::form::{kept, ServerForm};

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
                <label for="login">"Username or email"</label>
                <input
                    id="login"
                    name="login"
                    autocomplete="username"
                    required
                    value=kept(ACTION, "login", "")
                />
                <label for="password">"Password"</label>
                <input
                    id="password"
                    name="password"
                    type="password"
                    autocomplete="current-password"
                    required
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
                <label for="username">"Username"</label>
                <input
                    id="username"
                    name="username"
                    autocomplete="username"
                    required
                    minlength="3"
                    maxlength="30"
                    pattern="[A-Za-z0-9_\\-]{3,30}"
                    aria-describedby="username-hint"
                    value=kept(ACTION, "username", "")
                />
                <small id="username-hint">"3–30 letters, digits, - or _. Your page will be /u/username."</small>
                <label for="display_name">"Display name (optional)"</label>
                <input
                    id="display_name"
                    name="display_name"
                    autocomplete="name"
                    maxlength="60"
                    value=kept(ACTION, "display_name", "")
                />
                <label for="email">"Email"</label>
                <input
                    id="email"
                    name="email"
                    type="email"
                    autocomplete="email"
                    required
                    value=kept(ACTION, "email", "")
                />
                <label for="password">"Password"</label>
                <input
                    id="password"
                    name="password"
                    type="password"
                    autocomplete="new-password"
                    required
                    minlength="10"
                    aria-describedby="password-hint"
                />
                <small id="password-hint">"At least 10 characters."</small>
                <button type="submit" class="button primary">
                    "Create account"
                </button>
            </ServerForm>
            <p>"Already have an account? " <a href="/signin">"Sign in"</a></p>
        </section>
    }
}
