//! `LikeRepo` and `CommentRepo` over D1 (`likes`, `comments`, migration 0009).

use app::ssr::ports::{
    CardRow, CommentRepo, CommentRow, LikeRepo, PortError, PortResult, SocialRow, Switches,
};
use async_trait::async_trait;
use serde::Deserialize;
use worker::send::{SendFuture, SendWrapper};
use worker::D1Database;

use super::photos::select_cards;
use super::{flag, ms, n, opt, s, unavailable, update_one, write};

/// The primary key makes a second like a no-op that keeps the first one's time.
pub const LIKE: &str = "INSERT INTO likes (photo_id, user_id, created_at) VALUES (?1, ?2, ?3) \
     ON CONFLICT (photo_id, user_id) DO NOTHING";
pub const UNLIKE: &str = "DELETE FROM likes WHERE photo_id = ?1 AND user_id = ?2";
/// The switches and counts of one photo in one read; `?2` is the asking person (or NULL).
/// Counts walk the `likes` key and `comments_by_photo`.
pub const SOCIAL: &str = "SELECT hide_likes, comments_off, \
     (SELECT COUNT(*) FROM likes WHERE photo_id = ?1) AS likes, \
     EXISTS (SELECT 1 FROM likes WHERE photo_id = ?1 AND user_id = ?2) AS liked, \
     (SELECT COUNT(*) FROM comments WHERE photo_id = ?1) AS comments \
     FROM photos WHERE id = ?1";
pub const SET_SWITCHES: &str =
    "UPDATE photos SET hide_likes = ?2, comments_off = ?3, updated_at = ?4 WHERE id = ?1";
/// One page of the Liked page's keys: `?1`'s likes strictly before `(?2, ?3)`, newest first,
/// of photos they may still see (their own, or others' public and unlisted ready ones:
/// `access::check`'s View, which the service asks again). Walks `likes_by_user`.
pub const LIKED: &str = "SELECT likes.photo_id AS id, likes.created_at AS liked_at \
     FROM likes JOIN photos ON photos.id = likes.photo_id \
     WHERE likes.user_id = ?1 AND (likes.created_at, likes.photo_id) < (?2, ?3) \
     AND photos.trashed_at IS NULL \
     AND (photos.owner_id = ?1 OR (photos.visibility != 'private' AND photos.status = 'ready')) \
     ORDER BY likes.created_at DESC, likes.photo_id DESC LIMIT ?4";
/// The cards of a page of keys, by the primary key.
pub const CARDS_BY_ID: &str = select_cards!("WHERE photos.id IN (SELECT value FROM json_each(?1))");

macro_rules! select_comments {
    ($rest:literal) => {
        concat!(
            "SELECT c.id AS id, c.photo_id AS photo_id, c.author_id AS author_id, ",
            "COALESCE(u.username, '') AS author, c.body AS body, c.created_at AS created_at, ",
            "c.edited_at AS edited_at FROM comments c LEFT JOIN users u ON u.id = c.author_id ",
            $rest
        )
    };
}
/// A photo's comments strictly after `(?2, ?3)`, oldest first; walks `comments_by_photo`.
pub const COMMENTS: &str = select_comments!(
    "WHERE c.photo_id = ?1 AND (c.created_at, c.id) > (?2, ?3) \
     ORDER BY c.created_at, c.id LIMIT ?4"
);
pub const COMMENT: &str = select_comments!("WHERE c.id = ?1");
pub const INSERT_COMMENT: &str =
    "INSERT INTO comments (id, photo_id, author_id, body, created_at, edited_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, NULL)";
pub const EDIT_COMMENT: &str = "UPDATE comments SET body = ?2, edited_at = ?3 WHERE id = ?1";
pub const DELETE_COMMENT: &str = "DELETE FROM comments WHERE id = ?1";

/// Later than any millisecond time (exact in an f64): the first page's `before`.
const END_OF_TIME: i64 = 1 << 53;

pub struct D1Likes(SendWrapper<D1Database>);

impl D1Likes {
    pub fn new(db: D1Database) -> Self {
        Self(SendWrapper::new(db))
    }
}

pub struct D1Comments(SendWrapper<D1Database>);

impl D1Comments {
    pub fn new(db: D1Database) -> Self {
        Self(SendWrapper::new(db))
    }
}

#[derive(Deserialize)]
struct Social {
    hide_likes: f64,
    comments_off: f64,
    likes: f64,
    liked: f64,
    comments: f64,
}

#[derive(Deserialize)]
struct LikedKey {
    id: String,
    liked_at: f64,
}

#[derive(Deserialize)]
struct Comment {
    id: String,
    photo_id: String,
    author_id: String,
    author: String,
    body: String,
    created_at: f64,
    edited_at: Option<f64>,
}

impl Comment {
    fn into_port(self) -> CommentRow {
        CommentRow {
            id: self.id,
            photo_id: self.photo_id,
            author_id: self.author_id,
            author: self.author,
            body: self.body,
            created_at: self.created_at as i64,
            edited_at: self.edited_at.map(|t| t as i64),
        }
    }
}

#[async_trait]
impl LikeRepo for D1Likes {
    async fn like(&self, photo_id: &str, user_id: &str, now_ms: i64) -> PortResult<()> {
        let args = [s(photo_id), s(user_id), ms(now_ms)];
        SendFuture::new(write(&self.0, LIKE, &args))
            .await
            .map(|_| ())
    }

    async fn unlike(&self, photo_id: &str, user_id: &str) -> PortResult<()> {
        let args = [s(photo_id), s(user_id)];
        SendFuture::new(write(&self.0, UNLIKE, &args))
            .await
            .map(|_| ())
    }

    async fn social(&self, photo_id: &str, viewer: Option<&str>) -> PortResult<SocialRow> {
        SendFuture::new(async move {
            let stmt = self
                .0
                .prepare(SOCIAL)
                .bind(&[s(photo_id), opt(viewer)])
                .map_err(unavailable)?;
            let row: Option<Social> = stmt.first(None).await.map_err(unavailable)?;
            let r = row.ok_or(PortError::NotFound)?;
            Ok(SocialRow {
                switches: Switches {
                    hide_likes: r.hide_likes != 0.0,
                    comments_off: r.comments_off != 0.0,
                },
                likes: r.likes as u32,
                liked: r.liked != 0.0,
                comments: r.comments as u32,
            })
        })
        .await
    }

    async fn set_switches(&self, photo_id: &str, sw: Switches, now_ms: i64) -> PortResult<()> {
        let args = [
            s(photo_id),
            flag(sw.hide_likes),
            flag(sw.comments_off),
            ms(now_ms),
        ];
        SendFuture::new(update_one(&self.0, SET_SWITCHES, &args)).await
    }

    async fn liked(
        &self,
        user_id: &str,
        before: Option<(i64, String)>,
        limit: u32,
    ) -> PortResult<Vec<(CardRow, i64)>> {
        let (at, id) = before.unwrap_or((END_OF_TIME, String::new()));
        SendFuture::new(async move {
            let args = [s(user_id), ms(at), s(&id), n(limit)];
            let keys: Vec<LikedKey> = super::all(&self.0, LIKED, &args).await?;
            if keys.is_empty() {
                return Ok(Vec::new());
            }
            let ids: Vec<&str> = keys.iter().map(|k| k.id.as_str()).collect();
            let json = serde_json::to_string(&ids)
                .map_err(|e| PortError::Unavailable(format!("ids: {e}")))?;
            let mut photos: std::collections::HashMap<_, _> =
                super::photos::cards(&self.0, CARDS_BY_ID, &[s(&json)])
                    .await?
                    .into_iter()
                    .map(|p| (p.id.clone(), p))
                    .collect();
            // In the keys' order; a photo deleted in between is simply not there.
            Ok(keys
                .into_iter()
                .filter_map(|k| Some((photos.remove(&k.id)?, k.liked_at as i64)))
                .collect())
        })
        .await
    }
}

#[async_trait]
impl CommentRepo for D1Comments {
    async fn list(
        &self,
        photo_id: &str,
        after: Option<(i64, String)>,
        limit: u32,
    ) -> PortResult<Vec<CommentRow>> {
        let (at, id) = after.unwrap_or((-1, String::new()));
        SendFuture::new(async move {
            let args = [s(photo_id), ms(at), s(&id), n(limit)];
            let rows: Vec<Comment> = super::all(&self.0, COMMENTS, &args).await?;
            Ok(rows.into_iter().map(Comment::into_port).collect())
        })
        .await
    }

    async fn get(&self, id: &str) -> PortResult<Option<CommentRow>> {
        SendFuture::new(async move {
            let stmt = self
                .0
                .prepare(COMMENT)
                .bind(&[s(id)])
                .map_err(unavailable)?;
            let row: Option<Comment> = stmt.first(None).await.map_err(unavailable)?;
            Ok(row.map(Comment::into_port))
        })
        .await
    }

    async fn insert(&self, c: &CommentRow) -> PortResult<()> {
        let args = [
            s(&c.id),
            s(&c.photo_id),
            s(&c.author_id),
            s(&c.body),
            ms(c.created_at),
        ];
        SendFuture::new(super::insert(&self.0, INSERT_COMMENT, &args)).await
    }

    async fn edit(&self, id: &str, body: &str, now_ms: i64) -> PortResult<()> {
        let args = [s(id), s(body), ms(now_ms)];
        SendFuture::new(update_one(&self.0, EDIT_COMMENT, &args)).await
    }

    async fn delete(&self, id: &str) -> PortResult<()> {
        SendFuture::new(write(&self.0, DELETE_COMMENT, &[s(id)]))
            .await
            .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    //! Every statement above, run against real SQLite with the real migrations.
    use super::*;
    use crate::d1::photos::INSERT_PENDING;
    use crate::d1::test_db::{db, ids, plan, user, TestResult};
    use rusqlite::{params, Connection};

    fn photo(c: &Connection, id: &str, owner: &str, vis: &str, status: &str) -> TestResult {
        c.execute(
            INSERT_PENDING,
            params![id, owner, id, "image/png", 10, 1, vis, "", "", 0, 0],
        )?;
        c.execute(
            "UPDATE photos SET status = ?2 WHERE id = ?1",
            params![id, status],
        )?;
        Ok(())
    }

    fn setup() -> TestResult<Connection> {
        let c = db()?;
        for u in ["ada", "bob"] {
            user(&c, u)?;
        }
        photo(&c, "pub", "ada", "public", "ready")?;
        photo(&c, "unl", "ada", "unlisted", "ready")?;
        photo(&c, "priv", "ada", "private", "ready")?;
        photo(&c, "wip", "ada", "public", "pending")?;
        photo(&c, "bobs", "bob", "private", "pending")?;
        Ok(c)
    }

    fn social(c: &Connection, photo: &str, viewer: Option<&str>) -> TestResult<[i64; 5]> {
        Ok(c.query_row(SOCIAL, params![photo, viewer], |r| {
            Ok([
                r.get("hide_likes")?,
                r.get("comments_off")?,
                r.get("likes")?,
                r.get("liked")?,
                r.get("comments")?,
            ])
        })?)
    }

    #[test]
    fn likes_are_one_per_person_and_go_with_the_photo_or_person() -> TestResult {
        let c = setup()?;
        c.execute(LIKE, params!["pub", "bob", 5])?;
        c.execute(LIKE, params!["pub", "bob", 9])?;
        c.execute(LIKE, params!["pub", "ada", 6])?;
        assert_eq!(social(&c, "pub", Some("bob"))?, [0, 0, 2, 1, 0]);
        assert_eq!(social(&c, "pub", None)?, [0, 0, 2, 0, 0]);
        let at: i64 = c.query_row(
            "SELECT created_at FROM likes WHERE photo_id = 'pub' AND user_id = 'bob'",
            [],
            |r| r.get(0),
        )?;
        assert_eq!(at, 5, "a second like keeps the first one's time");
        assert!(
            c.execute(LIKE, params!["nope", "bob", 1]).is_err(),
            "no like of a missing photo"
        );
        assert!(c.execute(LIKE, params!["pub", "nobody", 1]).is_err());
        c.execute(UNLIKE, params!["pub", "bob"])?;
        c.execute(UNLIKE, params!["pub", "bob"])?;
        assert_eq!(social(&c, "pub", Some("bob"))?, [0, 0, 1, 0, 0]);
        // Made private: the like stays (shown to the owner only, by the app).
        c.execute(LIKE, params!["priv", "bob", 7])?;
        c.execute(SET_SWITCHES, params!["priv", 1, 1, 8])?;
        assert_eq!(social(&c, "priv", Some("ada"))?, [1, 1, 1, 0, 0]);
        assert_eq!(c.execute(SET_SWITCHES, params!["nope", 1, 1, 8])?, 0);
        c.execute("DELETE FROM photos WHERE id = 'priv'", [])?;
        c.execute("DELETE FROM users WHERE id = 'ada'", [])?;
        let left: i64 = c.query_row("SELECT COUNT(*) FROM likes", [], |r| r.get(0))?;
        assert_eq!(left, 0, "cascaded from the photo and from the person");
        Ok(())
    }

    #[test]
    fn the_liked_listing_is_newest_first_paged_and_only_what_they_may_see() -> TestResult {
        let c = setup()?;
        for (p, at) in [("pub", 1), ("unl", 3), ("priv", 4), ("wip", 5), ("bobs", 6)] {
            c.execute(LIKE, params![p, "bob", at])?;
        }
        photo(&c, "pub2", "ada", "public", "ready")?;
        c.execute(LIKE, params!["pub2", "bob", 3])?;
        let keys = |before: (i64, &str), limit: u32| -> TestResult<Vec<String>> {
            Ok(ids(&c, LIKED, params!["bob", before.0, before.1, limit])?)
        };
        // Ada's private and pending photos are gone from Bob's list; his own stays.
        assert_eq!(keys((END_OF_TIME, ""), 10)?, ["bobs", "unl", "pub2", "pub"]);
        // Ties on time break by id, and a page starts strictly after the last shown.
        assert_eq!(keys((END_OF_TIME, ""), 2)?, ["bobs", "unl"]);
        assert_eq!(keys((3, "unl"), 2)?, ["pub2", "pub"]);
        assert_eq!(keys((1, "pub"), 2)?, Vec::<String>::new());
        let photos = ids(&c, CARDS_BY_ID, params![r#"["pub","unl"]"#])?;
        assert_eq!(photos.len(), 2);
        Ok(())
    }

    fn comment(c: &Connection, id: &str, photo: &str, author: &str, at: i64) -> TestResult {
        c.execute(INSERT_COMMENT, params![id, photo, author, "hi", at])?;
        Ok(())
    }

    #[test]
    fn comments_are_oldest_first_paged_edited_and_deleted() -> TestResult {
        let c = setup()?;
        comment(&c, "c3", "pub", "bob", 2)?;
        comment(&c, "c1", "pub", "ada", 1)?;
        comment(&c, "c2", "pub", "bob", 2)?;
        comment(&c, "x", "unl", "bob", 1)?;
        assert!(
            comment(&c, "c1", "pub", "ada", 3).is_err(),
            "ids are unique"
        );
        assert!(
            comment(&c, "c9", "nope", "ada", 3).is_err(),
            "the photo exists"
        );
        let page = |after: (i64, &str), limit: u32| -> TestResult<Vec<String>> {
            Ok(ids(&c, COMMENTS, params!["pub", after.0, after.1, limit])?)
        };
        assert_eq!(page((-1, ""), 10)?, ["c1", "c2", "c3"]);
        assert_eq!(page((-1, ""), 2)?, ["c1", "c2"]);
        assert_eq!(page((2, "c2"), 2)?, ["c3"]);
        assert_eq!(social(&c, "pub", None)?[4], 3);
        c.execute(EDIT_COMMENT, params!["c2", "better", 9])?;
        let (author, body, edited): (String, String, Option<i64>) =
            c.query_row(COMMENT, params!["c2"], |r| {
                Ok((r.get("author")?, r.get("body")?, r.get("edited_at")?))
            })?;
        assert_eq!(
            (author.as_str(), body.as_str(), edited),
            ("bob", "better", Some(9))
        );
        assert_eq!(c.execute(EDIT_COMMENT, params!["gone", "x", 9])?, 0);
        c.execute(DELETE_COMMENT, params!["c2"])?;
        assert_eq!(page((-1, ""), 10)?, ["c1", "c3"]);
        c.execute("DELETE FROM users WHERE id = 'bob'", [])?;
        assert_eq!(
            page((-1, ""), 10)?,
            ["c1"],
            "an account's comments go with it"
        );
        c.execute("DELETE FROM photos WHERE id = 'pub'", [])?;
        assert_eq!(page((-1, ""), 10)?, Vec::<String>::new());
        Ok(())
    }

    /// Both listings walk their index in order, from the cursor: no scan, no sort.
    #[test]
    fn the_liked_and_comment_listings_use_their_indexes() -> TestResult {
        let c = setup()?;
        for (sql, args, step) in [
            (
                LIKED,
                params!["bob", 5, "x", 30].to_vec(),
                "SEARCH likes USING COVERING INDEX likes_by_user (user_id=? AND (created_at,photo_id)<(?,?))",
            ),
            (
                COMMENTS,
                params!["pub", 5, "x", 30].to_vec(),
                "SEARCH c USING INDEX comments_by_photo (photo_id=? AND (created_at,id)>(?,?))",
            ),
        ] {
            let steps = plan(&c, sql, args.as_slice())?;
            assert!(steps.iter().any(|s| s == step), "{sql}: {steps:?}");
            assert!(
                !steps
                    .iter()
                    .any(|s| s.starts_with("SCAN") || s.contains("TEMP B-TREE")),
                "{sql}: {steps:?}"
            );
        }
        let steps = plan(&c, SOCIAL, params!["pub", "bob"])?;
        assert!(!steps.iter().any(|s| s.starts_with("SCAN")), "{steps:?}");
        Ok(())
    }

    #[test]
    fn selects_name_the_columns_the_rows_read() -> TestResult {
        let c = setup()?;
        for sql in [COMMENTS, COMMENT] {
            assert_eq!(
                c.prepare(sql)?.column_names(),
                [
                    "id",
                    "photo_id",
                    "author_id",
                    "author",
                    "body",
                    "created_at",
                    "edited_at"
                ]
            );
        }
        assert_eq!(c.prepare(LIKED)?.column_names(), ["id", "liked_at"]);
        assert_eq!(
            c.prepare(SOCIAL)?.column_names(),
            ["hide_likes", "comments_off", "likes", "liked", "comments"]
        );
        Ok(())
    }
}
