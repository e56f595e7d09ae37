//! `RateLimiter` over D1: one fixed-window counter row per bucket.

use app::ssr::ports::{PortError, PortResult, RateLimiter};
use async_trait::async_trait;
use serde::Deserialize;
use wasm_bindgen::JsValue;
use worker::send::{SendFuture, SendWrapper};
use worker::D1Database;

use super::{ms, s, unavailable};

/// One statement, so concurrent hits serialise in SQLite and every one is counted. A
/// new window (any other start) replaces the old count. In the SET list `window_start`
/// is still the stored value: SQLite evaluates every right-hand side before assigning.
pub const HIT: &str = "INSERT INTO rate_limits (bucket, window_start, hits) VALUES (?1, ?2, ?3) \
     ON CONFLICT (bucket) DO UPDATE SET \
     hits = CASE WHEN window_start = excluded.window_start THEN hits + excluded.hits ELSE excluded.hits END, \
     window_start = excluded.window_start \
     RETURNING hits";

/// Gives back hits counted in the current window only: once the bucket has moved to a
/// new window, the old window's hits are gone anyway.
pub const RELEASE: &str = "UPDATE rate_limits SET hits = MAX(hits - ?3, 0) \
     WHERE bucket = ?1 AND window_start = ?2";

pub struct D1Limits(SendWrapper<D1Database>);

impl D1Limits {
    pub fn new(db: D1Database) -> Self {
        Self(SendWrapper::new(db))
    }
}

#[derive(Deserialize)]
struct Hits {
    hits: f64,
}

#[async_trait]
impl RateLimiter for D1Limits {
    async fn hit(&self, bucket: &str, window_start: i64, n: u32) -> PortResult<u32> {
        SendFuture::new(async move {
            let stmt = self
                .0
                .prepare(HIT)
                .bind(&[s(bucket), ms(window_start), JsValue::from(n)])
                .map_err(unavailable)?;
            let row: Option<Hits> = stmt.first(None).await.map_err(unavailable)?;
            row.map(|r| r.hits as u32)
                .ok_or_else(|| PortError::Unavailable("d1: rate limit hit returned no row".into()))
        })
        .await
    }

    async fn release(&self, bucket: &str, window_start: i64, n: u32) -> PortResult<()> {
        let args = [s(bucket), ms(window_start), JsValue::from(n)];
        SendFuture::new(super::write(&self.0, RELEASE, &args))
            .await
            .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    //! The statement above, run against real SQLite with the real migrations.
    use super::*;
    use crate::d1::test_db::{db, TestResult};
    use rusqlite::{params, Connection};

    fn hit(c: &Connection, bucket: &str, window_start: i64) -> rusqlite::Result<u32> {
        hit_n(c, bucket, window_start, 1)
    }

    fn hit_n(c: &Connection, bucket: &str, window_start: i64, n: u32) -> rusqlite::Result<u32> {
        c.query_row(HIT, params![bucket, window_start, n], |r| r.get("hits"))
    }

    #[test]
    fn counts_several_hits_at_once() -> TestResult {
        let c = db()?;
        assert_eq!(hit_n(&c, "upload:u1", 0, 3)?, 3);
        assert_eq!(hit_n(&c, "upload:u1", 0, 2)?, 5);
        assert_eq!(hit_n(&c, "upload:u1", 0, 0)?, 5, "zero reads the count");
        assert_eq!(
            hit_n(&c, "upload:u1", 3_600_000, 4)?,
            4,
            "a new window starts from n"
        );
        Ok(())
    }

    fn release(c: &Connection, bucket: &str, window_start: i64, n: u32) -> rusqlite::Result<()> {
        c.execute(RELEASE, params![bucket, window_start, n])?;
        Ok(())
    }

    #[test]
    fn release_gives_back_within_the_window_only_and_never_below_zero() -> TestResult {
        let c = db()?;
        assert_eq!(hit_n(&c, "uploads:u1", 0, 5)?, 5);
        release(&c, "uploads:u1", 0, 2)?;
        assert_eq!(hit_n(&c, "uploads:u1", 0, 0)?, 3);
        release(&c, "uploads:u1", 0, 10)?;
        assert_eq!(hit_n(&c, "uploads:u1", 0, 0)?, 0, "never below zero");
        assert_eq!(hit_n(&c, "uploads:u1", 0, 4)?, 4);
        release(&c, "uploads:u1", -3_600_000, 4)?;
        assert_eq!(
            hit_n(&c, "uploads:u1", 0, 0)?,
            4,
            "another window's release changes nothing"
        );
        release(&c, "uploads:u2", 0, 4)?;
        assert_eq!(hit_n(&c, "uploads:u1", 0, 0)?, 4, "nor another bucket's");
        release(&c, "uploads:nobody", 0, 1)?;
        let rows: i64 = c.query_row(
            "SELECT COUNT(*) FROM rate_limits WHERE bucket = 'uploads:nobody'",
            [],
            |r| r.get(0),
        )?;
        assert_eq!(rows, 0, "a release creates no row");
        Ok(())
    }

    #[test]
    fn counts_within_a_window_and_resets_in_a_new_one() -> TestResult {
        let c = db()?;
        assert_eq!(hit(&c, "signin-ip:1", 1000)?, 1);
        assert_eq!(hit(&c, "signin-ip:1", 1000)?, 2);
        assert_eq!(hit(&c, "signin-ip:1", 1000)?, 3);
        assert_eq!(hit(&c, "signin-ip:2", 1000)?, 1, "buckets count apart");
        assert_eq!(hit(&c, "signin-ip:1", 2000)?, 1, "a new window starts over");
        assert_eq!(hit(&c, "signin-ip:1", 2000)?, 2);
        // A late hit for an older window (another isolate's clock) also starts over,
        // as the fake does: only an equal start continues a count.
        assert_eq!(hit(&c, "signin-ip:1", 1000)?, 1);
        let rows: (i64, i64, i64) = c.query_row(
            "SELECT COUNT(*), MIN(window_start), SUM(hits) FROM rate_limits WHERE bucket = 'signin-ip:1'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        assert_eq!(rows, (1, 1000, 1), "one row per bucket");
        Ok(())
    }
}
