//! The route table: one path per page.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

use crate::components::nav::{Nav, NavBar};
use crate::http::escape_text;
use crate::pages::admin::{
    audit::AdminAuditPage, jobs::AdminJobsPage, people::AdminPeoplePage, repair::AdminRepairPage,
    storage::AdminStoragePage,
};
use crate::pages::{
    album::AlbumPage,
    design::DesignPage,
    liked::LikedPage,
    not_found::NotFoundPage,
    settings::SettingsPage,
    share::{SharePage, SharedPhotoPage},
    signin::{SignInPage, SignUpPage},
    trash::TrashPage,
    upload::UploadPage,
};

/// The routed pages. The feed, photo, tag, camera, lens, search and profile pages are not
/// among them: they render data first (`ssr::render`, `server::routes::pages`), inside the
/// same [`Frame`] parts this draws around a routed page.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <SiteTitle />
        <Router>
            <Nav />
            <main class="page">
                // Async SSR: the whole page is in the first response, so it works with JS off.
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/upload") view=UploadPage ssr=SsrMode::Async />
                    <Route path=path!("/a/:id") view=AlbumPage ssr=SsrMode::Async />
                    <Route path=path!("/liked") view=LikedPage ssr=SsrMode::Async />
                    <Route path=path!("/signin") view=SignInPage ssr=SsrMode::Async />
                    <Route path=path!("/signup") view=SignUpPage ssr=SsrMode::Async />
                    <Route path=path!("/settings") view=SettingsPage ssr=SsrMode::Async />
                    <Route path=path!("/s/:token") view=SharePage ssr=SsrMode::Async />
                    <Route path=path!("/s/:token/p/:photo") view=SharedPhotoPage ssr=SsrMode::Async />
                    <Route path=path!("/_design") view=DesignPage ssr=SsrMode::Async />
                    <Route path=path!("/admin") view=AdminJobsPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/storage") view=AdminStoragePage ssr=SsrMode::Async />
                    <Route path=path!("/admin/people") view=AdminPeoplePage ssr=SsrMode::Async />
                    <Route path=path!("/admin/audit") view=AdminAuditPage ssr=SsrMode::Async />
                    <Route path=path!("/trash") view=TrashPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/repair") view=AdminRepairPage ssr=SsrMode::Async />
                </Routes>
            </main>
        </Router>
    }
}

/// What [`App`] draws around a routed page, for a page rendered data first: the title's
/// suffix, the nav for the person already known, and the page's `<main>`.
#[component]
pub fn Frame(me: Option<crate::model::Me>, children: Children) -> impl IntoView {
    provide_meta_context();
    view! {
        <SiteTitle />
        <NavBar me />
        <main class="page">{children()}</main>
    }
}

/// Every page's title ends in the site's name.
#[component]
fn SiteTitle() -> impl IntoView {
    // Pages render only on the server (islands), where leptos_meta writes the title raw.
    // Pages isolate the user text in their titles (`text::isolate`), so right-to-left
    // text cannot reorder the suffix.
    view! {
        <Title formatter=|t: String| {
            if t.is_empty() { "Lumen".to_string() } else { format!("{} · Lumen", escape_text(&t)) }
        } />
    }
}
