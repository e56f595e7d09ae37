//! The edge cache's tag index (migration 0010): which cached URL shows what.

use app::ssr::ports::PortResult;
use serde::Deserialize;
use worker::D1Database;

use super::{all, ms, s, write};

/// Files `url` under each tag of the JSON array `?1`.
pub const REMEMBER: &str = "INSERT OR REPLACE INTO cache_entries (tag, url, stored_at) \
     SELECT value, ?2, ?3 FROM json_each(?1)";

/// Every URL stored under any tag of the JSON array `?1`.
pub const URLS: &str = "SELECT DISTINCT url FROM cache_entries \
     WHERE tag IN (SELECT value FROM json_each(?1))";

/// Forgets the URLs of the JSON array `?1` under every tag (they are gone from the cache).
pub const FORGET: &str = "DELETE FROM cache_entries WHERE url IN (SELECT value FROM json_each(?1))";

/// A cached share-link page is served again: counts its view, only while the link is open
/// to anyone (not revoked, no password, not expired at `?2`). No row changed: the copy is
/// stale, whatever a purge did or did not reach. One indexed write (`token` is UNIQUE).
pub const LINK_VIEWED: &str = "UPDATE share_links SET views = views + 1 \
     WHERE token = ?1 AND revoked_at IS NULL AND password_hash IS NULL \
     AND (expires_at IS NULL OR expires_at > ?2)";

/// The same test for a page whose views do not count (an album link's photo pages).
pub const LINK_OPEN: &str = "SELECT 1 AS open FROM share_links \
     WHERE token = ?1 AND revoked_at IS NULL AND password_hash IS NULL \
     AND (expires_at IS NULL OR expires_at > ?2)";

/// A row of `LINK_OPEN`: only that there is one matters.
#[derive(Deserialize)]
struct Open {}

#[derive(Deserialize)]
struct Url {
    url: String,
}

fn json(list: &[String]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".into())
}

pub async fn remember(db: &D1Database, url: &str, tags: &[String], now_ms: i64) -> PortResult<()> {
    write(db, REMEMBER, &[s(&json(tags)), s(url), ms(now_ms)])
        .await
        .map(|_| ())
}

pub async fn urls(db: &D1Database, tags: &[String]) -> PortResult<Vec<String>> {
    let rows: Vec<Url> = all(db, URLS, &[s(&json(tags))]).await?;
    Ok(rows.into_iter().map(|r| r.url).collect())
}

/// Whether the link at `token` still shows its cached page to anyone at `now_ms`,
/// counting the view when `counts`.
pub async fn link_open(
    db: &D1Database,
    token: &str,
    counts: bool,
    now_ms: i64,
) -> PortResult<bool> {
    let args = [s(token), ms(now_ms)];
    if counts {
        Ok(write(db, LINK_VIEWED, &args).await? > 0)
    } else {
        let rows: Vec<Open> = all(db, LINK_OPEN, &args).await?;
        Ok(!rows.is_empty())
    }
}

pub async fn forget(db: &D1Database, urls: &[String]) -> PortResult<()> {
    write(db, FORGET, &[s(&json(urls))]).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    //! The statements above, run against real SQLite with the real migrations.
    use super::*;
    use crate::d1::test_db::{db, TestResult};
    use rusqlite::{params, Connection};

    fn urls_of(c: &Connection, tags: &[&str]) -> rusqlite::Result<Vec<String>> {
        let mut got: Vec<String> = c
            .prepare(URLS)?
            .query_map(params![serde_json::json!(tags).to_string()], |r| {
                r.get("url")
            })?
            .collect::<Result<_, _>>()?;
        got.sort();
        Ok(got)
    }

    #[test]
    fn a_cached_link_page_is_served_only_while_its_link_is_open_to_anyone() -> TestResult {
        let c = db()?;
        crate::d1::test_db::user(&c, "u1")?;
        let link = |id: &str,
                    token: &str,
                    expires: Option<i64>,
                    pw: Option<&str>,
                    revoked: Option<i64>| {
            c.execute(
                "INSERT INTO share_links (id, owner_id, target_kind, target_id, token, label, \
                 expires_at, password_hash, allow_downloads, views, created_at, updated_at, \
                 revoked_at) VALUES (?1, 'u1', 'photo', 'ph', ?2, '', ?3, ?4, 0, 0, 1, 1, ?5)",
                params![id, token, expires, pw, revoked],
            )
        };
        link("l1", "open", None, None, None)?;
        link("l2", "until", Some(100), None, None)?;
        link("l3", "locked", None, Some("h"), None)?;
        link("l4", "revoked", None, None, Some(5))?;
        let viewed = |token: &str, now: i64| c.execute(LINK_VIEWED, params![token, now]);
        let open = |token: &str, now: i64| -> rusqlite::Result<bool> {
            let mut stmt = c.prepare(LINK_OPEN)?;
            let found = stmt.exists(params![token, now])?;
            Ok(found)
        };
        assert_eq!(viewed("open", 50)?, 1);
        assert_eq!(viewed("until", 50)?, 1);
        assert_eq!(viewed("until", 100)?, 0, "expired");
        assert_eq!(
            viewed("locked", 50)?,
            0,
            "protected pages are never served from the cache"
        );
        assert_eq!(viewed("revoked", 50)?, 0);
        assert_eq!(viewed("made-up", 50)?, 0);
        let views: i64 = c.query_row("SELECT views FROM share_links WHERE id = 'l1'", [], |r| {
            r.get(0)
        })?;
        assert_eq!(views, 1);
        assert!(open("open", 50)? && open("until", 99)?);
        assert!(!open("until", 100)? && !open("locked", 1)? && !open("revoked", 1)?);
        let plan = crate::d1::test_db::plan(&c, LINK_OPEN, params!["open", 1])?;
        assert!(plan.iter().any(|s| s.contains("INDEX")), "{plan:?}");
        Ok(())
    }

    #[test]
    fn purge_finds_every_url_under_any_tag_and_forgets_them_under_all() -> TestResult {
        let c = db()?;
        let put = |url: &str, tags: &[&str]| {
            c.execute(
                REMEMBER,
                params![serde_json::json!(tags).to_string(), url, 1],
            )
        };
        put("http://x/", &["feed", "photo:a", "photo:b"])?;
        put("http://x/p/a", &["photo:a", "user:u"])?;
        put("http://x/u/v", &["user:v", "photo:c"])?;
        // Stored again (a re-render after a purge): no duplicate rows.
        put("http://x/p/a", &["photo:a", "user:u"])?;
        assert_eq!(
            urls_of(&c, &["photo:a"])?,
            vec!["http://x/", "http://x/p/a"]
        );
        assert_eq!(urls_of(&c, &["user:v", "feed"])?.len(), 2);
        assert!(urls_of(&c, &["album:z"])?.is_empty());
        c.execute(
            FORGET,
            params![serde_json::json!(["http://x/", "http://x/p/a"]).to_string()],
        )?;
        assert!(urls_of(&c, &["photo:a", "photo:b", "feed", "user:u"])?.is_empty());
        assert_eq!(urls_of(&c, &["photo:c"])?, vec!["http://x/u/v"]);
        Ok(())
    }
}
