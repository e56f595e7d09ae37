//! People leaving with or without their data: deleting an account.

use crate::error::LumenError;
use crate::ssr::auth::Session;
use crate::ssr::keys;
use crate::ssr::service::{accounts, trash};
use crate::ssr::Platform;

/// Photo ids read per page while an account's photos are purged.
const PAGE: u32 = 50;

/// Removes everything `user_id` owns: every photo (trashed or not) purged at once through
/// the deletion record, then their albums, links, likes, comments (on anyone's photos),
/// sessions and the account itself. Objects the request could not remove stay in the
/// deletion record for the cron. The one way an account goes: the person's own
/// confirmation ([`delete_own_account`]) and an admin's (audited there) both call this.
pub async fn delete_account(p: &Platform, user_id: &str) -> Result<(), LumenError> {
    // While their photo ids are still there to name the pages that show them.
    super::cache::owner_changed(p, user_id).await;
    let now = p.clock.now_ms();
    let mut after: Option<String> = None;
    loop {
        let ids = p.trash.all_of(user_id, after.as_deref(), PAGE).await?;
        let Some(last) = ids.last().cloned() else {
            break;
        };
        for id in &ids {
            if let Some(row) = p.photos.get(id).await? {
                trash::purge_rows(p, &row, now).await?;
            }
        }
        after = Some(last);
    }
    // Their export's `photos.json`, if any (its key is fixed; deleting none is harmless).
    p.blobs.delete(&keys::export_json(user_id)).await?;
    p.trash.delete_user(user_id).await?;
    // The objects last: a failure here leaves them recorded, never the rows.
    if let Err(e) = trash::drain(p, None).await {
        leptos::logging::warn!("account {user_id} deleted; objects left to the cron: {e:?}");
    }
    Ok(())
}

/// The person's own "delete my account", after typing their password.
pub async fn delete_own_account(
    p: &Platform,
    s: &Session,
    password: &str,
) -> Result<(), LumenError> {
    accounts::confirm_password(p, s, "password", password).await?;
    delete_account(p, &s.user.id).await
}
