//! The admin console's server functions (issue 15). Each one answers 404 to anyone but an
//! admin (`service::admin::gate`, the rule in `access.rs`); the writes also refuse
//! cross-site requests (the guard) and are plain forms, so the console works with JS off.

use leptos::prelude::*;

use crate::error::LumenError;
use crate::model::admin::{AuditView, JobsView, PeopleView, RepairView, Repaired, StorageView};

#[server(prefix = "/api", endpoint = "admin_jobs")]
pub async fn admin_jobs(before: Option<String>) -> Result<JobsView, LumenError> {
    let (p, s) = ssr::read().await?;
    crate::ssr::service::admin::jobs(&p, s.as_ref(), before.as_deref()).await
}

#[server(prefix = "/api", endpoint = "admin_rerun")]
pub async fn admin_rerun(id: String) -> Result<(), LumenError> {
    let (p, s) = ssr::change().await?;
    crate::ssr::service::admin::rerun(&p, s.as_ref(), &id).await?;
    ssr::back_to("/admin");
    Ok(())
}

#[server(prefix = "/api", endpoint = "admin_rerun_all")]
pub async fn admin_rerun_all() -> Result<u32, LumenError> {
    let (p, s) = ssr::change().await?;
    let n = crate::ssr::service::admin::rerun_all(&p, s.as_ref()).await?;
    ssr::back_to("/admin");
    Ok(n)
}

#[server(prefix = "/api", endpoint = "admin_people")]
pub async fn admin_people(before: Option<String>) -> Result<PeopleView, LumenError> {
    let (p, s) = ssr::read().await?;
    crate::ssr::service::admin::people(&p, s.as_ref(), before.as_deref()).await
}

#[server(prefix = "/api", endpoint = "admin_suspend")]
pub async fn admin_suspend(id: String) -> Result<(), LumenError> {
    let (p, s) = ssr::change().await?;
    crate::ssr::service::admin::suspend(&p, s.as_ref(), &id, true).await?;
    ssr::back_to("/admin/people");
    Ok(())
}

#[server(prefix = "/api", endpoint = "admin_unsuspend")]
pub async fn admin_unsuspend(id: String) -> Result<(), LumenError> {
    let (p, s) = ssr::change().await?;
    crate::ssr::service::admin::suspend(&p, s.as_ref(), &id, false).await?;
    ssr::back_to("/admin/people");
    Ok(())
}

/// Deletes a suspended person's account, confirmed by their username (audited).
#[server(prefix = "/api", endpoint = "admin_delete_account")]
pub async fn admin_delete_account(id: String, confirm: String) -> Result<(), LumenError> {
    let (p, s) = ssr::change().await?;
    crate::ssr::service::admin::delete_account(&p, s.as_ref(), &id, &confirm).await?;
    ssr::back_to("/admin/people");
    Ok(())
}

#[server(prefix = "/api", endpoint = "admin_storage")]
pub async fn admin_storage() -> Result<StorageView, LumenError> {
    let (p, s) = ssr::read().await?;
    crate::ssr::service::admin::storage(&p, s.as_ref()).await
}

#[server(prefix = "/api", endpoint = "admin_audit")]
pub async fn admin_audit(before: Option<String>) -> Result<AuditView, LumenError> {
    let (p, s) = ssr::read().await?;
    crate::ssr::service::admin::audit_log(&p, s.as_ref(), before.as_deref()).await
}

#[server(prefix = "/api", endpoint = "admin_repair_view")]
pub async fn admin_repair_view(at: Option<String>) -> Result<RepairView, LumenError> {
    let (p, s) = ssr::read().await?;
    crate::ssr::service::repair::view(&p, s.as_ref(), at.as_deref()).await
}

/// Repairs the page at `at`, then (a plain form) shows that page again.
#[server(prefix = "/api", endpoint = "admin_repair")]
pub async fn admin_repair(at: Option<String>) -> Result<Repaired, LumenError> {
    let (p, s) = ssr::change().await?;
    let done = crate::ssr::service::repair::repair(&p, s.as_ref(), at.as_deref()).await?;
    let back = match at.as_deref() {
        Some(at) => format!("/admin/repair?at={}", crate::components::paging::encode(at)),
        None => "/admin/repair".into(),
    };
    ssr::back_to(&back);
    Ok(done)
}

#[cfg(feature = "ssr")]
mod ssr {
    use axum::http::{header, request::Parts};
    use leptos::prelude::use_context;

    use crate::error::LumenError;
    use crate::ssr::auth::Session;
    use crate::ssr::guard::Need;
    use crate::ssr::{request, Platform};

    /// Reads: the session if any; the gate answers 404 without one.
    pub async fn read() -> Result<(Platform, Option<Session>), LumenError> {
        request::guard(Need::Read).await
    }

    /// Writes: same-site only (403 otherwise); then, like reads, 404 unless an admin (not
    /// `member()`'s 401, which would tell anonymous callers the function exists).
    pub async fn change() -> Result<(Platform, Option<Session>), LumenError> {
        request::guard(Need::AnyoneChanging).await
    }

    /// A plain form post (the browser asked for HTML) goes back to the console page.
    pub fn back_to(path: &str) {
        let html = use_context::<Parts>().is_some_and(|p| {
            p.headers
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|a| a.contains("text/html"))
        });
        if html {
            request::redirect(path);
        }
    }
}
