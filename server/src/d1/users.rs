//! `UserRepo` over D1: accounts and their sessions.

use app::model::Visibility;
use app::ssr::ports::{PortError, PortResult, ProfileEdit, SessionRow, UserRepo, UserRow};
use async_trait::async_trait;
use serde::Deserialize;
use worker::send::{SendFuture, SendWrapper};
use worker::D1Database;

use super::{flag, ms, s, unavailable, update_one, write};

/// Rate-limit windows are kept this long after they start, then purged.
pub const RATE_LIMITS_KEPT_MS: i64 = 24 * 60 * 60 * 1000;

pub const INSERT: &str =
    "INSERT INTO users (id, username, email, display_name, password_hash, default_visibility, \
     watermark, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)";
/// The columns `User` reads, in one place for every SELECT of users (sessions share
/// `created_at`, so every column is qualified and named).
macro_rules! user_columns {
    () => {
        concat!(
            "users.id AS id, users.username AS username, users.email AS email, ",
            "users.display_name AS display_name, users.password_hash AS password_hash, ",
            "users.default_visibility AS default_visibility, users.watermark AS watermark, ",
            "users.created_at AS created_at, users.suspended_at AS suspended_at"
        )
    };
}
pub const BY_ID: &str = concat!("SELECT ", user_columns!(), " FROM users WHERE id = ?1");
/// `username` is UNIQUE, so SQLite looks it up by its index.
pub const BY_USERNAME: &str = concat!(
    "SELECT ",
    user_columns!(),
    " FROM users WHERE username = ?1"
);
pub const UPDATE_PROFILE: &str =
    "UPDATE users SET display_name = ?2, default_visibility = ?3, watermark = ?4, updated_at = ?5 \
     WHERE id = ?1";
pub const SET_PASSWORD: &str = "UPDATE users SET password_hash = ?2, updated_at = ?3 WHERE id = ?1";

pub const CREATE_SESSION: &str =
    "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at) \
     VALUES (?1, ?2, ?3, ?4, ?5)";
/// The session and its user in one read; an expired session is no session.
pub const SESSION: &str = concat!(
    "SELECT sessions.token_hash AS token_hash, sessions.user_id AS user_id, ",
    "sessions.created_at AS session_created_at, sessions.last_seen_at AS last_seen_at, ",
    "sessions.expires_at AS expires_at, ",
    user_columns!(),
    " FROM sessions JOIN users ON users.id = sessions.user_id ",
    "WHERE sessions.token_hash = ?1 AND sessions.expires_at > ?2"
);
pub const TOUCH_SESSION: &str =
    "UPDATE sessions SET last_seen_at = ?2, expires_at = ?3 WHERE token_hash = ?1";
pub const DELETE_SESSION: &str = "DELETE FROM sessions WHERE token_hash = ?1";
pub const DELETE_OTHER_SESSIONS: &str =
    "DELETE FROM sessions WHERE user_id = ?1 AND token_hash <> ?2";
/// `?1` is now: a session expiring exactly now is already over (see `SESSION`).
pub const PURGE_SESSIONS: &str = "DELETE FROM sessions WHERE expires_at <= ?1";
/// `?1` is the oldest window start still kept.
pub const PURGE_RATE_LIMITS: &str = "DELETE FROM rate_limits WHERE window_start < ?1";

/// A device is forgotten after this long unused (as long as its cookie can live).
pub const DEVICES_KEPT_MS: i64 = app::ssr::auth::DEVICE_MAX_AGE_SECS * 1000;
/// Inserts or refreshes; a user deleted meanwhile fails the foreign key.
pub const REMEMBER_DEVICE: &str =
    "INSERT INTO known_devices (user_id, token_hash, created_at, last_used_at) \
     VALUES (?1, ?2, ?3, ?3) \
     ON CONFLICT (user_id, token_hash) DO UPDATE SET last_used_at = excluded.last_used_at";
pub const KNOWS_DEVICE: &str =
    "SELECT 1 AS known FROM known_devices WHERE user_id = ?1 AND token_hash = ?2";
/// `?1` is the oldest last use still kept.
pub const PURGE_DEVICES: &str = "DELETE FROM known_devices WHERE last_used_at < ?1";

pub struct D1Users(SendWrapper<D1Database>);

impl D1Users {
    pub fn new(db: D1Database) -> Self {
        Self(SendWrapper::new(db))
    }

    async fn user(&self, sql: &str, key: &str) -> PortResult<Option<UserRow>> {
        let stmt = self.0.prepare(sql).bind(&[s(key)]).map_err(unavailable)?;
        let row: Option<User> = stmt.first(None).await.map_err(unavailable)?;
        row.map(User::into_port).transpose()
    }
}

/// A user as D1 returns it: INTEGER columns arrive as JSON numbers, flags as 0/1.
#[derive(Deserialize)]
struct User {
    id: String,
    username: String,
    email: String,
    display_name: String,
    password_hash: String,
    default_visibility: String,
    watermark: f64,
    created_at: f64,
    #[serde(default)]
    suspended_at: Option<f64>,
}

impl User {
    fn into_port(self) -> PortResult<UserRow> {
        let default_visibility = Visibility::parse(&self.default_visibility).ok_or_else(|| {
            PortError::Unavailable(format!("bad visibility {:?}", self.default_visibility))
        })?;
        Ok(UserRow {
            id: self.id,
            username: self.username,
            email: self.email,
            display_name: self.display_name,
            password_hash: self.password_hash,
            default_visibility,
            watermark: self.watermark != 0.0,
            created_at: self.created_at as i64,
            suspended: self.suspended_at.is_some(),
        })
    }
}

/// One row of `SESSION`: the session's columns, then the user's.
#[derive(Deserialize)]
struct SessionJoin {
    token_hash: String,
    user_id: String,
    session_created_at: f64,
    last_seen_at: f64,
    expires_at: f64,
    #[serde(flatten)]
    user: User,
}

impl SessionJoin {
    fn into_port(self) -> PortResult<(SessionRow, UserRow)> {
        let session = SessionRow {
            token_hash: self.token_hash,
            user_id: self.user_id,
            created_at: self.session_created_at as i64,
            last_seen_at: self.last_seen_at as i64,
            expires_at: self.expires_at as i64,
        };
        Ok((session, self.user.into_port()?))
    }
}

#[async_trait]
impl UserRepo for D1Users {
    async fn insert(&self, u: &UserRow) -> PortResult<()> {
        let args = [
            s(&u.id),
            s(&u.username),
            s(&u.email),
            s(&u.display_name),
            s(&u.password_hash),
            s(u.default_visibility.as_str()),
            flag(u.watermark),
            ms(u.created_at),
        ];
        SendFuture::new(super::insert(&self.0, INSERT, &args)).await
    }

    async fn by_id(&self, id: &str) -> PortResult<Option<UserRow>> {
        SendFuture::new(self.user(BY_ID, id)).await
    }

    async fn by_username(&self, username: &str) -> PortResult<Option<UserRow>> {
        SendFuture::new(self.user(BY_USERNAME, username)).await
    }

    async fn update_profile(&self, id: &str, e: &ProfileEdit, now_ms: i64) -> PortResult<()> {
        let args = [
            s(id),
            s(&e.display_name),
            s(e.default_visibility.as_str()),
            flag(e.watermark),
            ms(now_ms),
        ];
        SendFuture::new(update_one(&self.0, UPDATE_PROFILE, &args)).await
    }

    async fn set_password(&self, id: &str, password_hash: &str, now_ms: i64) -> PortResult<()> {
        let args = [s(id), s(password_hash), ms(now_ms)];
        SendFuture::new(update_one(&self.0, SET_PASSWORD, &args)).await
    }

    async fn create_session(&self, r: &SessionRow) -> PortResult<()> {
        let args = [
            s(&r.token_hash),
            s(&r.user_id),
            ms(r.created_at),
            ms(r.last_seen_at),
            ms(r.expires_at),
        ];
        SendFuture::new(super::insert(&self.0, CREATE_SESSION, &args)).await
    }

    async fn session(
        &self,
        token_hash: &str,
        now_ms: i64,
    ) -> PortResult<Option<(SessionRow, UserRow)>> {
        SendFuture::new(async move {
            let stmt = self
                .0
                .prepare(SESSION)
                .bind(&[s(token_hash), ms(now_ms)])
                .map_err(unavailable)?;
            let row: Option<SessionJoin> = stmt.first(None).await.map_err(unavailable)?;
            row.map(SessionJoin::into_port).transpose()
        })
        .await
    }

    async fn touch_session(
        &self,
        token_hash: &str,
        last_seen_at: i64,
        expires_at: i64,
    ) -> PortResult<()> {
        let args = [s(token_hash), ms(last_seen_at), ms(expires_at)];
        // A session deleted meanwhile stays deleted: nothing to touch is fine.
        SendFuture::new(write(&self.0, TOUCH_SESSION, &args))
            .await
            .map(|_| ())
    }

    async fn delete_session(&self, token_hash: &str) -> PortResult<()> {
        SendFuture::new(write(&self.0, DELETE_SESSION, &[s(token_hash)]))
            .await
            .map(|_| ())
    }

    async fn delete_other_sessions(&self, user_id: &str, keep: &str) -> PortResult<u32> {
        SendFuture::new(write(
            &self.0,
            DELETE_OTHER_SESSIONS,
            &[s(user_id), s(keep)],
        ))
        .await
    }

    async fn remember_device(
        &self,
        user_id: &str,
        token_hash: &str,
        now_ms: i64,
    ) -> PortResult<()> {
        let args = [s(user_id), s(token_hash), ms(now_ms)];
        SendFuture::new(write(&self.0, REMEMBER_DEVICE, &args))
            .await
            .map(|_| ())
    }

    async fn knows_device(&self, user_id: &str, token_hash: &str) -> PortResult<bool> {
        SendFuture::new(async move {
            let stmt = self
                .0
                .prepare(KNOWS_DEVICE)
                .bind(&[s(user_id), s(token_hash)])
                .map_err(unavailable)?;
            let row: Option<serde_json::Value> = stmt.first(None).await.map_err(unavailable)?;
            Ok(row.is_some())
        })
        .await
    }

    async fn purge_expired(&self, now_ms: i64) -> PortResult<()> {
        let oldest_window = now_ms.saturating_sub(RATE_LIMITS_KEPT_MS);
        let oldest_device = now_ms.saturating_sub(DEVICES_KEPT_MS);
        SendFuture::new(async move {
            let stmts = vec![
                self.0
                    .prepare(PURGE_SESSIONS)
                    .bind(&[ms(now_ms)])
                    .map_err(unavailable)?,
                self.0
                    .prepare(PURGE_RATE_LIMITS)
                    .bind(&[ms(oldest_window)])
                    .map_err(unavailable)?,
                self.0
                    .prepare(PURGE_DEVICES)
                    .bind(&[ms(oldest_device)])
                    .map_err(unavailable)?,
            ];
            self.0.batch(stmts).await.map_err(unavailable).map(|_| ())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    //! Every statement above, run against real SQLite with the real migrations.
    use super::*;
    use crate::d1::is_unique_violation;
    use crate::d1::test_db::{db, plan, user, TestResult};
    use rusqlite::{params, Connection};

    fn session(c: &Connection, hash: &str, user_id: &str, expires_at: i64) -> TestResult {
        c.execute(CREATE_SESSION, params![hash, user_id, 1, 1, expires_at])?;
        Ok(())
    }

    fn session_hashes(c: &Connection) -> rusqlite::Result<Vec<String>> {
        c.prepare("SELECT token_hash FROM sessions ORDER BY token_hash")?
            .query_map([], |r| r.get(0))?
            .collect()
    }

    /// The names every user SELECT returns are exactly the fields `User` and
    /// `SessionJoin` read.
    #[test]
    fn selects_name_the_columns_the_rows_read() -> TestResult {
        let c = db()?;
        let user = [
            "id",
            "username",
            "email",
            "display_name",
            "password_hash",
            "default_visibility",
            "watermark",
            "created_at",
            "suspended_at",
        ];
        assert_eq!(c.prepare(BY_ID)?.column_names(), user);
        assert_eq!(c.prepare(BY_USERNAME)?.column_names(), user);
        let mut joined = vec![
            "token_hash",
            "user_id",
            "session_created_at",
            "last_seen_at",
            "expires_at",
        ];
        joined.extend(user);
        assert_eq!(c.prepare(SESSION)?.column_names(), joined);
        Ok(())
    }

    #[test]
    fn insert_refuses_a_taken_username_or_id_but_not_an_email() -> TestResult {
        let c = db()?;
        let insert = |id: &str, username: &str, email: &str| {
            c.execute(
                INSERT,
                params![id, username, email, "N", "h", "public", 0, 1],
            )
        };
        insert("u1", "alice", "alice@example.com")?;
        for (id, username, email) in [
            ("u2", "alice", "other@example.com"),
            ("u1", "other", "other@example.com"),
        ] {
            let err = insert(id, username, email)
                .err()
                .ok_or("insert succeeded")?;
            // The text D1 passes on is SQLite's, which `conflict_or_unavailable` reads.
            assert!(is_unique_violation(&err.to_string()), "{err}");
        }
        assert!(
            insert("u3", "bob", "bob@example.com").is_ok(),
            "nothing left half-written"
        );
        // Sign-up must not reveal which emails have accounts, so they may repeat.
        insert("u4", "eve", "alice@example.com")?;
        Ok(())
    }

    #[test]
    fn by_id_and_by_username() -> TestResult {
        let c = db()?;
        c.execute(
            INSERT,
            params![
                "u1",
                "alice",
                "a@example.com",
                "Alice",
                "h",
                "unlisted",
                1,
                5
            ],
        )?;
        user(&c, "bob")?;
        let read = |sql: &str, key: &str| -> rusqlite::Result<Option<(String, String, i64, i64)>> {
            let mut stmt = c.prepare(sql)?;
            let mut rows = stmt.query(params![key])?;
            rows.next()?
                .map(|r| {
                    Ok((
                        r.get("id")?,
                        r.get("default_visibility")?,
                        r.get("watermark")?,
                        r.get("created_at")?,
                    ))
                })
                .transpose()
        };
        let alice = Some(("u1".to_string(), "unlisted".to_string(), 1, 5));
        assert_eq!(read(BY_ID, "u1")?, alice);
        assert_eq!(read(BY_USERNAME, "alice")?, alice);
        assert_eq!(
            read(BY_USERNAME, "a@example.com")?,
            None,
            "emails do not sign in"
        );
        assert_eq!(
            read(BY_USERNAME, "bob")?.map(|r| r.0).as_deref(),
            Some("bob")
        );
        assert_eq!(read(BY_USERNAME, "u1")?, None, "the id is not a login");
        assert_eq!(read(BY_USERNAME, "nobody")?, None);
        assert_eq!(read(BY_ID, "nobody")?, None);
        let steps = plan(&c, BY_USERNAME, params!["alice"])?;
        assert!(!steps.iter().any(|s| s == "SCAN users"), "{steps:?}");
        Ok(())
    }

    #[test]
    fn profile_and_password_updates_hit_one_row_or_none() -> TestResult {
        let c = db()?;
        user(&c, "u1")?;
        assert_eq!(
            c.execute(UPDATE_PROFILE, params!["u1", "New", "private", 1, 9])?,
            1
        );
        assert_eq!(
            c.execute(UPDATE_PROFILE, params!["zz", "New", "private", 1, 9])?,
            0
        );
        assert_eq!(c.execute(SET_PASSWORD, params!["u1", "h2", 10])?, 1);
        assert_eq!(c.execute(SET_PASSWORD, params!["zz", "h2", 10])?, 0);
        let got: (String, String, i64, String, i64) = c.query_row(
            "SELECT display_name, default_visibility, watermark, password_hash, updated_at \
                 FROM users WHERE id = 'u1'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )?;
        assert_eq!(got, ("New".into(), "private".into(), 1, "h2".into(), 10));
        Ok(())
    }

    #[test]
    fn session_joins_its_user_until_it_expires() -> TestResult {
        let c = db()?;
        user(&c, "u1")?;
        c.execute(CREATE_SESSION, params!["h1", "u1", 10, 20, 100])?;
        /// user_id, session_created_at, last_seen_at, expires_at, id, username
        type Joined = (String, i64, i64, i64, String, String);
        let read = |now: i64| -> rusqlite::Result<Option<Joined>> {
            let mut stmt = c.prepare(SESSION)?;
            let mut rows = stmt.query(params!["h1", now])?;
            rows.next()?
                .map(|r| {
                    Ok((
                        r.get("user_id")?,
                        r.get("session_created_at")?,
                        r.get("last_seen_at")?,
                        r.get("expires_at")?,
                        r.get("id")?,
                        r.get("username")?,
                    ))
                })
                .transpose()
        };
        let live = Some(("u1".into(), 10, 20, 100, "u1".into(), "u1".into()));
        assert_eq!(read(99)?, live);
        assert_eq!(
            read(100)?,
            None,
            "expires_at is the first instant it is over"
        );
        assert_eq!(read(101)?, None);
        assert!(
            c.execute(CREATE_SESSION, params!["h2", "nobody", 1, 1, 100])
                .is_err(),
            "a session needs its user"
        );
        Ok(())
    }

    #[test]
    fn touch_slides_the_expiry() -> TestResult {
        let c = db()?;
        user(&c, "u1")?;
        session(&c, "h1", "u1", 100)?;
        assert_eq!(c.execute(TOUCH_SESSION, params!["h1", 90, 500])?, 1);
        assert_eq!(c.execute(TOUCH_SESSION, params!["gone", 90, 500])?, 0);
        let got: (i64, i64) = c.query_row(
            "SELECT last_seen_at, expires_at FROM sessions WHERE token_hash = 'h1'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        assert_eq!(got, (90, 500));
        let alive: bool = c.query_row(SESSION, params!["h1", 200], |_| Ok(true))?;
        assert!(alive);
        Ok(())
    }

    #[test]
    fn delete_one_and_delete_others_keeps_the_kept_one() -> TestResult {
        let c = db()?;
        user(&c, "u1")?;
        user(&c, "u2")?;
        for (h, u) in [("a", "u1"), ("b", "u1"), ("c", "u1"), ("d", "u2")] {
            session(&c, h, u, 100)?;
        }
        assert_eq!(c.execute(DELETE_OTHER_SESSIONS, params!["u1", "b"])?, 2);
        assert_eq!(session_hashes(&c)?, ["b", "d"]);
        assert_eq!(c.execute(DELETE_OTHER_SESSIONS, params!["u1", "b"])?, 0);
        assert_eq!(c.execute(DELETE_SESSION, params!["b"])?, 1);
        assert_eq!(c.execute(DELETE_SESSION, params!["b"])?, 0);
        assert_eq!(session_hashes(&c)?, ["d"]);
        Ok(())
    }

    #[test]
    fn purge_drops_expired_sessions_and_day_old_windows() -> TestResult {
        let mut c = db()?;
        user(&c, "u1")?;
        let now = 100 + RATE_LIMITS_KEPT_MS;
        for (h, exp) in [("a", now - 1), ("b", now), ("c", now + 1)] {
            session(&c, h, "u1", exp)?;
        }
        for (bucket, start) in [("old", 99), ("edge", 100), ("new", now)] {
            c.execute(
                "INSERT INTO rate_limits (bucket, window_start, hits) VALUES (?1, ?2, 1)",
                params![bucket, start],
            )?;
        }
        // As D1 runs the batch: one transaction.
        let tx = c.transaction()?;
        tx.execute(PURGE_SESSIONS, params![now])?;
        tx.execute(PURGE_RATE_LIMITS, params![now - RATE_LIMITS_KEPT_MS])?;
        tx.execute(PURGE_DEVICES, params![now - DEVICES_KEPT_MS])?;
        tx.commit()?;
        assert_eq!(session_hashes(&c)?, ["c"]);
        let buckets: Vec<String> = c
            .prepare("SELECT bucket FROM rate_limits ORDER BY bucket")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        assert_eq!(buckets, ["edge", "new"]);
        Ok(())
    }

    #[test]
    fn devices_are_remembered_per_user_and_refreshed() -> TestResult {
        let c = db()?;
        user(&c, "u1")?;
        user(&c, "u2")?;
        let knows = |u: &str, d: &str| -> rusqlite::Result<bool> {
            let mut stmt = c.prepare(KNOWS_DEVICE)?;
            let found = stmt.query(params![u, d])?.next()?.is_some();
            Ok(found)
        };
        assert!(!knows("u1", "d1")?);
        c.execute(REMEMBER_DEVICE, params!["u1", "d1", 10])?;
        c.execute(REMEMBER_DEVICE, params!["u1", "d1", 20])?;
        assert!(knows("u1", "d1")?);
        assert!(!knows("u2", "d1")?, "known for that account only");
        let used: (i64, i64) = c.query_row(
            "SELECT created_at, last_used_at FROM known_devices",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        assert_eq!(used, (10, 20));
        assert!(
            c.execute(REMEMBER_DEVICE, params!["nobody", "d1", 1])
                .is_err(),
            "a device needs its user"
        );
        assert_eq!(c.execute(PURGE_DEVICES, params![20])?, 0);
        assert_eq!(c.execute(PURGE_DEVICES, params![21])?, 1);
        Ok(())
    }
}
