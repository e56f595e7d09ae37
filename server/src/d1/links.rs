//! `LinkRepo` over D1: share links (`share_links`, migration 0005).

use app::ssr::ports::{LinkEdit, LinkRepo, LinkRow, LinkTarget, PortError, PortResult};
use async_trait::async_trait;
use serde::Deserialize;
use wasm_bindgen::JsValue;
use worker::send::{SendFuture, SendWrapper};
use worker::D1Database;

use super::{conflict_or_unavailable, flag, ms, opt, s, unavailable, update_one, write};

pub const INSERT: &str =
    "INSERT INTO share_links (id, owner_id, target_kind, target_id, token, label, \
     expires_at, password_hash, allow_downloads, views, created_at, updated_at, revoked_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, ?10, ?10, NULL)";
macro_rules! select_links {
    ($rest:literal) => {
        concat!(
            "SELECT id, owner_id, target_kind, target_id, token, label, expires_at, ",
            "password_hash, allow_downloads, views, created_at, updated_at, revoked_at ",
            "FROM share_links ",
            $rest
        )
    };
}
/// `token` is UNIQUE: an index lookup.
pub const BY_TOKEN: &str = select_links!("WHERE token = ?1");
pub const BY_ID: &str = select_links!("WHERE id = ?1");
/// Walks `share_links_by_target`.
pub const FOR_TARGET: &str = select_links!(
    "WHERE target_kind = ?1 AND target_id = ?2 AND revoked_at IS NULL \
     ORDER BY created_at DESC, id DESC"
);
/// `?5` says whether `password_hash` changes (to `?6`, which may be NULL). Every change
/// needs the link alive: a revoked link stays revoked and keeps its last settings.
pub const UPDATE: &str =
    "UPDATE share_links SET label = ?2, expires_at = ?3, allow_downloads = ?4, \
     password_hash = CASE WHEN ?5 THEN ?6 ELSE password_hash END, updated_at = ?7 \
     WHERE id = ?1 AND revoked_at IS NULL";
pub const RESET: &str =
    "UPDATE share_links SET token = ?2, updated_at = ?3 WHERE id = ?1 AND revoked_at IS NULL";
pub const REVOKE: &str = "UPDATE share_links SET revoked_at = ?2, updated_at = ?2 \
     WHERE id = ?1 AND revoked_at IS NULL";
/// One statement, so concurrent views all count.
pub const COUNT_VIEW: &str = "UPDATE share_links SET views = views + 1 WHERE id = ?1";
/// The cron's sweep: links revoked before ?1, or expired before ?2 (each by its partial index).
pub const PURGE_DEAD: &str = "DELETE FROM share_links WHERE id IN (\
     SELECT id FROM share_links WHERE revoked_at < ?1 \
     UNION SELECT id FROM share_links WHERE expires_at < ?2)";

pub struct D1Links(SendWrapper<D1Database>);

impl D1Links {
    pub fn new(db: D1Database) -> Self {
        Self(SendWrapper::new(db))
    }

    async fn rows(&self, sql: &str, args: &[JsValue]) -> PortResult<Vec<LinkRow>> {
        let rows: Vec<Row> = super::all(&self.0, sql, args).await?;
        rows.into_iter().map(Row::into_port).collect()
    }

    async fn one(&self, sql: &str, key: &str) -> PortResult<Option<LinkRow>> {
        Ok(self.rows(sql, &[s(key)]).await?.into_iter().next())
    }
}

/// A row as D1 returns it: INTEGER columns arrive as JSON numbers, flags as 0/1.
#[derive(Deserialize)]
struct Row {
    id: String,
    owner_id: String,
    target_kind: String,
    target_id: String,
    token: String,
    label: String,
    expires_at: Option<f64>,
    password_hash: Option<String>,
    allow_downloads: f64,
    views: f64,
    created_at: f64,
    updated_at: f64,
    revoked_at: Option<f64>,
}

impl Row {
    fn into_port(self) -> PortResult<LinkRow> {
        let target = LinkTarget::parse(&self.target_kind).ok_or_else(|| {
            PortError::Unavailable(format!("bad link target {:?}", self.target_kind))
        })?;
        Ok(LinkRow {
            id: self.id,
            owner_id: self.owner_id,
            target,
            target_id: self.target_id,
            token: self.token,
            label: self.label,
            expires_at: self.expires_at.map(|t| t as i64),
            password_hash: self.password_hash,
            allow_downloads: self.allow_downloads != 0.0,
            views: self.views as u64,
            created_at: self.created_at as i64,
            updated_at: self.updated_at as i64,
            revoked_at: self.revoked_at.map(|t| t as i64),
        })
    }
}

fn opt_ms(v: Option<i64>) -> JsValue {
    v.map(ms).unwrap_or(JsValue::NULL)
}

#[async_trait]
impl LinkRepo for D1Links {
    async fn insert(&self, l: &LinkRow) -> PortResult<()> {
        let args = [
            s(&l.id),
            s(&l.owner_id),
            s(l.target.as_str()),
            s(&l.target_id),
            s(&l.token),
            s(&l.label),
            opt_ms(l.expires_at),
            opt(l.password_hash.as_deref()),
            flag(l.allow_downloads),
            ms(l.created_at),
        ];
        SendFuture::new(super::insert(&self.0, INSERT, &args)).await
    }

    async fn by_token(&self, token: &str) -> PortResult<Option<LinkRow>> {
        SendFuture::new(self.one(BY_TOKEN, token)).await
    }

    async fn by_id(&self, id: &str) -> PortResult<Option<LinkRow>> {
        SendFuture::new(self.one(BY_ID, id)).await
    }

    async fn for_target(&self, target: LinkTarget, target_id: &str) -> PortResult<Vec<LinkRow>> {
        let args = [s(target.as_str()), s(target_id)];
        SendFuture::new(self.rows(FOR_TARGET, &args)).await
    }

    async fn update(&self, id: &str, e: &LinkEdit, now_ms: i64) -> PortResult<()> {
        let (change, hash) = match &e.password_hash {
            None => (false, None),
            Some(h) => (true, h.as_deref()),
        };
        let args = [
            s(id),
            s(&e.label),
            opt_ms(e.expires_at),
            flag(e.allow_downloads),
            flag(change),
            opt(hash),
            ms(now_ms),
        ];
        SendFuture::new(update_one(&self.0, UPDATE, &args)).await
    }

    async fn reset(&self, id: &str, token: &str, now_ms: i64) -> PortResult<()> {
        let args = [s(id), s(token), ms(now_ms)];
        SendFuture::new(async move {
            let stmt = self.0.prepare(RESET).bind(&args).map_err(unavailable)?;
            let res = stmt.run().await.map_err(conflict_or_unavailable)?;
            match super::changes(&res)? {
                0 => Err(PortError::NotFound),
                _ => Ok(()),
            }
        })
        .await
    }

    async fn revoke(&self, id: &str, now_ms: i64) -> PortResult<()> {
        SendFuture::new(update_one(&self.0, REVOKE, &[s(id), ms(now_ms)])).await
    }

    async fn count_view(&self, id: &str) -> PortResult<()> {
        SendFuture::new(write(&self.0, COUNT_VIEW, &[s(id)]))
            .await
            .map(|_| ())
    }

    async fn purge_dead(&self, revoked_before: i64, expired_before: i64) -> PortResult<u32> {
        SendFuture::new(write(
            &self.0,
            PURGE_DEAD,
            &[ms(revoked_before), ms(expired_before)],
        ))
        .await
    }
}

#[cfg(test)]
mod tests {
    //! Every statement above, run against real SQLite with the real migrations.
    use super::*;
    use crate::d1::is_unique_violation;
    use crate::d1::test_db::{db, ids, plan, user, TestResult};
    use rusqlite::{params, Connection};

    const COLUMNS: [&str; 13] = [
        "id",
        "owner_id",
        "target_kind",
        "target_id",
        "token",
        "label",
        "expires_at",
        "password_hash",
        "allow_downloads",
        "views",
        "created_at",
        "updated_at",
        "revoked_at",
    ];

    fn link(c: &Connection, id: &str, target: &str, token: &str, created: i64) -> TestResult {
        c.execute(
            INSERT,
            params![
                id,
                "u1",
                "photo",
                target,
                token,
                "",
                100,
                None::<String>,
                0,
                created
            ],
        )?;
        Ok(())
    }

    /// (token, label, expires_at, password_hash, allow_downloads, views, updated_at, revoked_at)
    type Stored = (
        String,
        String,
        Option<i64>,
        Option<String>,
        i64,
        i64,
        i64,
        Option<i64>,
    );

    fn stored(c: &Connection, id: &str) -> rusqlite::Result<Stored> {
        c.query_row(
            "SELECT token, label, expires_at, password_hash, allow_downloads, views, updated_at, \
             revoked_at FROM share_links WHERE id = ?1",
            params![id],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                ))
            },
        )
    }

    #[test]
    fn selects_name_the_columns_the_row_reads() -> TestResult {
        let c = db()?;
        for sql in [BY_TOKEN, BY_ID, FOR_TARGET] {
            assert_eq!(c.prepare(sql)?.column_names(), COLUMNS, "{sql}");
        }
        Ok(())
    }

    #[test]
    fn insert_and_read_back_by_token_and_id() -> TestResult {
        let c = db()?;
        user(&c, "u1")?;
        c.execute(
            INSERT,
            params![
                "l1",
                "u1",
                "photo",
                "p1",
                "tok1",
                "for grandma",
                None::<i64>,
                "pbkdf2",
                1,
                7
            ],
        )?;
        let got = stored(&c, "l1")?;
        assert_eq!(
            got,
            (
                "tok1".into(),
                "for grandma".into(),
                None,
                Some("pbkdf2".into()),
                1,
                0,
                7,
                None
            )
        );
        assert_eq!(ids(&c, BY_TOKEN, params!["tok1"])?, ["l1"]);
        assert_eq!(ids(&c, BY_TOKEN, params!["tok"])?, Vec::<String>::new());
        assert_eq!(ids(&c, BY_ID, params!["l1"])?, ["l1"]);
        let steps = plan(&c, BY_TOKEN, params!["tok1"])?;
        assert!(!steps.iter().any(|s| s.starts_with("SCAN")), "{steps:?}");
        Ok(())
    }

    #[test]
    fn tokens_are_unique_targets_are_checked_and_owners_must_exist() -> TestResult {
        let c = db()?;
        user(&c, "u1")?;
        link(&c, "l1", "p1", "tok", 1)?;
        let clash = link(&c, "l2", "p1", "tok", 1).err().ok_or("inserted")?;
        assert!(is_unique_violation(&clash.to_string()), "{clash}");
        assert!(c
            .execute(
                INSERT,
                params!["l3", "u1", "user", "p1", "t3", "", 1, None::<String>, 0, 1]
            )
            .is_err());
        assert!(
            c.execute(
                INSERT,
                params![
                    "l4",
                    "nobody",
                    "photo",
                    "p1",
                    "t4",
                    "",
                    1,
                    None::<String>,
                    0,
                    1
                ]
            )
            .is_err(),
            "a link needs its owner"
        );
        // The owner's account going takes the links with it.
        c.execute("DELETE FROM users WHERE id = 'u1'", [])?;
        assert_eq!(ids(&c, BY_ID, params!["l1"])?, Vec::<String>::new());
        Ok(())
    }

    #[test]
    fn for_target_lists_live_links_newest_first_by_index() -> TestResult {
        let c = db()?;
        user(&c, "u1")?;
        link(&c, "old", "p1", "t1", 1)?;
        link(&c, "new", "p1", "t2", 5)?;
        link(&c, "gone", "p1", "t3", 9)?;
        link(&c, "other", "p2", "t4", 3)?;
        c.execute(REVOKE, params!["gone", 10])?;
        assert_eq!(ids(&c, FOR_TARGET, params!["photo", "p1"])?, ["new", "old"]);
        assert_eq!(
            ids(&c, FOR_TARGET, params!["album", "p1"])?,
            Vec::<String>::new()
        );
        let steps = plan(&c, FOR_TARGET, params!["photo", "p1"])?;
        assert!(
            steps.iter().any(|s| s.contains("share_links_by_target")),
            "{steps:?}"
        );
        Ok(())
    }

    #[test]
    fn update_keeps_sets_or_clears_the_password() -> TestResult {
        let c = db()?;
        user(&c, "u1")?;
        link(&c, "l1", "p1", "t1", 1)?;
        let upd = |label: &str, exp: Option<i64>, change: bool, hash: Option<&str>, now: i64| {
            c.execute(UPDATE, params!["l1", label, exp, 1, change, hash, now])
        };
        assert_eq!(upd("a", Some(50), true, Some("h1"), 2)?, 1);
        assert_eq!(
            stored(&c, "l1")?,
            (
                "t1".into(),
                "a".into(),
                Some(50),
                Some("h1".into()),
                1,
                0,
                2,
                None
            )
        );
        assert_eq!(upd("b", None, false, None, 3)?, 1, "keep");
        assert_eq!(stored(&c, "l1")?.3.as_deref(), Some("h1"));
        assert_eq!(stored(&c, "l1")?.2, None, "never");
        assert_eq!(upd("b", None, true, None, 4)?, 1, "clear");
        assert_eq!(stored(&c, "l1")?.3, None);
        assert_eq!(
            c.execute(UPDATE, params!["zz", "x", 1, 0, false, None::<String>, 5])?,
            0
        );
        Ok(())
    }

    #[test]
    fn reset_swaps_the_token_and_revoke_is_for_good() -> TestResult {
        let c = db()?;
        user(&c, "u1")?;
        link(&c, "l1", "p1", "t1", 1)?;
        link(&c, "l2", "p1", "t2", 1)?;
        assert_eq!(c.execute(RESET, params!["l1", "t9", 5])?, 1);
        assert_eq!(ids(&c, BY_TOKEN, params!["t1"])?, Vec::<String>::new());
        assert_eq!(ids(&c, BY_TOKEN, params!["t9"])?, ["l1"]);
        let clash = c
            .execute(RESET, params!["l1", "t2", 6])
            .err()
            .ok_or("reset to a taken token")?;
        assert!(is_unique_violation(&clash.to_string()));

        assert_eq!(c.execute(REVOKE, params!["l1", 7])?, 1);
        assert_eq!(c.execute(REVOKE, params!["l1", 8])?, 0, "once");
        assert_eq!(stored(&c, "l1")?.7, Some(7));
        // Nothing brings a revoked link back.
        assert_eq!(c.execute(RESET, params!["l1", "t10", 9])?, 0);
        assert_eq!(
            c.execute(
                UPDATE,
                params!["l1", "x", None::<i64>, 1, true, None::<String>, 9]
            )?,
            0
        );
        assert_eq!(stored(&c, "l1")?.0, "t9");
        Ok(())
    }

    #[test]
    fn views_count_and_links_go_with_their_photo() -> TestResult {
        let c = db()?;
        user(&c, "u1")?;
        c.execute(
            "INSERT INTO photos (id, owner_id, title, status, content_type, bytes, created_at, \
             updated_at) VALUES ('p1', 'u1', 't', 'ready', 'image/jpeg', 1, 1, 1)",
            [],
        )?;
        link(&c, "l1", "p1", "t1", 1)?;
        link(&c, "l2", "p2", "t2", 1)?;
        for _ in 0..3 {
            c.execute(COUNT_VIEW, params!["l1"])?;
        }
        assert_eq!(stored(&c, "l1")?.5, 3);
        c.execute("DELETE FROM photos WHERE id = 'p1'", [])?;
        assert_eq!(ids(&c, BY_ID, params!["l1"])?, Vec::<String>::new());
        assert_eq!(ids(&c, BY_ID, params!["l2"])?, ["l2"], "other links stay");
        Ok(())
    }

    #[test]
    fn links_go_with_their_album() -> TestResult {
        let c = db()?;
        user(&c, "u1")?;
        c.execute(
            "INSERT INTO albums (id, owner_id, title, description, visibility, sort, created_at, \
             updated_at) VALUES ('a1', 'u1', 't', '', 'private', 'manual', 1, 1)",
            [],
        )?;
        for (id, kind, target, token) in [
            ("l1", "album", "a1", "t1"),
            ("l2", "photo", "a1", "t2"),
            ("l3", "album", "a2", "t3"),
        ] {
            c.execute(
                INSERT,
                params![id, "u1", kind, target, token, "", 100, None::<String>, 0, 1],
            )?;
        }
        c.execute("DELETE FROM albums WHERE id = 'a1'", [])?;
        assert_eq!(ids(&c, BY_ID, params!["l1"])?, Vec::<String>::new());
        assert_eq!(
            ids(&c, BY_ID, params!["l2"])?,
            ["l2"],
            "a photo's link stays"
        );
        assert_eq!(
            ids(&c, BY_ID, params!["l3"])?,
            ["l3"],
            "another album's link stays"
        );
        Ok(())
    }

    #[test]
    fn the_sweep_deletes_only_long_dead_links_by_index() -> TestResult {
        let c = db()?;
        user(&c, "u1")?;
        for (id, expires) in [
            ("live", Some(500)),
            ("never", None),
            ("old", Some(50)),
            ("recent", Some(150)),
        ] {
            c.execute(
                INSERT,
                params![
                    id,
                    "u1",
                    "photo",
                    "p1",
                    id,
                    "",
                    expires,
                    None::<String>,
                    0,
                    1
                ],
            )?;
        }
        link(&c, "revoked-old", "p1", "t5", 1)?;
        link(&c, "revoked-new", "p1", "t6", 1)?;
        c.execute(REVOKE, params!["revoked-old", 10])?;
        c.execute(REVOKE, params!["revoked-new", 90])?;
        assert_eq!(c.execute(PURGE_DEAD, params![50, 100])?, 2);
        let mut left = ids(&c, "SELECT id FROM share_links ORDER BY id", [])?;
        left.sort();
        assert_eq!(left, ["live", "never", "recent", "revoked-new"]);
        let steps = plan(&c, PURGE_DEAD, params![50, 100])?;
        assert!(
            !steps.iter().any(|s| s.starts_with("SCAN share_links")),
            "{steps:?}"
        );
        Ok(())
    }
}
