//! Accounts: sign up, sign in and out, settings. Each server function calls the guard
//! first; the forms that post here work with and without JavaScript.

use leptos::prelude::*;

use crate::error::LumenError;
use crate::model::Me;

/// The signed-in user, or `None`.
#[server(prefix = "/api", endpoint = "current_user")]
pub async fn current_user() -> Result<Option<Me>, LumenError> {
    use crate::ssr::{guard::Need, request};
    let (_, session) = request::guard(Need::Read).await?;
    Ok(session.map(|s| Me {
        username: s.user.username,
        display_name: s.user.display_name,
        email: s.user.email,
        default_visibility: s.user.default_visibility,
        watermark: s.user.watermark,
    }))
}

#[server(prefix = "/api", endpoint = "sign_up")]
pub async fn sign_up(
    username: String,
    email: String,
    password: String,
    display_name: Option<String>,
) -> Result<(), LumenError> {
    use crate::ssr::service::accounts::{self, SignUp};
    use crate::ssr::{guard::Need, request};
    let (p, _) = request::guard(Need::AnyoneChanging).await?;
    let head = request::head();
    let form = SignUp {
        username,
        email,
        password,
        display_name: display_name.unwrap_or_default(),
    };
    let new = accounts::sign_up(&p, &head, form).await?;
    request::set_sign_in_cookies(&head, &new);
    request::redirect(&format!("/u/{}", new.user.username));
    Ok(())
}

#[server(prefix = "/api", endpoint = "sign_in")]
pub async fn sign_in(
    login: String,
    password: String,
    next: Option<String>,
) -> Result<(), LumenError> {
    use crate::ssr::service::accounts;
    use crate::ssr::{guard::Need, request};
    let (p, _) = request::guard(Need::AnyoneChanging).await?;
    let head = request::head();
    let new = accounts::sign_in(&p, &head, &login, &password).await?;
    request::set_sign_in_cookies(&head, &new);
    request::redirect(request::local_path(next.as_deref()));
    Ok(())
}

#[server(prefix = "/api", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), LumenError> {
    use crate::ssr::service::accounts;
    use crate::ssr::{auth, guard::Need, request};
    let (p, session) = request::guard(Need::AnyoneChanging).await?;
    if let Some(s) = session {
        accounts::sign_out(&p, &s).await?;
    }
    request::set_cookie(&auth::clear_cookie(request::head().host.as_deref()));
    request::redirect("/");
    Ok(())
}

/// Ends every other session of the signed-in user (lost phone, shared computer).
#[server(prefix = "/api", endpoint = "sign_out_others")]
pub async fn sign_out_others() -> Result<u32, LumenError> {
    use crate::ssr::{request, service::accounts};
    let (p, s) = request::member().await?;
    let ended = accounts::sign_out_others(&p, &s).await?;
    request::redirect(&format!("/settings?ended={ended}"));
    Ok(ended)
}

#[server(prefix = "/api", endpoint = "update_settings")]
pub async fn update_settings(
    display_name: String,
    default_visibility: String,
    watermark: Option<String>,
) -> Result<(), LumenError> {
    use crate::ssr::{request, service::accounts};
    let (p, s) = request::member().await?;
    accounts::update_settings(
        &p,
        &s,
        &display_name,
        &default_visibility,
        watermark.is_some(),
    )
    .await?;
    request::redirect("/settings?saved=settings");
    Ok(())
}

#[server(prefix = "/api", endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), LumenError> {
    use crate::ssr::{request, service::accounts};
    let (p, s) = request::member().await?;
    accounts::change_password(&p, &s, &current_password, &new_password).await?;
    request::redirect("/settings?saved=password");
    Ok(())
}
