//! The axum router: Leptos pages and server functions, plus the plain routes
//! (uploads, media, dev tools). Built once per isolate; the per-request `Platform`
//! arrives as a request extension.

use std::cell::OnceCell;

use app::ssr::cache::CacheTags;
use app::ssr::platform::Platform;
use app::ssr::request::SessionOnce;
use app::{shell, App};
use axum::body::{Bytes, HttpBody};
use axum::http::Request;
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::{BoxError, Router};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_service::Service;

use crate::routes;

thread_local! {
    static ROUTER: OnceCell<Router> = const { OnceCell::new() };
}

pub fn router() -> Router {
    ROUTER.with(|r| r.get_or_init(build).clone())
}

/// One request through the router, with what every page and route reads of the request
/// it serves: the platform, the cache tags the answer collects, the session read once.
pub async fn serve<B>(mut req: Request<B>, p: Platform, tags: CacheTags) -> Response
where
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    req.extensions_mut().insert(p);
    req.extensions_mut().insert(tags);
    req.extensions_mut().insert(SessionOnce::default());
    match router().call(req).await {
        Ok(res) => res,
        Err(never) => match never {},
    }
}

/// Built once per isolate: every page rendered data first takes a copy.
pub(crate) fn options() -> LeptosOptions {
    thread_local! {
        static OPTIONS: LeptosOptions = LeptosOptions::builder()
            .output_name(format!("app-{}", app::ASSET_HASH))
            .site_pkg_dir("pkg")
            .build();
    }
    OPTIONS.with(Clone::clone)
}

fn build() -> Router {
    let options = options();
    let app_options = options.clone();
    let app_fn = move || shell(app_options.clone());
    Router::new()
        .route("/", get(routes::pages::feed))
        .merge(routes::pages::routes())
        .route("/upload", post(routes::upload::handle))
        .route("/media/{*rest}", get(routes::media::variant))
        .route("/original/{id}", get(routes::media::original))
        .route("/a/{id}/download", get(routes::albums::download))
        .route("/u/{username}/feed.atom", get(routes::feeds::user))
        .route("/a/{id}/feed.atom", get(routes::feeds::album))
        .route("/t/{tag}/feed.atom", get(routes::feeds::tag))
        .route(routes::albums::BULK, post(routes::albums::bulk))
        .route("/s/{token}/media/{*rest}", get(routes::links::variant))
        .route("/s/{token}/original/{id}", get(routes::links::original))
        .route("/s/{token}/download", get(routes::links::download))
        .route("/_dev/requeue/{id}", post(routes::dev::requeue))
        .route("/_dev/sign-in/{username}", get(routes::dev::sign_in_as))
        .route("/_dev/sign-out", get(routes::dev::sign_out))
        .route(routes::trash::BULK, post(routes::trash::bulk))
        .route("/export.zip", get(routes::trash::export))
        .route("/_dev/purge", post(routes::dev_trash::purge))
        .route("/_dev/floor", get(routes::dev::floor))
        .route("/_dev/render", get(routes::dev::render))
        .route("/exports/{user_id}", get(routes::exports::download))
        .route("/_dev/exports", post(routes::exports::sweep))
        .route("/upload/resumable", post(routes::resumable::create))
        .route(
            "/upload/resumable/{id}",
            get(routes::resumable::status).delete(routes::resumable::abort),
        )
        .route("/upload/resumable/{id}/{n}", put(routes::resumable::part))
        .route(
            "/upload/resumable/{id}/complete",
            post(routes::resumable::complete),
        )
        .route("/_dev/sweep-uploads", post(routes::resumable::dev_sweep))
        .leptos_routes_with_context(
            &options,
            generate_route_list(App),
            app::ssr::request::provide_page_context,
            app_fn.clone(),
        )
        // Unknown paths render the app too, whose router shows the 404 page (status 404).
        .fallback(leptos_axum::render_app_async_with_context(
            app::ssr::request::provide_page_context,
            app_fn,
        ))
        .layer(axum::middleware::from_fn(routes::forms::layer))
        .with_state(options)
}

/// Registers every server function: inventory does not run on wasm.
pub fn register_server_fns() {
    use app::api::accounts::{
        ChangePassword, CurrentUser, SignIn, SignOut, SignOutOthers, SignUp, UpdateSettings,
    };
    use app::api::albums::{
        AddToAlbum, AlbumChoices, CreateAlbum, DeleteAlbum, GetAlbum, GetAlbumPlace, ListAlbums,
        MoveInAlbum, PlaceInAlbum, RemoveFromAlbum, SetAlbumCover, UpdateAlbum,
    };
    use app::api::dev::CheckDevTools;
    use app::api::links::{
        CreateLink, GetShare, GetSharedPhoto, ListLinks, ResetLink, RevokeLink, UnlockLink,
        UpdateLink,
    };
    use app::api::photos::{
        DeletePhoto, GetPhoto, GetProfile, ListPhotos, UpdatePhoto, UploadLabel,
    };
    use app::api::search::{AddTags, GetTags, ListByGear, ListTagged, RemoveTag, SearchPhotos};
    use app::api::social::{
        AddComment, DeleteComment, EditComment, GetSocial, LikePhoto, ListLiked, SetSocial,
        UnlikePhoto,
    };
    use server_fn::axum::register_explicit;
    register_explicit::<ListPhotos>();
    register_explicit::<GetPhoto>();
    register_explicit::<GetProfile>();
    register_explicit::<UpdatePhoto>();
    register_explicit::<UploadLabel>();
    register_explicit::<DeletePhoto>();
    register_explicit::<CurrentUser>();
    register_explicit::<SignUp>();
    register_explicit::<SignIn>();
    register_explicit::<SignOut>();
    register_explicit::<SignOutOthers>();
    register_explicit::<UpdateSettings>();
    register_explicit::<ChangePassword>();
    register_explicit::<CheckDevTools>();
    register_explicit::<GetAlbum>();
    register_explicit::<ListAlbums>();
    register_explicit::<AlbumChoices>();
    register_explicit::<GetAlbumPlace>();
    register_explicit::<CreateAlbum>();
    register_explicit::<UpdateAlbum>();
    register_explicit::<DeleteAlbum>();
    register_explicit::<AddToAlbum>();
    register_explicit::<RemoveFromAlbum>();
    register_explicit::<MoveInAlbum>();
    register_explicit::<PlaceInAlbum>();
    register_explicit::<SetAlbumCover>();
    register_explicit::<GetShare>();
    register_explicit::<GetSharedPhoto>();
    register_explicit::<ListLinks>();
    register_explicit::<CreateLink>();
    register_explicit::<UpdateLink>();
    register_explicit::<ResetLink>();
    register_explicit::<RevokeLink>();
    register_explicit::<UnlockLink>();
    register_explicit::<GetSocial>();
    register_explicit::<LikePhoto>();
    register_explicit::<UnlikePhoto>();
    register_explicit::<SetSocial>();
    register_explicit::<AddComment>();
    register_explicit::<EditComment>();
    register_explicit::<DeleteComment>();
    register_explicit::<ListLiked>();
    register_explicit::<GetTags>();
    register_explicit::<AddTags>();
    register_explicit::<RemoveTag>();
    register_explicit::<ListTagged>();
    register_explicit::<ListByGear>();
    register_explicit::<SearchPhotos>();
    register_explicit::<app::api::viewer::GetContext>();
    // Issue 15: the admin console.
    {
        use app::api::admin::*;
        register_explicit::<AdminJobs>();
        register_explicit::<AdminRerun>();
        register_explicit::<AdminRerunAll>();
        register_explicit::<AdminPeople>();
        register_explicit::<AdminSuspend>();
        register_explicit::<AdminUnsuspend>();
        register_explicit::<AdminDeleteAccount>();
        register_explicit::<AdminStorage>();
        register_explicit::<AdminAudit>();
        register_explicit::<AdminRepairView>();
        register_explicit::<AdminRepair>();
    }
    register_trash_fns();
}

/// The trash's and leaving's server functions.
fn register_trash_fns() {
    use app::api::trash::{DeleteAccount, ListTrash};
    use server_fn::axum::register_explicit;
    register_explicit::<ListTrash>();
    register_explicit::<DeleteAccount>();
    register_explicit::<app::api::trash::PrepareExport>();
    register_explicit::<app::api::trash::ExportStatus>();
}
