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
