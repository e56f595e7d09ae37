//! D1 adapters: the only place SQL text lives.

pub mod admin;
pub mod albums;
pub mod around;
pub mod cache;
pub mod jobs;
pub mod limits;
pub mod links;
pub mod photos;
pub mod search;
pub mod session;
pub mod social;
pub mod trash;
pub mod uploads;
pub mod users;

use app::ssr::ports::{PortError, PortResult};
use wasm_bindgen::JsValue;
use worker::D1Result;

pub(crate) fn unavailable(e: worker::Error) -> PortError {
    PortError::Unavailable(format!("d1: {e}"))
}

/// A UNIQUE (or primary key) violation is the caller's `Conflict`; anything else is
/// the platform's fault.
/// Runs one INSERT; a UNIQUE violation is `Conflict`.
pub(crate) async fn insert(
    db: &worker::D1Database,
    sql: &str,
    args: &[wasm_bindgen::JsValue],
) -> PortResult<()> {
    let stmt = db.prepare(sql).bind(args).map_err(unavailable)?;
    stmt.run()
        .await
        .map_err(conflict_or_unavailable)
        .map(|_| ())
}

/// Every row of a SELECT, as D1 returns them (`T` is the row's serde shape).
pub(crate) async fn all<T: serde::de::DeserializeOwned>(
    db: &worker::D1Database,
    sql: &str,
    args: &[wasm_bindgen::JsValue],
) -> PortResult<Vec<T>> {
    let stmt = db.prepare(sql).bind(args).map_err(unavailable)?;
    stmt.all()
        .await
        .and_then(|r| r.results())
        .map_err(unavailable)
}

/// Runs one write; returns how many rows it changed.
pub(crate) async fn write(
    db: &worker::D1Database,
    sql: &str,
    args: &[wasm_bindgen::JsValue],
) -> PortResult<u32> {
    let stmt = db.prepare(sql).bind(args).map_err(unavailable)?;
    let res = stmt.run().await.map_err(unavailable)?;
    changes(&res)
}

/// Runs a write that must hit a row: `NotFound` when it changed none (SQLite counts a
/// matched row even when no value differs, so 0 means no row).
pub(crate) async fn update_one(
    db: &worker::D1Database,
    sql: &str,
    args: &[wasm_bindgen::JsValue],
) -> PortResult<()> {
    match write(db, sql, args).await? {
        0 => Err(PortError::NotFound),
        _ => Ok(()),
    }
}

pub(crate) fn conflict_or_unavailable(e: worker::Error) -> PortError {
    if is_unique_violation(&error_text(&e)) {
        PortError::Conflict
    } else {
        unavailable(e)
    }
}

/// D1 throws `D1_ERROR: UNIQUE constraint failed: users.email: SQLITE_CONSTRAINT`, with
/// the SQLite message again as its `cause`.
fn is_unique_violation(text: &str) -> bool {
    text.contains("UNIQUE constraint failed")
}

fn error_text(e: &worker::Error) -> String {
    match e {
        worker::Error::D1(d1) => {
            let js: &js_sys::Error = d1.as_ref();
            format!("{} {}", String::from(js.message()), d1.cause())
        }
        other => other.to_string(),
    }
}

/// Rows a write changed (`meta.changes`); D1 always reports it for writes.
pub(crate) fn changes(r: &D1Result) -> PortResult<u32> {
    r.meta()
        .map_err(unavailable)?
        .and_then(|m| m.changes)
        .map(|c| u32::try_from(c).unwrap_or(u32::MAX))
        .ok_or_else(|| PortError::Unavailable("d1: result without meta.changes".into()))
}

pub(crate) fn s(v: &str) -> JsValue {
    JsValue::from_str(v)
}

pub(crate) fn n(v: impl Into<f64>) -> JsValue {
    JsValue::from_f64(v.into())
}

/// i64 milliseconds are exact in an f64 up to 2^53 (year 287396).
pub(crate) fn ms(v: i64) -> JsValue {
    JsValue::from_f64(v as f64)
}

/// SQLite has no booleans: 0 or 1, as the schema's `INTEGER` flags hold them.
pub(crate) fn flag(v: bool) -> JsValue {
    n(u8::from(v))
}

pub(crate) fn opt(v: Option<&str>) -> JsValue {
    v.map(JsValue::from_str).unwrap_or(JsValue::NULL)
}

#[cfg(test)]
pub(crate) mod test_db {
    //! An in-memory SQLite with every migration applied, for the statement tests.
    use rusqlite::Connection;

    pub type TestResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

    pub fn db() -> TestResult<Connection> {
        let c = Connection::open_in_memory()?;
        // D1 enforces foreign keys; SQLite only when asked.
        c.execute_batch("PRAGMA foreign_keys = ON")?;
        for (_, sql) in migrations()? {
            apply(&c, &sql)?;
        }
        Ok(c)
    }

    /// Every migration, in order: (file name, SQL).
    pub fn migrations() -> TestResult<Vec<(String, String)>> {
        let mut files = Vec::new();
        for e in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations"))? {
            files.push(e?.path());
        }
        files.sort();
        files
            .into_iter()
            .map(|f| {
                let name = f.file_name().map(|n| n.to_string_lossy().into_owned());
                Ok((name.unwrap_or_default(), std::fs::read_to_string(f)?))
            })
            .collect()
    }

    /// As D1 applies a migration: in one transaction.
    pub fn apply(c: &Connection, sql: &str) -> TestResult {
        c.execute_batch(&format!("BEGIN;\n{sql}\nCOMMIT;"))?;
        Ok(())
    }

    /// The steps of `EXPLAIN QUERY PLAN` for `sql`, e.g. `SCAN photos USING INDEX x`.
    pub fn plan(c: &Connection, sql: &str, args: impl rusqlite::Params) -> TestResult<Vec<String>> {
        let mut stmt = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
        let steps = stmt
            .query_map(args, |r| r.get::<_, String>("detail"))?
            .collect::<Result<_, _>>()?;
        Ok(steps)
    }

    /// The `id` column of every row `sql` returns.
    pub fn ids(
        c: &Connection,
        sql: &str,
        args: impl rusqlite::Params,
    ) -> rusqlite::Result<Vec<String>> {
        c.prepare(sql)?.query_map(args, |r| r.get("id"))?.collect()
    }

    /// A ready public photo of `owner`'s with everyday metadata (a camera's EXIF, a location,
    /// a 200-character caption), the `i`th of a series (its title and time).
    pub fn everyday_photo(c: &Connection, id: &str, owner: &str, i: usize) -> TestResult {
        // As the media job writes it (`media::Exif`), every field known.
        let exif = r#"{"make":"FUJIFILM","model":"X-T4","lens":"XF16-55mmF2.8 R LM WR","exposure_time":"1/250","f_number":2.8,"iso":400,"focal_length_mm":23.0,"taken_at":"2024-06-01T18:30:00","orientation":1,"focal_35mm":35,"exposure_bias":-0.7,"taken_offset":"+02:00"}"#;
        let parsed: media::Exif = serde_json::from_str(exif)?;
        assert_eq!(serde_json::to_string(&parsed)?, exif);
        let gps = r#"{"latitude":46.5197,"longitude":6.6323,"altitude":372.0}"#;
        c.execute(
            "INSERT INTO photos (id, owner_id, title, status, content_type, bytes, width, \
             height, sha256, rev, placeholder, thumbhash, exif_json, gps_json, created_at, \
             updated_at, visibility, caption, alt) VALUES (?1, ?2, ?3, 'ready', \
             'image/jpeg', 4000000, 6240, 4160, ?4, 'r1', '#8a7f6e', ?5, ?6, ?7, ?8, ?8, \
             'public', ?9, ?10)",
            rusqlite::params![
                id,
                owner,
                format!("Evening by the lake {i}"),
                // A hash's 64 characters, one per photo.
                format!("{id:0>64}"),
                "3OcRJYB4d3h/iIeHeEh3eIhw+j2w",
                exif,
                gps,
                1_700_000_000_000_i64 + i as i64,
                "c".repeat(200),
                "Sailing boats on a calm lake at sunset, hills behind",
            ],
        )?;
        Ok(())
    }

    /// (rows, bytes) `sql` returns, counted as SQLite stores each value (text and blobs by
    /// length, numbers as 8 bytes), bar the columns named in `skip`.
    pub fn bytes_read(
        c: &Connection,
        sql: &str,
        args: Vec<rusqlite::types::Value>,
        skip: &[&str],
    ) -> TestResult<(usize, usize)> {
        use rusqlite::types::ValueRef;
        let mut stmt = c.prepare(sql)?;
        let skip: Vec<usize> = skip
            .iter()
            .filter_map(|n| stmt.column_index(n).ok())
            .collect();
        let cols = stmt.column_count();
        let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
        let (mut n, mut total) = (0, 0);
        while let Some(r) = rows.next()? {
            n += 1;
            for i in (0..cols).filter(|i| !skip.contains(i)) {
                total += match r.get_ref(i)? {
                    ValueRef::Null => 0,
                    ValueRef::Integer(_) | ValueRef::Real(_) => 8,
                    ValueRef::Text(t) | ValueRef::Blob(t) => t.len(),
                };
            }
        }
        Ok((n, total))
    }

    /// A user whose id, username and display name are `id`.
    pub fn user(c: &Connection, id: &str) -> rusqlite::Result<()> {
        c.execute(
            "INSERT INTO users (id, username, email, display_name, password_hash, \
             default_visibility, watermark, created_at, updated_at) \
             VALUES (?1, ?1, ?1 || '@example.com', ?1, 'h', 'public', 0, 1, 1)",
            rusqlite::params![id],
        )
        .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::is_unique_violation;
    use super::test_db::{apply, migrations, TestResult};

    /// 0003 rebuilds `users`; on a database with people in it, nobody is signed out and
    /// nothing is lost.
    #[test]
    fn the_accounts_rebuild_keeps_users_and_sessions() -> TestResult {
        let c = rusqlite::Connection::open_in_memory()?;
        c.execute_batch("PRAGMA foreign_keys = ON")?;
        let all = migrations()?;
        let (before, after): (Vec<_>, Vec<_>) = all
            .into_iter()
            .partition(|(name, _)| name.as_str() < "0003");
        for (_, sql) in &before {
            apply(&c, sql)?;
        }
        c.execute_batch(
            "INSERT INTO users (id, username, email, display_name, password_hash, created_at, \
             updated_at) VALUES ('u1', 'ada', 'ada@example.com', 'Ada', 'h', 1, 2); \
             INSERT INTO sessions VALUES ('t1', 'u1', 1, 2, 3);",
        )?;
        for (_, sql) in &after {
            apply(&c, sql)?;
        }
        let session: (String, i64) = c.query_row(
            "SELECT user_id, expires_at FROM sessions WHERE token_hash = 't1'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        assert_eq!(session, ("u1".into(), 3));
        let user: (String, String, i64) = c.query_row(
            "SELECT username, email, updated_at FROM users WHERE id = 'u1'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        assert_eq!(user, ("ada".into(), "ada@example.com".into(), 2));
        // The foreign keys still hold, and still cascade.
        assert!(c
            .execute("INSERT INTO sessions VALUES ('t2', 'nobody', 1, 1, 1)", [])
            .is_err());
        c.execute("DELETE FROM users WHERE id = 'u1'", [])?;
        let left: i64 = c.query_row("SELECT COUNT(*) FROM sessions", [], |r| r.get(0))?;
        assert_eq!(left, 0);
        Ok(())
    }

    #[test]
    fn unique_violation_is_recognised_in_d1_text() {
        assert!(is_unique_violation(
            "D1_ERROR: UNIQUE constraint failed: users.email: SQLITE_CONSTRAINT"
        ));
        assert!(!is_unique_violation(
            "D1_ERROR: FOREIGN KEY constraint failed: SQLITE_CONSTRAINT"
        ));
    }
}
