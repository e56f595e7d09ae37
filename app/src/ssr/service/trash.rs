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
    let n = p
        .trash
        .trash(&s.user.id, &id_list(&rows), p.clock.now_ms())
        .await?;
    super::cache::photos_changed(p, &rows).await;
    Ok(n)
}

/// Takes the photos out of the trash, back where they were.
pub async fn restore(p: &Platform, s: &Session, raw: &[String]) -> Result<u32, LumenError> {
    let rows = allowed(p, s, raw, true).await?;
    let n = p.trash.restore(&s.user.id, &id_list(&rows)).await?;
    super::cache::photos_changed(p, &rows).await;
    Ok(n)
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
        Cursor::of_time(r.trashed_at, &r.photo.id)
    });
    let now = p.clock.now_ms();
    let (rows, left): (Vec<_>, Vec<u32>) = rows
        .into_iter()
        .map(|r| (r.photo, days_left(r.trashed_at, now)))
        .unzip();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PhotoStatus;
    use crate::ssr::fakes::{block_on, fake_platform, pending_row, session, Mem};
    use crate::ssr::service::{leave, photos};
    use std::sync::Arc;

    /// A ready public photo of ada's (`u1`) with its original and two variants stored.
    fn stored(mem: &Mem, id: &str, at: i64) {
        let mut row = pending_row(id, at);
        row.status = PhotoStatus::Ready;
        mem.insert(row);
        mem.put_blob(&keys::original("u1", id), vec![1]);
        for w in [320, 640] {
            mem.add_variant(id, w);
            mem.put_blob(&keys::variant(id, "r", w, "jpg"), vec![2]);
        }
    }

    fn setup() -> (Platform, Arc<Mem>, Session, Session) {
        let (p, mem) = fake_platform();
        let ada = session(&p, "u1", "ada");
        let bob = session(&p, "u2", "bob");
        for (i, id) in ["a", "b", "c"].into_iter().enumerate() {
            stored(&mem, id, i as i64 + 1);
        }
        (p, mem, ada, bob)
    }

    fn v(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    fn feed_ids(p: &Platform) -> Vec<String> {
        block_on(photos::feed(p, None))
            .map(|f| f.photos.into_iter().map(|c| c.id).collect())
            .unwrap_or_default()
    }

    fn own_ids(p: &Platform, s: &Session) -> Vec<String> {
        block_on(photos::profile(p, Some(s), "ada", None))
            .map(|f| f.photos.into_iter().map(|c| c.id).collect())
            .unwrap_or_default()
    }

    #[test]
    fn delete_moves_to_the_trash_and_restore_brings_it_back_as_it_was() {
        let (p, mem, ada, bob) = setup();
        let before = mem.photo("a").unwrap();
        assert_eq!(block_on(trash(&p, &ada, &v(&["a", "b", "a"]))), Ok(2));
        assert_eq!(feed_ids(&p), ["c"]);
        assert_eq!(own_ids(&p, &ada), ["c"], "the owner's listing too");
        // Gone for everyone else, as a made-up id; the owner still sees it (thumbnails).
        for who in [Some(&bob), None] {
            let e = block_on(photos::photo(&p, who, "a", "https://x")).unwrap_err();
            assert_eq!(e, LumenError::NotFound);
        }
        assert!(block_on(photos::visible(&p, Some(&ada), "a", Action::View)).is_ok());
        assert_eq!(
            block_on(photos::visible(&p, Some(&ada), "a", Action::Edit)),
            Err(LumenError::NotFound),
            "no editing in the trash"
        );
        let page = block_on(page(&p, &ada, None)).unwrap();
        let listed: Vec<_> = page
            .items
            .iter()
            .map(|i| (i.card.id.as_str(), i.days_left))
            .collect();
        assert_eq!(listed, [("b", 30), ("a", 30)]);
        mem.advance(29 * DAY_MS + 1);
        assert_eq!(
            block_on(super::page(&p, &ada, None)).unwrap().items[0].days_left,
            1
        );

        assert_eq!(block_on(restore(&p, &ada, &v(&["a"]))), Ok(1));
        assert_eq!(mem.photo("a").unwrap(), before, "exactly as it was");
        assert_eq!(feed_ids(&p), ["c", "a"]);
        assert_eq!(mem.blobs.len(), 9, "nothing removed");
    }

    /// The page from lean rows is the page whole rows made: the same cards, days left and
    /// cursor, over two pages whose boundary splits photos trashed at the same moment (the
    /// id breaks the tie); pending, failed and private photos too; nobody else's trash.
    #[test]
    fn the_lean_trash_page_is_the_one_whole_rows_made() {
        let (p, mem) = fake_platform();
        let ada = session(&p, "u1", "ada");
        let ids: Vec<String> = (0..33).map(|i| format!("p{i:02}")).collect();
        for (i, id) in ids.iter().enumerate() {
            match i % 5 {
                // Unfinished: no variants, so no thumbnail.
                0 => mem.insert(pending_row(id, i as i64)),
                1 => {
                    let mut row = pending_row(id, i as i64);
                    row.status = PhotoStatus::Failed;
                    row.failure = Some("<b>broken</b>".into());
                    mem.insert(row);
                }
                _ => stored(&mem, id, i as i64),
            }
        }
        let mut private = mem.photo("p02").unwrap();
        private.visibility = crate::model::Visibility::Private;
        private.title = "<script>alert(1)</script>".into();
        mem.insert(private);
        // Four at a time, hours apart: ties, and days left that differ.
        for batch in ids.chunks(4) {
            block_on(trash(&p, &ada, batch)).unwrap();
            mem.advance(DAY_MS / 3);
        }
        let mut bobs = pending_row("z", 9);
        bobs.owner_id = "u2".into();
        bobs.trashed_at = Some(1);
        mem.insert(bobs);

        // What the page made of whole rows: ada's trashed photos, newest first, then by id.
        let now = mem.now.load(std::sync::atomic::Ordering::SeqCst);
        let mut whole: Vec<PhotoRow> = ids.iter().filter_map(|id| mem.photo(id)).collect();
        whole.sort_by_key(|r| std::cmp::Reverse((r.trashed_at, r.id.clone())));
        let days: Vec<u32> = whole
            .iter()
            .map(|r| days_left(r.trashed_at.unwrap_or(now), now))
            .collect();
        let cards = block_on(photos::cards(&p, whole)).unwrap();
        let want: Vec<TrashItem> = cards
            .into_iter()
            .zip(days)
            .map(|(card, days_left)| TrashItem { card, days_left })
            .collect();

        let first = block_on(page(&p, &ada, None)).unwrap();
        assert_eq!(first.items.len(), PAGE_SIZE as usize);
        let next = first.next.clone().expect("a second page");
        let second = block_on(page(&p, &ada, Some(&next))).unwrap();
        assert_eq!(second.next, None);
        let got: Vec<TrashItem> = first.items.into_iter().chain(second.items).collect();
        assert_eq!(got, want);
        let left: std::collections::BTreeSet<u32> = got.iter().map(|i| i.days_left).collect();
        assert_eq!(left.into_iter().collect::<Vec<_>>(), [27, 28, 29, 30]);
        // The boundary fell inside a batch trashed at one moment.
        let at = |id: &str| mem.photo(id).and_then(|r| r.trashed_at);
        assert_eq!(at(&got[29].card.id), at(&got[30].card.id));
    }

    #[test]
    fn only_the_owner_trashes_restores_or_deletes_and_a_refusal_changes_nothing() {
        let (p, mem, ada, bob) = setup();
        assert_eq!(
            block_on(trash(&p, &bob, &v(&["a"]))),
            Err(LumenError::Forbidden)
        );
        // One stranger's id among the owner's own: nothing moves.
        let mut bobs = pending_row("z", 9);
        bobs.owner_id = "u2".into();
        mem.insert(bobs);
        assert!(block_on(trash(&p, &ada, &v(&["a", "z"]))).is_err());
        assert_eq!(feed_ids(&p), ["c", "b", "a"]);
        assert_eq!(block_on(trash(&p, &ada, &[])).unwrap_err().status(), 422);
        assert_eq!(
            block_on(trash(&p, &ada, &v(&["../etc"]))),
            Err(LumenError::NotFound)
        );
        let many: Vec<String> = (0..=MAX_AT_ONCE).map(|i| format!("p{i}")).collect();
        assert_eq!(block_on(trash(&p, &ada, &many)).unwrap_err().status(), 422);
        // A live photo cannot be restored or deleted now; a trashed one not by others.
        assert_eq!(
            block_on(restore(&p, &ada, &v(&["a"]))),
            Err(LumenError::NotFound)
        );
        assert_eq!(
            block_on(delete_now(&p, &ada, &v(&["a"]))),
            Err(LumenError::NotFound)
        );
        block_on(trash(&p, &ada, &v(&["a"]))).unwrap();
        assert_eq!(
            block_on(restore(&p, &bob, &v(&["a"]))),
            Err(LumenError::NotFound)
        );
        assert_eq!(
            block_on(delete_now(&p, &bob, &v(&["a"]))),
            Err(LumenError::NotFound)
        );
        assert_eq!(
            block_on(trash(&p, &ada, &v(&["a"]))),
            Err(LumenError::NotFound)
        );
        assert_eq!(mem.blobs.len(), 9);
    }

    #[test]
    fn the_purge_takes_only_expired_trash_rows_first_then_objects() {
        let (p, mem, ada, _) = setup();
        block_on(trash(&p, &ada, &v(&["a"]))).unwrap();
        mem.advance(DAY_MS);
        block_on(trash(&p, &ada, &v(&["b"]))).unwrap();
        let now = mem.now.load(std::sync::atomic::Ordering::SeqCst);
        assert_eq!(block_on(purge(&p, now, None)), Ok(Purged::default()));
        let later = now + KEEP_MS - DAY_MS + 1;
        assert_eq!(
            block_on(purge(&p, later, None)),
            Ok(Purged {
                photos: 1,
                objects: 3
            })
        );
        assert_eq!(mem.photo("a"), None);
        assert!(mem.variants_of("a").is_empty());
        assert!(!mem.blobs.contains(&keys::original("u1", "a")));
        assert!(mem.photo("b").is_some(), "a day to go");
        assert_eq!(mem.blobs.len(), 6);
        assert!(mem.deletions.is_empty());
    }

    #[test]
    fn a_purge_cut_off_half_way_is_finished_by_the_next_and_twice_is_harmless() {
        let (p, mem, ada, _) = setup();
        block_on(trash(&p, &ada, &v(&["a", "b"]))).unwrap();
        let later = mem.now.load(std::sync::atomic::Ordering::SeqCst) + KEEP_MS + 1;
        // Killed after the rows went and one object of six.
        let first = block_on(purge(&p, later, Some(1))).unwrap();
        assert_eq!(first.objects, 1);
        assert!(mem.photo("a").is_none() || mem.photo("b").is_none());
        assert!(!mem.deletions.is_empty(), "the rest is recorded");
        // Killed between the rows and the objects.
        let none = block_on(purge(&p, later, Some(0))).unwrap();
        assert_eq!(none.objects, 0);
        let rest = block_on(purge(&p, later, None)).unwrap();
        assert_eq!(first.objects + rest.objects, 6);
        assert_eq!((mem.photo("a"), mem.photo("b")), (None, None));
        assert_eq!(mem.blobs.len(), 3, "only c's objects are left");
        assert!(mem.deletions.is_empty());
        assert_eq!(block_on(purge(&p, later, None)), Ok(Purged::default()));
        // Storage failing mid-way: an error, the keys kept for the next run.
        block_on(trash(&p, &ada, &v(&["c"]))).unwrap();
        mem.fail_blobs(true);
        assert!(block_on(purge(&p, later + KEEP_MS + 1, None)).is_err());
        assert_eq!(mem.deletions.len(), 3);
        mem.fail_blobs(false);
        assert_eq!(block_on(drain(&p, None)), Ok(3));
        assert!(mem.blobs.is_empty());
    }

    #[test]
    fn delete_now_uses_the_purge_path() {
        let (p, mem, ada, _) = setup();
        block_on(trash(&p, &ada, &v(&["a", "b"]))).unwrap();
        let done = block_on(delete_now(&p, &ada, &v(&["a", "b"]))).unwrap();
        assert_eq!(
            done,
            Purged {
                photos: 2,
                objects: 6
            }
        );
        assert_eq!(mem.photo_count(), 1);
        assert_eq!(mem.blobs.len(), 3);
        assert_eq!(
            block_on(delete_now(&p, &ada, &v(&["a"]))),
            Err(LumenError::NotFound)
        );
    }

    #[test]
    fn deleting_an_account_leaves_nothing_of_theirs() {
        let (p, mem, ada, bob) = setup();
        block_on(trash(&p, &ada, &v(&["a"]))).unwrap();
        let mut bobs = pending_row("z", 9);
        bobs.owner_id = "u2".into();
        mem.insert(bobs);
        mem.put_blob(&keys::original("u2", "z"), vec![3]);
        block_on(leave::delete_own_account(&p, &ada, "wrong password")).unwrap_err();
        assert_eq!(mem.photo_count(), 4, "a wrong password changes nothing");
        block_on(leave::delete_account(&p, &ada.user.id)).unwrap();
        assert_eq!(mem.photo_count(), 1);
        assert!(mem.user("u1").is_none());
        assert!(mem.user("u2").is_some());
        assert_eq!(mem.blobs.len(), 1, "only bob's original");
        assert!(mem.deletions.is_empty());
        assert!(block_on(photos::profile(&p, Some(&bob), "bob", None)).is_ok());
    }
}
