//! The trash and leaving Lumen. Moving to, restoring from and deleting out of the trash are
//! a plain form route (`POST /trash/bulk`, `server/src/routes/trash.rs`): a server function
//! cannot take the repeated `photo` field of a plain form.

use leptos::prelude::*;

use crate::error::LumenError;
use crate::model::TrashPage;

/// A page of the signed-in person's trash, older than `before`.
#[server(prefix = "/api", endpoint = "list_trash")]
pub async fn list_trash(before: Option<String>) -> Result<TrashPage, LumenError> {
    use crate::ssr::{request, service::trash};
    let (p, s) = request::member().await?;
    trash::page(&p, &s, before.as_deref()).await
}

/// Queues the signed-in person's export zip (`service::prepared`); back to the settings.
#[server(prefix = "/api", endpoint = "prepare_export")]
pub async fn prepare_export() -> Result<(), LumenError> {
    use crate::ssr::{request, service::prepared};
    let (p, s) = request::member().await?;
    prepared::prepare(&p, &s).await?;
    request::redirect("/settings?export=preparing");
    Ok(())
}

/// The signed-in person's prepared export, if there is one.
#[server(prefix = "/api", endpoint = "export_status")]
pub async fn export_status() -> Result<Option<crate::model::PreparedExport>, LumenError> {
    use crate::ssr::{request, service::prepared};
    let (p, s) = request::member().await?;
    prepared::status(&p, &s).await
}

/// Deletes the signed-in person's account and everything in it, after their password.
#[server(prefix = "/api", endpoint = "delete_account")]
pub async fn delete_account(password: String) -> Result<(), LumenError> {
    use crate::ssr::{auth, request, service::leave};
    let (p, s) = request::member().await?;
    leave::delete_own_account(&p, &s, &password).await?;
    request::set_cookie(&auth::clear_cookie(request::head().host.as_deref()));
    request::redirect("/?account=deleted");
    Ok(())
}
