//! The trash: deleting a photo moves it here for [`KEEP_DAYS`]; restoring takes it back
//! exactly as it was (every row stays, only `trashed_at` changes); the purge removes it for
//! good through the deletion record (`TrashRepo::purge_rows`, then [`drain`]), so a purge
//! cut off half-way is finished by the next one and a second purge finds nothing to do.

use crate::error::LumenError;
use crate::model::{TrashItem, TrashPage};
use crate::ssr::access::Action;
use crate::ssr::auth::Session;
use crate::ssr::cursor::{self, Cursor, PAGE_SIZE};
use crate::ssr::keys;
use crate::ssr::ports::PhotoRow;
use crate::ssr::service::photos::{self, visible};
use crate::ssr::Platform;

/// Days a photo stays in the trash before the purge removes it.
pub const KEEP_DAYS: i64 = 30;
const DAY_MS: i64 = 24 * 60 * 60 * 1000;
pub const KEEP_MS: i64 = KEEP_DAYS * DAY_MS;
/// Photos one request may trash, restore or delete at once (a full page and then some).
pub const MAX_AT_ONCE: usize = 100;
/// Keys and photos the purge takes per read.
const PURGE_PAGE: u32 = 50;

/// What one purge did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    pub photos: u32,
    pub objects: u32,
}

/// Each id once, a clear 400 for none or too many or a malformed one.
fn ids(raw: &[String]) -> Result<Vec<String>, LumenError> {
    let mut out: Vec<String> = Vec::new();
    for id in raw.iter().map(|i| i.trim()) {
        let ok = !id.is_empty()
            && id.len() <= 64
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !ok {
            return Err(LumenError::NotFound);
        }
        if !out.iter().any(|o| o == id) {
            out.push(id.to_string());
        }
    }
    if out.is_empty() {
        return Err(LumenError::invalid("photo", "Choose at least one photo."));
    }
    if out.len() > MAX_AT_ONCE {
        return Err(LumenError::invalid(
            "photo",
            format!("Choose at most {MAX_AT_ONCE} photos at once."),
        ));
    }
    Ok(out)
}

/// Every photo, checked before anything changes: one the person may not delete fails the
/// whole request (nothing moves), answering as that photo's page would.
async fn allowed(
    p: &Platform,
    s: &Session,
    raw: &[String],
    in_trash: bool,
) -> Result<Vec<PhotoRow>, LumenError> {
    let mut rows = Vec::new();
    for id in ids(raw)? {
        let row = visible(p, Some(s), &id, Action::Delete).await?;
        if row.trashed_at.is_some() != in_trash {
            // Restoring a live photo, or trashing a trashed one: nothing by that id here.
            return Err(LumenError::NotFound);
        }
        rows.push(row);
    }
    Ok(rows)
}

fn id_list(rows: &[PhotoRow]) -> Vec<String> {
    rows.iter().map(|r| r.id.clone()).collect()
}

/// Moves the photos to their owner's trash: at once out of every listing, album, link and
/// search, their media 404 to everyone else. Returns how many moved.
pub async fn trash(p: &Platform, s: &Session, raw: &[String]) -> Result<u32, LumenError> {
    let rows = allowed(p, s, raw, false).await?;
    Ok(p.trash
        .trash(&s.user.id, &id_list(&rows), p.clock.now_ms())
        .await?)
}

/// Takes the photos out of the trash, back where they were.
pub async fn restore(p: &Platform, s: &Session, raw: &[String]) -> Result<u32, LumenError> {
    let rows = allowed(p, s, raw, true).await?;
    Ok(p.trash.restore(&s.user.id, &id_list(&rows)).await?)
}

/// "Delete now": the purge's own path, for trashed photos only.
pub async fn delete_now(p: &Platform, s: &Session, raw: &[String]) -> Result<Purged, LumenError> {
    let rows = allowed(p, s, raw, true).await?;
    let now = p.clock.now_ms();
    for row in &rows {
        purge_rows(p, row, now).await?;
    }
    let objects = drain(p, None).await?;
    Ok(Purged {
        photos: rows.len() as u32,
        objects,
    })
}

/// Days left before the purge, rounded up: "1 day left" until the very end.
pub fn days_left(trashed_at: i64, now_ms: i64) -> u32 {
    let left = (trashed_at + KEEP_MS - now_ms).max(0);
    ((left + DAY_MS - 1) / DAY_MS) as u32
}

/// The owner's trash, most recently trashed first, a page at a time.
pub async fn page(
    p: &Platform,
    s: &Session,
    raw_before: Option<&str>,
) -> Result<TrashPage, LumenError> {
    let before = photos::before(raw_before)?;
    let rows = p
        .trash
        .trashed(&s.user.id, before.as_ref(), PAGE_SIZE + 1)
        .await?;
    let (rows, next) = cursor::page(rows, PAGE_SIZE, |r| {
        Cursor::of_time(r.trashed_at.unwrap_or_default(), &r.id)
    });
    let now = p.clock.now_ms();
    let left: Vec<u32> = rows
        .iter()
        .map(|r| days_left(r.trashed_at.unwrap_or(now), now))
        .collect();
    let cards = photos::cards(p, rows).await?;
    Ok(TrashPage {
        items: cards
            .into_iter()
            .zip(left)
            .map(|(card, days_left)| TrashItem { card, days_left })
            .collect(),
        next,
    })
}

/// Records the photo's objects for deletion and deletes its rows, in one transaction.
pub(crate) async fn purge_rows(p: &Platform, row: &PhotoRow, now: i64) -> Result<(), LumenError> {
    let original = keys::original(&row.owner_id, &row.id);
    Ok(p.trash
        .purge_rows(&row.id, std::slice::from_ref(&original), now)
        .await?)
}

/// Removes the recorded objects, forgetting each key once its object is gone; at most
/// `budget` objects when given (a purge cut off part-way, as a test can ask). Returns how
/// many went.
pub async fn drain(p: &Platform, budget: Option<u32>) -> Result<u32, LumenError> {
    let mut done = 0u32;
    loop {
        let keys = p.trash.pending_deletions(PURGE_PAGE).await?;
        if keys.is_empty() {
            return Ok(done);
        }
        for key in keys {
            if budget.is_some_and(|b| done >= b) {
                return Ok(done);
            }
            p.blobs.delete(&key).await?;
            p.trash.deleted(&key).await?;
            done += 1;
        }
    }
}

/// The cron's purge at `now_ms`: first whatever an earlier purge left, then every photo
/// trashed more than [`KEEP_DAYS`] ago. `budget` caps the objects removed (see [`drain`]).
pub async fn purge(p: &Platform, now_ms: i64, budget: Option<u32>) -> Result<Purged, LumenError> {
    let mut out = Purged {
        objects: drain(p, budget).await?,
        ..Purged::default()
    };
    let left = |done: u32| budget.map(|b| b.saturating_sub(done));
    loop {
        let expired = p.trash.expired(now_ms - KEEP_MS, PURGE_PAGE).await?;
        if expired.is_empty() {
            break;
        }
        for id in &expired {
            if let Some(row) = p.photos.get(id).await? {
                purge_rows(p, &row, now_ms).await?;
                out.photos += 1;
            }
        }
        out.objects += drain(p, left(out.objects)).await?;
        if left(out.objects) == Some(0) {
            break;
        }
    }
    Ok(out)
}
