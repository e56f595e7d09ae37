use leptos::prelude::*;

#[component]
pub fn Nav() -> impl IntoView {
    view! {
        <header class="nav">
            <a class="brand" href="/">
                "Lumen"
            </a>
            <nav aria-label="Main">
                <a href="/">"Feed"</a>
                <a class="button primary" href="/upload">
                    "Upload"
                </a>
            </nav>
        </header>
    }
}
