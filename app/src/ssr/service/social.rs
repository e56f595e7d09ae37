//! Likes, comments and the Liked page. Every path asks `access::check_social` or
//! `access::check_comment` first; both start from the photo's own View rule.

use crate::error::LumenError;
use crate::model::{CommentView, LikeState, PhotoPage, SocialView};
use crate::ssr::access::{self, CommentAction, SocialAction};
use crate::ssr::auth::Session;
use crate::ssr::cursor::{self, Cursor, PAGE_SIZE};
use crate::ssr::limits::{self, Limit};
use crate::ssr::ports::{CommentRow, PhotoRow, SocialRow, Switches};
use crate::ssr::service::cache;
use crate::ssr::Platform;

/// Comments on one page of a photo.
pub const COMMENT_PAGE: u32 = 50;
/// Longest comment, in characters (as captions).
pub const MAX_COMMENT: usize = 2000;
/// Comments one person may write in any 10 minutes, across all photos.
pub const COMMENT_LIMIT: Limit = Limit::per_minutes(20, 10);

fn who(s: Option<&Session>) -> Option<&str> {
    s.map(|s| s.user.id.as_str())
}

/// The photo (any visibility) and its likes and comments row; `NotFound` if either is gone.
async fn photo_social(
    p: &Platform,
    viewer: Option<&Session>,
    photo_id: &str,
) -> Result<(PhotoRow, SocialRow), LumenError> {
    let row = p.photos.get(photo_id).await?.ok_or(LumenError::NotFound)?;
    let social = p.likes.social(photo_id, who(viewer)).await?;
    Ok((row, social))
}

/// What the photo page shows under the photo: the like count (unless hidden from the
/// viewer), whether they liked it, and a page of comments, oldest first, after `after`.
pub async fn social(
    p: &Platform,
    viewer: Option<&Session>,
    photo_id: &str,
    after: Option<&str>,
) -> Result<SocialView, LumenError> {
    let after = Cursor::parse(after)?.map(|c| c.time_id()).transpose()?;
    let (row, social) = photo_social(p, viewer, photo_id).await?;
    let v = who(viewer);
    access::check_social(v, &row, social.switches, SocialAction::See)?;
    let rows = p.comments.list(photo_id, after, COMMENT_PAGE + 1).await?;
    let (rows, next) = cursor::page(rows, COMMENT_PAGE, |c| Cursor::of_time(c.created_at, &c.id));
    let now = p.clock.now_ms();
    let comments = rows
        .into_iter()
        .map(|c| comment_view(v, &row, c, now))
        .collect();
    Ok(SocialView {
        photo_id: row.id.clone(),
        likes: count(v, &row, social),
        liked: social.liked,
        signed_in: viewer.is_some(),
        is_owner: v == Some(row.owner_id.as_str()),
        hide_likes: social.switches.hide_likes,
        comments_off: social.switches.comments_off,
        comment_count: social.comments,
        comments,
        next,
    })
}

fn count(v: Option<&str>, row: &PhotoRow, social: SocialRow) -> Option<u32> {
    access::check_social(v, row, social.switches, SocialAction::SeeCount)
        .is_ok()
        .then_some(social.likes)
}

fn comment_view(v: Option<&str>, photo: &PhotoRow, c: CommentRow, now: i64) -> CommentView {
    let may = |a| access::check_comment(v, photo, &c, a, now).is_ok();
    CommentView {
        can_edit: may(CommentAction::Edit),
        can_delete: may(CommentAction::Delete),
        created_at: format_time(c.created_at),
        created_iso: iso_time(c.created_at),
        edited: c.edited_at.is_some(),
        id: c.id,
        author: c.author,
        body: c.body,
    }
}

/// Likes (`on`) or unlikes the photo, idempotently.
pub async fn like(
    p: &Platform,
    s: &Session,
    photo_id: &str,
    on: bool,
) -> Result<LikeState, LumenError> {
    let (row, social) = photo_social(p, Some(s), photo_id).await?;
    access::check_social(Some(&s.user.id), &row, social.switches, SocialAction::Like)?;
    if on {
        p.likes.like(photo_id, &s.user.id, p.clock.now_ms()).await?;
    } else {
        p.likes.unlike(photo_id, &s.user.id).await?;
    }
    cache::photo_shown(p, photo_id).await;
    let after = p.likes.social(photo_id, Some(&s.user.id)).await?;
    Ok(LikeState {
        liked: after.liked,
        likes: count(Some(&s.user.id), &row, after),
    })
}

/// The owner's switches: hide the like count from others; stop new comments.
pub async fn set_switches(
    p: &Platform,
    s: &Session,
    photo_id: &str,
    switches: Switches,
) -> Result<(), LumenError> {
    let (row, social) = photo_social(p, Some(s), photo_id).await?;
    access::check_social(
        Some(&s.user.id),
        &row,
        social.switches,
        SocialAction::Moderate,
    )?;
    p.likes
        .set_switches(photo_id, switches, p.clock.now_ms())
        .await?;
    cache::photo_shown(p, photo_id).await;
    Ok(())
}

/// A comment's text as stored: the caption rules (`text::clean`, newlines kept), capped,
/// and not blank. Markup stays as typed: it is escaped when rendered.
pub fn comment_text(raw: &str) -> Result<String, LumenError> {
    let body = super::photos::text("body", raw, MAX_COMMENT, true)?;
    if body.is_empty() {
        return Err(LumenError::invalid("body", "Write something first."));
    }
    Ok(body)
}

/// A new comment by `s`, counted against their comment limit.
pub async fn add_comment(
    p: &Platform,
    s: &Session,
    photo_id: &str,
    raw: &str,
) -> Result<CommentView, LumenError> {
    let (row, social) = photo_social(p, Some(s), photo_id).await?;
    access::check_social(
        Some(&s.user.id),
        &row,
        social.switches,
        SocialAction::Comment,
    )?;
    let body = comment_text(raw)?;
    let bucket = format!("comment:{}", s.user.id);
    let _kept = limits::reserve(p, &bucket, COMMENT_LIMIT, 1).await??;
    let now = p.clock.now_ms();
    let c = CommentRow {
        id: p.ids.new_id()?,
        photo_id: row.id.clone(),
        author_id: s.user.id.clone(),
        author: s.user.username.clone(),
        body,
        created_at: now,
        edited_at: None,
    };
    p.comments.insert(&c).await?;
    cache::photo_shown(p, photo_id).await;
    Ok(comment_view(Some(&s.user.id), &row, c, now))
}

/// The comment and its photo, if both still exist.
async fn comment_and_photo(
    p: &Platform,
    comment_id: &str,
) -> Result<(CommentRow, PhotoRow), LumenError> {
    let c = p
        .comments
        .get(comment_id)
        .await?
        .ok_or(LumenError::NotFound)?;
    let photo = p
        .photos
        .get(&c.photo_id)
        .await?
        .ok_or(LumenError::NotFound)?;
    Ok((c, photo))
}

/// Its author changes it, within 15 minutes of writing it. Returns the photo's id.
pub async fn edit_comment(
    p: &Platform,
    s: &Session,
    comment_id: &str,
    raw: &str,
) -> Result<String, LumenError> {
    let (c, photo) = comment_and_photo(p, comment_id).await?;
    let now = p.clock.now_ms();
    access::check_comment(Some(&s.user.id), &photo, &c, CommentAction::Edit, now)?;
    let body = comment_text(raw)?;
    p.comments.edit(&c.id, &body, now).await?;
    cache::photo_shown(p, &photo.id).await;
    Ok(photo.id)
}

/// Its author or the photo's owner deletes it. Returns the photo's id.
pub async fn delete_comment(
    p: &Platform,
    s: &Session,
    comment_id: &str,
) -> Result<String, LumenError> {
    let (c, photo) = comment_and_photo(p, comment_id).await?;
    let now = p.clock.now_ms();
    access::check_comment(Some(&s.user.id), &photo, &c, CommentAction::Delete, now)?;
    p.comments.delete(&c.id).await?;
    cache::photo_shown(p, &photo.id).await;
    Ok(photo.id)
}

/// `/liked`: the photos `s` liked that they may still see, newest like first, a page
/// at a time (`?before=<liked at>.<photo id>`).
pub async fn liked(
    p: &Platform,
    s: &Session,
    before: Option<&str>,
) -> Result<PhotoPage, LumenError> {
    let before = Cursor::parse(before)?.map(|c| c.time_id()).transpose()?;
    let rows = p.likes.liked(&s.user.id, before, PAGE_SIZE + 1).await?;
    let (rows, next) = cursor::page(rows, PAGE_SIZE, |(r, at)| Cursor::of_time(*at, &r.id));
    // The SQL already keeps to what they may see; the one rule decides again.
    let rows = rows
        .into_iter()
        .map(|(r, _)| r)
        .filter(|r| access::sees(Some(&s.user.id), r))
        .collect();
    Ok(PhotoPage {
        photos: super::photos::cards(p, rows).await?,
        next,
    })
}

pub fn format_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| d.format("%-d %B %Y, %H:%M UTC").to_string())
        .unwrap_or_default()
}

pub fn iso_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{PhotoStatus, Visibility};
    use crate::ssr::fakes::{block_on, fake_platform, pending_row, session, Mem};

    fn ready(mem: &Mem, id: &str, at: i64, vis: Visibility) {
        let mut row = pending_row(id, at);
        row.status = PhotoStatus::Ready;
        row.visibility = vis;
        mem.insert(row);
    }

    #[test]
    fn likes_are_idempotent_and_counted_unless_hidden() {
        let (p, mem) = fake_platform();
        let ada = session(&p, "u1", "ada");
        let bob = session(&p, "u2", "bob");
        ready(&mem, "p1", 1, Visibility::Public);
        for _ in 0..2 {
            let s = block_on(like(&p, &bob, "p1", true)).unwrap();
            assert_eq!(
                s,
                LikeState {
                    liked: true,
                    likes: Some(1)
                }
            );
        }
        block_on(like(&p, &ada, "p1", true)).unwrap();
        let v = block_on(social(&p, None, "p1", None)).unwrap();
        assert_eq!((v.likes, v.liked, v.signed_in), (Some(2), false, false));
        // Hidden: others see no count; the owner still does.
        block_on(set_switches(
            &p,
            &ada,
            "p1",
            Switches {
                hide_likes: true,
                comments_off: false,
            },
        ))
        .unwrap();
        let v = block_on(social(&p, Some(&bob), "p1", None)).unwrap();
        assert_eq!((v.likes, v.liked), (None, true));
        assert_eq!(
            block_on(like(&p, &bob, "p1", false)).unwrap(),
            LikeState {
                liked: false,
                likes: None
            }
        );
        assert_eq!(
            block_on(social(&p, Some(&ada), "p1", None)).unwrap().likes,
            Some(1)
        );
        // Only the owner switches.
        assert_eq!(
            block_on(set_switches(&p, &bob, "p1", Switches::default())),
            Err(LumenError::Forbidden)
        );
        assert_eq!(
            block_on(like(&p, &bob, "nope", true)),
            Err(LumenError::NotFound)
        );
    }

    #[test]
    fn a_private_photo_keeps_its_likes_and_comments_for_the_owner_alone() {
        let (p, mem) = fake_platform();
        let ada = session(&p, "u1", "ada");
        let bob = session(&p, "u2", "bob");
        ready(&mem, "p1", 1, Visibility::Public);
        block_on(like(&p, &bob, "p1", true)).unwrap();
        let c = block_on(add_comment(&p, &bob, "p1", "Lovely")).unwrap();
        ready(&mem, "p1", 1, Visibility::Private);
        for (who, s) in [("bob", Some(&bob)), ("anon", None)] {
            assert_eq!(
                block_on(social(&p, s, "p1", None)),
                Err(LumenError::NotFound),
                "{who}"
            );
        }
        assert_eq!(
            block_on(like(&p, &bob, "p1", false)),
            Err(LumenError::NotFound)
        );
        assert_eq!(
            block_on(add_comment(&p, &bob, "p1", "x")),
            Err(LumenError::NotFound)
        );
        assert_eq!(
            block_on(edit_comment(&p, &bob, &c.id, "x")),
            Err(LumenError::NotFound)
        );
        assert_eq!(
            block_on(delete_comment(&p, &bob, &c.id)),
            Err(LumenError::NotFound)
        );
        assert!(block_on(liked(&p, &bob, None)).unwrap().photos.is_empty());
        let mine = block_on(social(&p, Some(&ada), "p1", None)).unwrap();
        assert_eq!((mine.likes, mine.comments.len()), (Some(1), 1));
        // Public again: all there.
        ready(&mem, "p1", 1, Visibility::Public);
        assert_eq!(block_on(liked(&p, &bob, None)).unwrap().photos.len(), 1);
    }

    #[test]
    fn comments_are_cleaned_capped_limited_and_paged_oldest_first() {
        let (p, mem) = fake_platform();
        let ada = session(&p, "u1", "ada");
        let bob = session(&p, "u2", "bob");
        ready(&mem, "p1", 1, Visibility::Unlisted);
        let c = block_on(add_comment(
            &p,
            &bob,
            "p1",
            " \u{202e}Hi <b>there</b>\r\nhttps://x.test \u{200b}",
        ))
        .unwrap();
        assert_eq!(
            c.body, "Hi <b>there</b>\nhttps://x.test",
            "stored as typed, cleaned"
        );
        assert_eq!(
            (c.author.as_str(), c.can_edit, c.can_delete, c.edited),
            ("bob", true, true, false)
        );
        for blank in ["", " \u{200b}\u{202e} \n"] {
            assert_eq!(
                block_on(add_comment(&p, &bob, "p1", blank))
                    .unwrap_err()
                    .status(),
                422
            );
        }
        let long = "x".repeat(MAX_COMMENT + 1);
        assert_eq!(
            block_on(add_comment(&p, &bob, "p1", &long))
                .unwrap_err()
                .status(),
            422
        );
        assert!(block_on(add_comment(&p, &bob, "p1", &long[1..])).is_ok());
        // The limit counts comments per person.
        for n in 2..COMMENT_LIMIT.max {
            mem.advance(1);
            block_on(add_comment(&p, &bob, "p1", &format!("n{n}"))).unwrap();
        }
        assert!(matches!(
            block_on(add_comment(&p, &bob, "p1", "one too many")),
            Err(LumenError::RateLimited { .. })
        ));
        assert!(
            block_on(add_comment(&p, &ada, "p1", "mine")).is_ok(),
            "others unaffected"
        );
        let total = COMMENT_LIMIT.max + 1;
        assert!(total > 3);
        // Paging: every comment exactly once, oldest first.
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let v = block_on(social(&p, None, "p1", after.as_deref())).unwrap();
            assert_eq!(v.comment_count, total);
            seen.extend(v.comments.into_iter().map(|c| c.id));
            match v.next {
                Some(n) => after = Some(n),
                None => break,
            }
        }
        assert_eq!(seen.len() as u32, total);
        assert_eq!(seen[0], c.id);
        let mut unique = seen.clone();
        unique.dedup();
        assert_eq!(unique, seen);
        assert_eq!(
            block_on(social(&p, None, "p1", Some("x'--")))
                .unwrap_err()
                .status(),
            400
        );
    }

    #[test]
    fn edits_for_fifteen_minutes_by_the_author_deletes_by_author_or_owner() {
        let (p, mem) = fake_platform();
        let ada = session(&p, "u1", "ada");
        let bob = session(&p, "u2", "bob");
        let cat = session(&p, "u3", "cat");
        ready(&mem, "p1", 1, Visibility::Public);
        let c = block_on(add_comment(&p, &bob, "p1", "frist")).unwrap();
        assert_eq!(
            block_on(edit_comment(&p, &ada, &c.id, "x")),
            Err(LumenError::Forbidden)
        );
        assert_eq!(
            block_on(edit_comment(&p, &cat, &c.id, "x")),
            Err(LumenError::Forbidden)
        );
        mem.advance(access::COMMENT_EDIT_MS - 1);
        assert_eq!(
            block_on(edit_comment(&p, &bob, &c.id, "first")).unwrap(),
            "p1"
        );
        let v = block_on(social(&p, Some(&bob), "p1", None)).unwrap();
        assert_eq!(
            (v.comments[0].body.as_str(), v.comments[0].edited),
            ("first", true)
        );
        mem.advance(1);
        let late = block_on(edit_comment(&p, &bob, &c.id, "again")).unwrap_err();
        assert_eq!(
            late.message(),
            "Comments can be changed for 15 minutes only."
        );
        let v = block_on(social(&p, Some(&bob), "p1", None)).unwrap();
        assert_eq!(
            (v.comments[0].can_edit, v.comments[0].can_delete),
            (false, true)
        );
        assert_eq!(
            block_on(delete_comment(&p, &cat, &c.id)),
            Err(LumenError::Forbidden)
        );
        assert_eq!(block_on(delete_comment(&p, &ada, &c.id)).unwrap(), "p1");
        assert_eq!(
            block_on(delete_comment(&p, &ada, &c.id)),
            Err(LumenError::NotFound)
        );
        // Comments off: no new ones, from anyone; the ones there stay and may go.
        let d = block_on(add_comment(&p, &cat, "p1", "still here")).unwrap();
        block_on(set_switches(
            &p,
            &ada,
            "p1",
            Switches {
                hide_likes: false,
                comments_off: true,
            },
        ))
        .unwrap();
        assert_eq!(
            block_on(add_comment(&p, &bob, "p1", "x")),
            Err(LumenError::Forbidden)
        );
        assert_eq!(
            block_on(add_comment(&p, &ada, "p1", "x")),
            Err(LumenError::Forbidden)
        );
        let v = block_on(social(&p, None, "p1", None)).unwrap();
        assert!(v.comments_off);
        assert_eq!(v.comments.len(), 1);
        assert!(block_on(delete_comment(&p, &cat, &d.id)).is_ok());
    }

    #[test]
    fn the_liked_page_is_newest_like_first_and_paged() {
        let (p, mem) = fake_platform();
        let bob = session(&p, "u2", "bob");
        let n = PAGE_SIZE + 5;
        for i in 0..n {
            ready(&mem, &format!("p{i:03}"), 1, Visibility::Public);
            block_on(like(&p, &bob, &format!("p{i:03}"), true)).unwrap();
            if i % 2 == 0 {
                mem.advance(1);
            }
        }
        let first = block_on(liked(&p, &bob, None)).unwrap();
        assert_eq!(first.photos.len() as u32, PAGE_SIZE);
        assert_eq!(first.photos[0].id, format!("p{:03}", n - 1));
        let second = block_on(liked(&p, &bob, first.next.as_deref())).unwrap();
        assert_eq!(second.photos.len(), 5);
        assert_eq!(second.next, None);
        let mut all: Vec<_> = first
            .photos
            .iter()
            .chain(&second.photos)
            .map(|c| c.id.clone())
            .collect();
        all.sort();
        all.dedup();
        assert_eq!(all.len() as u32, n, "no duplicate, no gap");
    }
}
