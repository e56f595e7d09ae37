//! `TrashRepo` over D1: the trash, the deletion record, and an account's last rows.

use app::ssr::ports::{ExportRow, ExportStatus, Key, PortError, PortResult, TrashRepo, Trashed};
use async_trait::async_trait;
use serde::Deserialize;
use wasm_bindgen::JsValue;
use worker::send::{SendFuture, SendWrapper};
use worker::D1Database;

use super::photos::{cursor, select_cards, Card, DELETE, DELETE_VARIANTS};
use super::{all, ms, n, s, unavailable, write};

/// `?2` is a JSON array of ids: only the owner's, only live ones.
pub const TRASH: &str = "UPDATE photos SET trashed_at = ?3 WHERE owner_id = ?1 \
     AND trashed_at IS NULL AND id IN (SELECT value FROM json_each(?2))";
pub const RESTORE: &str = "UPDATE photos SET trashed_at = NULL WHERE owner_id = ?1 \
     AND trashed_at IS NOT NULL AND id IN (SELECT value FROM json_each(?2))";
/// One owner's trash, strictly before `(?2 trashed_at, ?3 id)`; walks `photos_trash_by_owner`.
macro_rules! trashed {
    () => {
        "WHERE photos.owner_id = ?1 AND photos.trashed_at IS NOT NULL \
         AND (photos.trashed_at, photos.id) < (?2, ?3) \
         ORDER BY photos.trashed_at DESC, photos.id DESC LIMIT ?4"
    };
}
/// The trash page: its cards, whose `trashed_at` says when each went.
pub const TRASHED: &str = select_cards!(trashed!());
/// Walks `photos_trash_by_age`.
pub const EXPIRED: &str = "SELECT id FROM photos WHERE trashed_at IS NOT NULL \
     AND trashed_at < ?1 ORDER BY trashed_at, id LIMIT ?2";
/// The keys the caller names (`?2`, a JSON array: the original), while the photo exists.
pub const RECORD_KEYS: &str = "INSERT OR IGNORE INTO deletions (r2_key, photo_id, created_at) \
     SELECT value, ?1, ?3 FROM json_each(?2) WHERE EXISTS (SELECT 1 FROM photos WHERE id = ?1)";
/// The variants' keys as their rows name them, read in the same transaction that deletes
/// the rows, so a variant written a moment before is never orphaned.
pub const RECORD_VARIANTS: &str = "INSERT OR IGNORE INTO deletions (r2_key, photo_id, created_at) \
     SELECT r2_key, photo_id, ?2 FROM photo_variants WHERE photo_id = ?1";
pub const PENDING: &str = "SELECT r2_key FROM deletions ORDER BY created_at, r2_key LIMIT ?1";
pub const DELETED: &str = "DELETE FROM deletions WHERE r2_key = ?1";
/// By id, after `?2` (the empty string first): the purge removes rows as it pages.
pub const ALL_OF: &str =
    "SELECT id FROM photos WHERE owner_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3";
/// An account's rows but its photos, in one transaction. The foreign keys would cascade
/// most of these from `users`; naming each keeps it true whatever a later table declares.
pub const DELETE_USER: [&str; 9] = [
    "DELETE FROM comments WHERE author_id = ?1",
    "DELETE FROM likes WHERE user_id = ?1",
    "DELETE FROM share_links WHERE owner_id = ?1",
    "DELETE FROM albums WHERE owner_id = ?1",
    "DELETE FROM sessions WHERE user_id = ?1",
    "DELETE FROM known_devices WHERE user_id = ?1",
    "DELETE FROM exports WHERE user_id = ?1",
    // Per-person quota windows are named `<kind>:<user id>` (`ssr::limits`); an exact
    // suffix match, since ids may hold LIKE's wildcards.
    "DELETE FROM rate_limits WHERE substr(bucket, -length(?1) - 1) = ':' || ?1",
    "DELETE FROM users WHERE id = ?1",
];

/// One export per person: a new one replaces the old (same key, new day).
pub const SAVE_EXPORT: &str =
    "INSERT INTO exports (user_id, r2_key, status, bytes, created_at, expires_at) \
     VALUES (?1, ?2, 'ready', 0, ?3, ?4) ON CONFLICT (user_id) DO UPDATE SET \
     r2_key = excluded.r2_key, status = 'ready', created_at = excluded.created_at, \
     expires_at = excluded.expires_at";
/// Walks `exports_by_expiry`.
pub const EXPIRED_EXPORTS: &str =
    "SELECT user_id, r2_key FROM exports WHERE expires_at < ?1 ORDER BY expires_at LIMIT ?2";
pub const FORGET_EXPORT: &str = "DELETE FROM exports WHERE user_id = ?1";
pub const PUT_EXPORT: &str =
    "INSERT INTO exports (user_id, r2_key, status, bytes, created_at, expires_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (user_id) DO UPDATE SET \
     r2_key = excluded.r2_key, status = excluded.status, bytes = excluded.bytes, \
     created_at = excluded.created_at, expires_at = excluded.expires_at";
pub const EXPORT_OF: &str =
    "SELECT r2_key, status, bytes, created_at, expires_at FROM exports WHERE user_id = ?1";

pub struct D1Trash(SendWrapper<D1Database>);

impl D1Trash {
    pub fn new(db: D1Database) -> Self {
        Self(SendWrapper::new(db))
    }
}

#[derive(Deserialize)]
struct Id {
    id: String,
}

#[derive(Deserialize)]
struct Export {
    user_id: String,
    r2_key: String,
}

/// A row of `EXPORT_OF`.
#[derive(Deserialize)]
struct ExportIn {
    r2_key: String,
    status: String,
    bytes: f64,
    created_at: f64,
    expires_at: f64,
}

#[derive(Deserialize)]
struct Pending {
    r2_key: String,
}

fn json(ids: &[String]) -> PortResult<JsValue> {
    serde_json::to_string(ids)
        .map(|j| s(&j))
        .map_err(|e| PortError::Unavailable(e.to_string()))
}

#[async_trait]
impl TrashRepo for D1Trash {
    async fn trash(&self, owner_id: &str, ids: &[String], now_ms: i64) -> PortResult<u32> {
        let args = [s(owner_id), json(ids)?, ms(now_ms)];
        SendFuture::new(write(&self.0, TRASH, &args)).await
    }

    async fn restore(&self, owner_id: &str, ids: &[String]) -> PortResult<u32> {
        let args = [s(owner_id), json(ids)?];
        SendFuture::new(write(&self.0, RESTORE, &args)).await
    }

    async fn trashed(
        &self,
        owner_id: &str,
        before: Option<&Key>,
        limit: u32,
    ) -> PortResult<Vec<Trashed>> {
        let (at, id) = cursor(before);
        SendFuture::new(async move {
            let rows: Vec<Card> = all(&self.0, TRASHED, &[s(owner_id), at, id, n(limit)]).await?;
            rows.into_iter().map(Card::into_trashed).collect()
        })
        .await
    }

    async fn expired(&self, before_ms: i64, limit: u32) -> PortResult<Vec<String>> {
        SendFuture::new(async move {
            let rows: Vec<Id> = all(&self.0, EXPIRED, &[ms(before_ms), n(limit)]).await?;
            Ok(rows.into_iter().map(|r| r.id).collect())
        })
        .await
    }

    async fn purge_rows(&self, photo_id: &str, keys: &[String], now_ms: i64) -> PortResult<()> {
        let keys = json(keys)?;
        SendFuture::new(async move {
            let db = &self.0;
            let bind = |sql: &str, args: &[JsValue]| db.prepare(sql).bind(args);
            // One batch is one transaction: the keys are recorded exactly when the rows go.
            let stmts = vec![
                bind(RECORD_KEYS, &[s(photo_id), keys, ms(now_ms)]),
                bind(RECORD_VARIANTS, &[s(photo_id), ms(now_ms)]),
                bind(DELETE_VARIANTS, &[s(photo_id)]),
                bind(DELETE, &[s(photo_id)]),
            ]
            .into_iter()
            .collect::<Result<Vec<_>, _>>()
            .map_err(unavailable)?;
            db.batch(stmts).await.map_err(unavailable).map(|_| ())
        })
        .await
    }

    async fn pending_deletions(&self, limit: u32) -> PortResult<Vec<String>> {
        SendFuture::new(async move {
            let rows: Vec<Pending> = all(&self.0, PENDING, &[n(limit)]).await?;
            Ok(rows.into_iter().map(|r| r.r2_key).collect())
        })
        .await
    }

    async fn deleted(&self, key: &str) -> PortResult<()> {
        SendFuture::new(write(&self.0, DELETED, &[s(key)]))
            .await
            .map(|_| ())
    }

    async fn all_of(
        &self,
        owner_id: &str,
        after: Option<&str>,
        limit: u32,
    ) -> PortResult<Vec<String>> {
        let args = [s(owner_id), s(after.unwrap_or("")), n(limit)];
        SendFuture::new(async move {
            let rows: Vec<Id> = all(&self.0, ALL_OF, &args).await?;
            Ok(rows.into_iter().map(|r| r.id).collect())
        })
        .await
    }

    async fn delete_user(&self, user_id: &str) -> PortResult<()> {
        SendFuture::new(async move {
            let stmts = DELETE_USER
                .iter()
                .map(|sql| self.0.prepare(*sql).bind(&[s(user_id)]))
                .collect::<Result<Vec<_>, _>>()
                .map_err(unavailable)?;
            self.0.batch(stmts).await.map_err(unavailable).map(|_| ())
        })
        .await
    }

    async fn save_export(
        &self,
        user_id: &str,
        r2_key: &str,
        now_ms: i64,
        expires_at: i64,
    ) -> PortResult<()> {
        let args = [s(user_id), s(r2_key), ms(now_ms), ms(expires_at)];
        SendFuture::new(write(&self.0, SAVE_EXPORT, &args))
            .await
            .map(|_| ())
    }

    async fn expired_exports(&self, now_ms: i64, limit: u32) -> PortResult<Vec<(String, String)>> {
        SendFuture::new(async move {
            let rows: Vec<Export> = all(&self.0, EXPIRED_EXPORTS, &[ms(now_ms), n(limit)]).await?;
            Ok(rows.into_iter().map(|r| (r.user_id, r.r2_key)).collect())
        })
        .await
    }

    async fn forget_export(&self, user_id: &str) -> PortResult<()> {
        SendFuture::new(write(&self.0, FORGET_EXPORT, &[s(user_id)]))
            .await
            .map(|_| ())
    }

    async fn put_export(&self, user_id: &str, row: &ExportRow) -> PortResult<()> {
        let args = [
            s(user_id),
            s(&row.r2_key),
            s(row.status.as_str()),
            n(row.bytes as f64),
            ms(row.created_at),
            ms(row.expires_at),
        ];
        SendFuture::new(write(&self.0, PUT_EXPORT, &args))
            .await
            .map(|_| ())
    }

    async fn export_of(&self, user_id: &str) -> PortResult<Option<ExportRow>> {
        SendFuture::new(async move {
            let rows: Vec<ExportIn> = all(&self.0, EXPORT_OF, &[s(user_id)]).await?;
            rows.into_iter()
                .next()
                .map(|r| {
                    let status = ExportStatus::parse(&r.status).ok_or_else(|| {
                        PortError::Unavailable(format!("bad export status {:?}", r.status))
                    })?;
                    Ok(ExportRow {
                        r2_key: r.r2_key,
                        status,
                        bytes: r.bytes as u64,
                        created_at: r.created_at as i64,
                        expires_at: r.expires_at as i64,
                    })
                })
                .transpose()
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    //! Every statement above, run against real SQLite with the real migrations.
    use super::*;
    use crate::d1::photos::{FEED, GET, INSERT_PENDING, NO_CURSOR};
    use crate::d1::test_db::{db, ids, plan, user, TestResult};
    use rusqlite::{params, Connection};

    fn photo(c: &Connection, id: &str, owner: &str, at: i64) -> TestResult {
        c.execute(
            INSERT_PENDING,
            params![id, owner, id, "image/png", 10, at, "public", "", "", 0, 0],
        )?;
        c.execute("UPDATE photos SET status = 'ready' WHERE id = ?1", [id])?;
        c.execute(
            "INSERT INTO photo_variants (photo_id, width, height, mime, r2_key, bytes) \
             VALUES (?1, 320, 320, 'image/webp', 'var/' || ?1 || '/r/320.webp', 1)",
            [id],
        )?;
        Ok(())
    }

    fn setup() -> TestResult<Connection> {
        let c = db()?;
        for u in ["ada", "bob"] {
            user(&c, u)?;
        }
        for (i, id) in ["a1", "a2", "a3"].into_iter().enumerate() {
            photo(&c, id, "ada", 10 + i as i64)?;
        }
        photo(&c, "b1", "bob", 5)?;
        Ok(c)
    }

    fn count(c: &Connection, sql: &str) -> rusqlite::Result<i64> {
        c.query_row(sql, [], |r| r.get(0))
    }

    fn feed(c: &Connection) -> rusqlite::Result<Vec<String>> {
        ids(c, FEED, params![NO_CURSOR.0, NO_CURSOR.1, 50])
    }

    #[test]
    fn trash_and_restore_touch_only_the_owners_live_photos() -> TestResult {
        let c = setup()?;
        let asked = r#"["a1","a2","b1","nope"]"#;
        assert_eq!(c.execute(TRASH, params!["ada", asked, 100])?, 2);
        assert_eq!(c.execute(TRASH, params!["ada", asked, 200])?, 0, "twice");
        assert_eq!(feed(&c)?, ["a3", "b1"]);
        let trashed = ids(&c, TRASHED, params!["ada", NO_CURSOR.0, NO_CURSOR.1, 10])?;
        assert_eq!(trashed, ["a2", "a1"]);
        let at: Option<i64> = c.query_row(GET, ["a1"], |r| r.get("trashed_at"))?;
        assert_eq!(at, Some(100), "GET reads it, so access can decide");
        assert_eq!(ids(&c, EXPIRED, params![101, 10])?, ["a1", "a2"]);
        assert_eq!(ids(&c, EXPIRED, params![100, 10])?, Vec::<String>::new());
        assert_eq!(c.execute(RESTORE, params!["bob", r#"["a1"]"#])?, 0);
        assert_eq!(c.execute(RESTORE, params!["ada", r#"["a1","a3"]"#])?, 1);
        assert_eq!(feed(&c)?, ["a3", "a1", "b1"]);
        Ok(())
    }

    #[test]
    fn a_purge_records_every_key_with_the_rows_going_and_twice_is_harmless() -> TestResult {
        let c = setup()?;
        c.execute(
            "INSERT INTO photo_tags (photo_id, tag) VALUES ('a1', 'sea')",
            [],
        )?;
        c.execute(
            "INSERT INTO likes (photo_id, user_id, created_at) VALUES ('a1', 'bob', 1)",
            [],
        )?;
        for _ in 0..2 {
            c.execute(RECORD_KEYS, params!["a1", r#"["orig/ada/a1"]"#, 7])?;
            c.execute(RECORD_VARIANTS, params!["a1", 7])?;
            c.execute(DELETE_VARIANTS, ["a1"])?;
            c.execute(DELETE, ["a1"])?;
        }
        let keys: Vec<String> = c
            .prepare(PENDING)?
            .query_map([10], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        assert_eq!(keys, ["orig/ada/a1", "var/a1/r/320.webp"]);
        for sql in [
            "SELECT count(*) FROM photos WHERE id = 'a1'",
            "SELECT count(*) FROM photo_variants WHERE photo_id = 'a1'",
            "SELECT count(*) FROM photo_tags WHERE photo_id = 'a1'",
            "SELECT count(*) FROM likes WHERE photo_id = 'a1'",
            "SELECT count(*) FROM photo_search WHERE photo_id = 'a1'",
        ] {
            assert_eq!(count(&c, sql)?, 0, "{sql}");
        }
        for k in &keys {
            c.execute(DELETED, [k])?;
            c.execute(DELETED, [k])?;
        }
        assert_eq!(count(&c, "SELECT count(*) FROM deletions")?, 0);
        Ok(())
    }

    #[test]
    fn deleting_a_user_leaves_no_row_of_theirs() -> TestResult {
        let c = setup()?;
        c.execute(
            "INSERT INTO comments (id, photo_id, author_id, body, created_at) \
             VALUES ('c1', 'b1', 'ada', 'hi', 1), ('c2', 'a1', 'bob', 'yo', 1)",
            [],
        )?;
        c.execute(
            "INSERT INTO likes (photo_id, user_id, created_at) VALUES ('b1', 'ada', 1)",
            [],
        )?;
        c.execute(
            "INSERT INTO rate_limits (bucket, window_start, hits) \
             VALUES ('uploads:ada', 1, 1), ('uploads:xada', 1, 1), ('uploads:bob', 1, 1)",
            [],
        )?;
        c.execute(
            "INSERT INTO albums (id, owner_id, title, created_at, updated_at) \
             VALUES ('al', 'ada', 'x', 1, 1)",
            [],
        )?;
        for id in ids(&c, ALL_OF, params!["ada", "", 10])? {
            c.execute(DELETE_VARIANTS, [&id])?;
            c.execute(DELETE, [&id])?;
        }
        for sql in DELETE_USER {
            c.execute(sql, ["ada"])?;
        }
        assert_eq!(count(&c, "SELECT count(*) FROM users WHERE id = 'ada'")?, 0);
        assert_eq!(
            count(&c, "SELECT count(*) FROM photos WHERE owner_id = 'ada'")?,
            0
        );
        assert_eq!(count(&c, "SELECT count(*) FROM comments")?, 0, "both");
        assert_eq!(count(&c, "SELECT count(*) FROM likes")?, 0);
        assert_eq!(count(&c, "SELECT count(*) FROM albums")?, 0);
        let buckets: Vec<String> = c
            .prepare("SELECT bucket FROM rate_limits ORDER BY bucket")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        assert_eq!(buckets, ["uploads:bob", "uploads:xada"]);
        assert_eq!(ids(&c, FEED, params![NO_CURSOR.0, NO_CURSOR.1, 9])?, ["b1"]);
        Ok(())
    }

    #[test]
    fn an_export_is_one_per_person_and_expires() -> TestResult {
        let c = setup()?;
        c.execute(SAVE_EXPORT, params!["ada", "export/ada/photos.json", 1, 10])?;
        c.execute(SAVE_EXPORT, params!["ada", "export/ada/photos.json", 5, 20])?;
        let expired = |at: i64| -> rusqlite::Result<Vec<String>> {
            c.prepare(EXPIRED_EXPORTS)?
                .query_map(params![at, 10], |r| r.get("user_id"))?
                .collect()
        };
        assert_eq!(
            expired(15)?,
            Vec::<String>::new(),
            "the second replaced the first"
        );
        assert_eq!(expired(21)?, ["ada"]);
        c.execute(FORGET_EXPORT, ["ada"])?;
        assert_eq!(expired(21)?, Vec::<String>::new());
        Ok(())
    }

    #[test]
    fn the_trash_listings_walk_their_indexes() -> TestResult {
        let c = setup()?;
        for (sql, index) in [
            (
                plan(&c, TRASHED, params!["ada", 5, "x", 30])?,
                "photos_trash_by_owner",
            ),
            (plan(&c, EXPIRED, params![5, 30])?, "photos_trash_by_age"),
        ] {
            assert!(sql.iter().any(|s| s.contains(index)), "{sql:?}");
            // No table scan, no sort: a range of the index from the cursor.
            assert!(!sql.iter().any(|s| s.starts_with("SCAN")), "{sql:?}");
            assert!(!sql.iter().any(|s| s.contains("TEMP B-TREE")), "{sql:?}");
        }
        Ok(())
    }

    /// The trash pages by `(trashed_at, id)`, newest first: photos trashed at one moment
    /// split across pages by id, each once; only the owner's, only trashed ones.
    #[test]
    fn the_trash_pages_by_time_then_id() -> TestResult {
        let c = setup()?;
        for (i, id) in ["a4", "a5", "a6"].into_iter().enumerate() {
            photo(&c, id, "ada", 20 + i as i64)?;
        }
        c.execute(TRASH, params!["ada", r#"["a1","a2","a3"]"#, 100])?;
        c.execute(TRASH, params!["ada", r#"["a4","a5"]"#, 200])?;
        c.execute(TRASH, params!["bob", r#"["b1"]"#, 300])?;
        let page = |at: f64, id: &str| ids(&c, TRASHED, params!["ada", at, id, 2]);
        assert_eq!(page(NO_CURSOR.0, NO_CURSOR.1)?, ["a5", "a4"]);
        assert_eq!(page(200.0, "a4")?, ["a3", "a2"]);
        assert_eq!(page(100.0, "a2")?, ["a1"]);
        let at: Vec<i64> = c
            .prepare(TRASHED)?
            .query_map(params!["ada", NO_CURSOR.0, NO_CURSOR.1, 9], |r| {
                r.get("trashed_at")
            })?
            .collect::<Result<_, _>>()?;
        assert_eq!(at, [200, 200, 100, 100, 100], "each row says when");
        Ok(())
    }

    /// A row of `TRASHED` as D1 hands it over keeps its time; one without it (which the
    /// query never returns) is an error, not a panic.
    #[test]
    fn a_trash_row_keeps_its_time() -> TestResult {
        let row = |at: &str| {
            format!(
                r#"{{"id":"a1","owner_id":"ada","title":"t","alt":"","status":"ready",
                "failure":null,"visibility":"public","placeholder":null,"thumbhash":null,
                "created_at":10,"trashed_at":{at},"owner_suspended_at":null}}"#
            )
        };
        let t = serde_json::from_str::<Card>(&row("100"))?.into_trashed()?;
        assert_eq!((t.trashed_at, t.photo.id.as_str()), (100, "a1"));
        assert!(t.photo.trashed);
        assert!(serde_json::from_str::<Card>(&row("null"))?
            .into_trashed()
            .is_err());
        Ok(())
    }

    /// What the trash page reads for 30 photos with everyday metadata: its lean rows against
    /// the whole rows it read before (`select_photos!` on the same conditions).
    #[test]
    fn a_trash_page_reads_a_fraction_of_the_bytes() -> TestResult {
        use crate::d1::photos::select_photos;
        use crate::d1::test_db::{bytes_read, everyday_photo};
        const WHOLE: &str = select_photos!("", trashed!());
        let c = db()?;
        user(&c, "u1")?;
        let ids: Vec<String> = (0..31)
            .map(|i| format!("t{i:04}xxxxxxxxxxxxxxxx"))
            .collect();
        for (i, id) in ids.iter().enumerate() {
            everyday_photo(&c, id, "u1", i)?;
        }
        c.execute(TRASH, params!["u1", serde_json::to_string(&ids)?, 100])?;
        use rusqlite::types::Value;
        let args = || {
            let (at, id) = NO_CURSOR;
            vec![
                Value::from("u1".to_string()),
                Value::from(at),
                Value::from(id.to_string()),
                Value::from(30),
            ]
        };
        let lean = bytes_read(&c, TRASHED, args(), &[])?;
        let whole = bytes_read(&c, WHOLE, args(), &[])?;
        eprintln!("trash page of 30: whole rows {whole:?}, lean rows {lean:?} (rows, bytes)");
        assert_eq!((lean.0, whole.0), (30, 30));
        assert!(lean.1 * 4 < whole.1, "{lean:?} vs {whole:?}");
        Ok(())
    }
}
