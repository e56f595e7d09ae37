//! Lumen's UI: pages, components and server-function declarations, built twice:
//! `ssr` for the Worker and `hydrate` for the browser.

pub mod api;
pub mod components;
pub mod error;
pub mod http;
pub mod model;
pub mod pages;
pub mod routes;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod text;

use leptos::prelude::*;
use leptos_meta::MetaTags;

pub use routes::App;

/// Content hash of the client bundle and stylesheet, set by the build so asset URLs
/// change whenever their bytes do (they are served as immutable).
pub const ASSET_HASH: &str = match option_env!("LUMEN_ASSET_HASH") {
    Some(h) => h,
    None => "dev",
};

/// The document around the app; rendered only on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    html_document(options, || view! { <App /> })
}

/// The document around a page's body: the routed app's ([`shell`]) or a page rendered data
/// first (`ssr::render`). The body is built after the head's hydration scripts, as when it
/// was written inline: those tell the shared context that only islands hydrate, and what a
/// resource built before them sees decides whether its data is sent for hydration.
pub fn html_document<V: IntoView>(
    options: LeptosOptions,
    body: impl FnOnce() -> V,
) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                // The stylesheet goes in here as the page is sent (`ssr::lean::STYLE`).
                <style></style>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>{body()}</body>
        </html>
    }
}

/// Islands mode: pages are rendered on the server only; the browser hydrates just the
/// interactive islands (the uploader, the processing watcher), which keeps the client
/// bundle small. Forms are real forms either way.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    // The islands on this page hydrate in the same turn, right after this returns;
    // tests and CSS can rely on the mark.
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("data-hydrated", "true");
    }
}
