use leptos::prelude::*;
use server_fn::ServerFn;

use crate::api::accounts::{current_user, SignOut};
use crate::model::Me;

#[component]
pub fn Nav() -> impl IntoView {
    // A visitor's bar is known without the session: rendered at once, it spares every
    // anonymous page (the cache's misses) a resource and a suspense boundary.
    #[cfg(feature = "ssr")]
    if crate::ssr::request::visitor() {
        return view! { <NavBar me=None /> }.into_any();
    }
    let me = Resource::new(|| (), |_| current_user());
    view! {
        <Suspense fallback=|| view! { <NavBar me=None /> }>
            {move || Suspend::new(async move { view! { <NavBar me=me.await.ok().flatten() /> } })}
        </Suspense>
    }
    .into_any()
}

/// The bar itself, for a signed-in user or a visitor; the design catalogue shows both.
#[component]
pub fn NavBar(me: Option<Me>) -> impl IntoView {
    let links = match me {
        Some(me) => view! {
            <a href=format!("/u/{}", me.username)>
                <bdi>{me.display_name}</bdi>
            </a>
            <a href="/liked">"Liked"</a>
            <a href="/settings">"Settings"</a>
            <form method="post" action=SignOut::PATH class="inline">
                <button type="submit" class="link">
                    "Sign out"
                </button>
            </form>
            <a class="button primary" href="/upload">
                "Upload"
            </a>
        }
        .into_any(),
        None => view! {
            <a href="/signin">"Sign in"</a>
            <a class="button primary" href="/signup">
                "Sign up"
            </a>
        }
        .into_any(),
    };
    view! {
        <header class="nav">
            <a class="brand" href="/">
                "Lumen"
            </a>
            <nav aria-label="Main">
                <a href="/">"Feed"</a>
                {links}
            </nav>
        </header>
    }
}
