//! `JobRepo` over D1: one record per photo's media job (`jobs`, migration 0014).

use app::ssr::ports::{JobRecord, JobRepo, JobState, Key, PortResult};
use async_trait::async_trait;
use serde::Deserialize;
use worker::send::{SendFuture, SendWrapper};
use worker::D1Database;

use super::{all, ms, n, opt, s, write};

/// First delivery: the record is made, queued when the photo was created (only for a photo
/// that exists). Later deliveries count one more attempt.
pub const START: &str = "INSERT INTO jobs (photo_id, state, attempts, queued_at, started_at) \
     SELECT id, 'running', 1, created_at, ?2 FROM photos WHERE id = ?1 \
     ON CONFLICT (photo_id) DO UPDATE SET state = 'running', attempts = jobs.attempts + 1, \
     started_at = ?2, finished_at = NULL";
pub const FINISH: &str =
    "UPDATE jobs SET state = ?2, last_error = ?3, mem_mib = ?4, finished_at = ?5 \
     WHERE photo_id = ?1";
pub const RETRY: &str = "UPDATE jobs SET state = 'queued', last_error = ?2 \
     WHERE photo_id = ?1 AND state IN ('queued', 'running')";
/// Only while the photo is still pending: a dead letter for a photo a later delivery
/// finished changes nothing. The last delivery's error stays (the cause, for the console).
pub const DEAD: &str =
    "INSERT INTO jobs (photo_id, state, attempts, last_error, queued_at, finished_at) \
     SELECT id, 'dead', 0, ?2, created_at, ?3 FROM photos WHERE id = ?1 AND status = 'pending' \
     ON CONFLICT (photo_id) DO UPDATE SET state = 'dead', \
     last_error = COALESCE(jobs.last_error, ?2), finished_at = ?3 \
     WHERE jobs.state IN ('queued', 'running')";
/// Pending photos whose job was lost, not given up: walks `photos_pending` from the key on,
/// so photos the cron cannot fix never fill its page.
pub const LOST: &str = "SELECT p.created_at AS created_at, p.id AS id \
     FROM photos p INDEXED BY photos_pending \
     LEFT JOIN jobs j ON j.photo_id = p.id \
     WHERE p.status = 'pending' AND p.created_at < ?1 AND p.created_at >= ?3 \
     AND (p.created_at, p.id) > (?3, ?4) \
     AND (j.photo_id IS NULL OR (j.state <> 'dead' AND j.attempts < ?2)) \
     ORDER BY p.created_at, p.id LIMIT ?5";
pub const REQUEUE_PHOTO: &str =
    "UPDATE photos SET status = 'pending', failure = NULL, updated_at = ?2 \
     WHERE id = ?1 AND status = 'failed'";
pub const REQUEUE_JOB: &str = "INSERT INTO jobs (photo_id, state, attempts, queued_at) \
     SELECT id, 'queued', 0, ?2 FROM photos WHERE id = ?1 \
     ON CONFLICT (photo_id) DO UPDATE SET state = 'queued', attempts = 0, last_error = NULL, \
     queued_at = ?2, started_at = NULL, finished_at = NULL, mem_mib = NULL";
pub const COUNTS: &str = "SELECT state, COUNT(*) AS n FROM jobs GROUP BY state";
/// Failed and dead jobs, latest first (`jobs_by_state`, one range per state).
pub const FAILURES: &str =
    "SELECT j.photo_id AS photo_id, COALESCE(u.username, '') AS owner_username, \
     j.state AS state, j.attempts AS attempts, j.last_error AS last_error, \
     j.queued_at AS queued_at, j.started_at AS started_at, j.finished_at AS finished_at, \
     j.mem_mib AS mem_mib \
     FROM jobs j JOIN photos p ON p.id = j.photo_id LEFT JOIN users u ON u.id = p.owner_id \
     WHERE j.state IN ('failed', 'dead') AND (j.finished_at, j.photo_id) < (?1, ?2) \
     ORDER BY j.finished_at DESC, j.photo_id DESC LIMIT ?3";
pub const DURATIONS: &str = "SELECT finished_at - started_at AS ms FROM jobs \
     WHERE state = 'done' AND finished_at >= ?1 AND started_at IS NOT NULL \
     ORDER BY finished_at DESC LIMIT ?2";

/// After every row of an oldest-first walk.
const START_KEY: (f64, &str) = (-1.0, "");

pub struct D1Jobs(SendWrapper<D1Database>);

impl D1Jobs {
    pub fn new(db: D1Database) -> Self {
        Self(SendWrapper::new(db))
    }
}

#[derive(Deserialize)]
struct Record {
    photo_id: String,
    owner_username: String,
    state: String,
    attempts: f64,
    last_error: Option<String>,
    queued_at: f64,
    started_at: Option<f64>,
    finished_at: Option<f64>,
    mem_mib: Option<f64>,
}

impl Record {
    fn into_port(self) -> JobRecord {
        JobRecord {
            photo_id: self.photo_id,
            owner_username: self.owner_username,
            // The CHECK constraint admits only the five states.
            state: JobState::parse(&self.state).unwrap_or(JobState::Dead),
            attempts: self.attempts as u32,
            last_error: self.last_error,
            queued_at: self.queued_at as i64,
            started_at: self.started_at.map(|v| v as i64),
            finished_at: self.finished_at.map(|v| v as i64),
            mem_mib: self.mem_mib.map(|v| v as u32),
        }
    }
}

#[async_trait]
impl JobRepo for D1Jobs {
    async fn start(&self, photo_id: &str, now_ms: i64) -> PortResult<()> {
        SendFuture::new(async move { write(&self.0, START, &[s(photo_id), ms(now_ms)]).await })
            .await
            .map(|_| ())
    }

    async fn finish(
        &self,
        photo_id: &str,
        state: JobState,
        error: Option<&str>,
        mem_mib: u32,
        now_ms: i64,
    ) -> PortResult<()> {
        SendFuture::new(async move {
            let args = [
                s(photo_id),
                s(state.as_str()),
                opt(error),
                n(mem_mib),
                ms(now_ms),
            ];
            write(&self.0, FINISH, &args).await
        })
        .await
        .map(|_| ())
    }

    async fn retry(&self, photo_id: &str, error: &str, _now_ms: i64) -> PortResult<()> {
        SendFuture::new(async move { write(&self.0, RETRY, &[s(photo_id), s(error)]).await })
            .await
            .map(|_| ())
    }

    async fn dead(&self, photo_id: &str, reason: &str, now_ms: i64) -> PortResult<bool> {
        SendFuture::new(
            async move { write(&self.0, DEAD, &[s(photo_id), s(reason), ms(now_ms)]).await },
        )
        .await
        .map(|changed| changed > 0)
    }

    async fn lost(
        &self,
        before_ms: i64,
        max_attempts: u32,
        after: Option<&Key>,
        limit: u32,
    ) -> PortResult<Vec<Key>> {
        #[derive(Deserialize)]
        struct Row {
            created_at: f64,
            id: String,
        }
        let (at, id) = match after {
            Some((at, id)) => (ms(*at), s(id)),
            None => (n(START_KEY.0), s(START_KEY.1)),
        };
        SendFuture::new(async move {
            let args = [ms(before_ms), n(max_attempts), at, id, n(limit)];
            let rows: Vec<Row> = all(&self.0, LOST, &args).await?;
            Ok(rows
                .into_iter()
                .map(|r| (r.created_at as i64, r.id))
                .collect())
        })
        .await
    }

    async fn requeue(&self, photo_id: &str, now_ms: i64) -> PortResult<bool> {
        SendFuture::new(async move {
            let args = [s(photo_id), ms(now_ms)];
            if write(&self.0, REQUEUE_PHOTO, &args).await? == 0 {
                return Ok(false);
            }
            write(&self.0, REQUEUE_JOB, &args).await?;
            Ok(true)
        })
        .await
    }

    async fn counts(&self) -> PortResult<Vec<(JobState, u32)>> {
        #[derive(Deserialize)]
        struct Row {
            state: String,
            n: f64,
        }
        SendFuture::new(async move {
            let rows: Vec<Row> = all(&self.0, COUNTS, &[]).await?;
            Ok(rows
                .into_iter()
                .filter_map(|r| JobState::parse(&r.state).map(|st| (st, r.n as u32)))
                .collect())
        })
        .await
    }

    async fn failures(&self, before: Option<&Key>, limit: u32) -> PortResult<Vec<JobRecord>> {
        let (at, id) = super::photos::cursor(before);
        SendFuture::new(async move {
            let rows: Vec<Record> = all(&self.0, FAILURES, &[at, id, n(limit)]).await?;
            Ok(rows.into_iter().map(Record::into_port).collect())
        })
        .await
    }

    async fn durations(&self, since_ms: i64, limit: u32) -> PortResult<Vec<i64>> {
        #[derive(Deserialize)]
        struct Row {
            ms: f64,
        }
        SendFuture::new(async move {
            let rows: Vec<Row> = all(&self.0, DURATIONS, &[ms(since_ms), n(limit)]).await?;
            Ok(rows.into_iter().map(|r| r.ms as i64).collect())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    //! Every statement above against real SQLite with the real migrations.
    use super::*;
    use crate::d1::photos::{INSERT_PENDING, MARK_FAILED, NO_CURSOR};
    use crate::d1::test_db::{db, plan, user, TestResult};
    use rusqlite::{params, Connection};

    fn photo(c: &Connection, id: &str, at: i64) -> TestResult {
        c.execute(
            INSERT_PENDING,
            params![id, "u1", id, "image/png", 10, at, "public", "", "", 0, 0],
        )?;
        Ok(())
    }

    fn job(c: &Connection, id: &str) -> rusqlite::Result<(String, i64, Option<String>)> {
        c.query_row(
            "SELECT state, attempts, last_error FROM jobs WHERE photo_id = ?1",
            params![id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
    }

    fn lost(c: &Connection, after: (i64, &str), limit: u32) -> rusqlite::Result<Vec<String>> {
        c.prepare(LOST)?
            .query_map(params![1_000, 6, after.0, after.1, limit], |r| r.get("id"))?
            .collect()
    }

    #[test]
    fn deliveries_redelivery_and_the_dead_letter() -> TestResult {
        let c = db()?;
        user(&c, "u1")?;
        photo(&c, "a", 5)?;
        c.execute(START, params!["a", 10])?;
        assert_eq!(job(&c, "a")?, ("running".into(), 1, None));
        c.execute(RETRY, params!["a", "d1: down"])?;
        assert_eq!(job(&c, "a")?, ("queued".into(), 1, Some("d1: down".into())));
        c.execute(START, params!["a", 20])?;
        assert_eq!(job(&c, "a")?.1, 2, "a redelivery is one more attempt");
        let queued: i64 = c.query_row("SELECT queued_at FROM jobs", [], |r| r.get(0))?;
        assert_eq!(queued, 5, "queued when the photo was created");
        assert_eq!(c.execute(DEAD, params!["a", "gave up", 30])?, 1);
        assert_eq!(job(&c, "a")?, ("dead".into(), 2, Some("d1: down".into())));
        // Dead twice changes nothing; a done job is never made dead.
        c.execute(MARK_FAILED, params!["a", "gave up", 30])?;
        assert_eq!(c.execute(DEAD, params!["a", "again", 40])?, 0);
        photo(&c, "b", 6)?;
        c.execute(START, params!["b", 10])?;
        c.execute(FINISH, params!["b", "done", None::<String>, 40, 99])?;
        c.execute("UPDATE photos SET status = 'ready' WHERE id = 'b'", [])?;
        assert_eq!(c.execute(DEAD, params!["b", "late", 120])?, 0);
        assert_eq!(job(&c, "b")?.0, "done");
        // A photo that is gone gets no record.
        assert_eq!(c.execute(START, params!["gone", 1])?, 0);
        assert_eq!(c.execute(DEAD, params!["gone", "x", 1])?, 0);
        let durations: Vec<i64> = c
            .prepare(DURATIONS)?
            .query_map(params![0, 10], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        assert_eq!(durations, [89]);
        Ok(())
    }

    #[test]
    fn the_cron_pages_past_jobs_that_gave_up() -> TestResult {
        let c = db()?;
        user(&c, "u1")?;
        // 60 poison photos, oldest first, then one lost job and one recent upload.
        for i in 0..60 {
            let id = format!("poison{i:02}");
            photo(&c, &id, 100 + i)?;
            for _ in 0..6 {
                c.execute(START, params![id, 200])?;
            }
        }
        photo(&c, "dead", 170)?;
        c.execute(DEAD, params!["dead", "gave up", 1])?;
        photo(&c, "lost", 180)?;
        photo(&c, "retrying", 190)?;
        c.execute(START, params!["retrying", 200])?;
        photo(&c, "recent", 5_000)?;
        assert_eq!(lost(&c, (-1, ""), 50)?, ["lost", "retrying"]);
        assert_eq!(
            lost(&c, (180, "lost"), 50)?,
            ["retrying"],
            "the key pages on"
        );
        let steps = plan(&c, LOST, params![1_000, 6, -1, "", 50])?.join(" | ");
        assert!(steps.contains("photos_pending"), "{steps}");
        Ok(())
    }

    #[test]
    fn requeue_counts_and_failures() -> TestResult {
        let c = db()?;
        user(&c, "u1")?;
        for (id, at) in [("a", 1), ("b", 2), ("c", 3)] {
            photo(&c, id, at)?;
            c.execute(START, params![id, 10])?;
        }
        c.execute(FINISH, params!["a", "failed", "bad file", 30, 50])?;
        c.execute(MARK_FAILED, params!["a", "bad file", 50])?;
        c.execute(DEAD, params!["b", "gave up", 60])?;
        c.execute(MARK_FAILED, params!["b", "gave up", 60])?;
        let counts: Vec<(String, i64)> = c
            .prepare(COUNTS)?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        assert_eq!(counts.len(), 3);
        let failures = |before: (f64, &str)| -> rusqlite::Result<Vec<String>> {
            c.prepare(FAILURES)?
                .query_map(params![before.0, before.1, 10], |r| r.get("photo_id"))?
                .collect()
        };
        assert_eq!(failures(NO_CURSOR)?, ["b", "a"]);
        assert_eq!(failures((60.0, "b"))?, ["a"]);
        // Re-run: only a failed photo goes back, and its record starts again.
        assert_eq!(c.execute(REQUEUE_PHOTO, params!["c", 70])?, 0);
        assert_eq!(c.execute(REQUEUE_PHOTO, params!["a", 70])?, 1);
        c.execute(REQUEUE_JOB, params!["a", 70])?;
        assert_eq!(job(&c, "a")?, ("queued".into(), 0, None));
        let status: String =
            c.query_row("SELECT status FROM photos WHERE id = 'a'", [], |r| r.get(0))?;
        assert_eq!(status, "pending");
        Ok(())
    }
}
