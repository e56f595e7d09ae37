//! `AdminRepo` over D1: the audit trail, people, storage totals and suspension (0014).

use app::ssr::ports::{
    AdminRepo, AuditRow, Key, Key2, PersonRow, PortError, PortResult, StorageTotals, StoredOriginal,
};
use async_trait::async_trait;
use serde::Deserialize;
use worker::send::{SendFuture, SendWrapper};
use worker::D1Database;

use super::{all, insert, ms, n, s, unavailable, write};

pub const FIRST_USER: &str = "SELECT id FROM users ORDER BY created_at, id LIMIT 1";
pub const AUDIT: &str =
    "INSERT INTO admin_audit (id, actor_id, action, target, at) VALUES (?1, ?2, ?3, ?4, ?5)";
pub const AUDIT_LOG: &str =
    "SELECT a.id AS id, a.actor_id AS actor_id, COALESCE(u.username, '') AS actor, \
     a.action AS action, a.target AS target, a.at AS at \
     FROM admin_audit a LEFT JOIN users u ON u.id = a.actor_id \
     WHERE (a.at, a.id) < (?1, ?2) ORDER BY a.at DESC, a.id DESC LIMIT ?3";
/// A person with their counts; `$rest` picks and orders.
macro_rules! select_people {
    ($rest:literal) => {
        concat!(
            "SELECT u.id AS id, u.username AS username, u.created_at AS created_at, ",
            "u.suspended_at AS suspended_at, ",
            "(SELECT MAX(last_seen_at) FROM sessions x WHERE x.user_id = u.id) AS last_seen, ",
            "(SELECT COUNT(*) FROM photos p WHERE p.owner_id = u.id) AS photos, ",
            "(SELECT COALESCE(SUM(bytes), 0) FROM photos p WHERE p.owner_id = u.id) AS bytes, ",
            "(SELECT COALESCE(SUM(v.bytes), 0) FROM photo_variants v ",
            "JOIN photos p ON p.id = v.photo_id WHERE p.owner_id = u.id) AS variant_bytes ",
            "FROM users u ",
            $rest
        )
    };
}
pub const PEOPLE: &str = select_people!(
    "WHERE (u.created_at, u.id) < (?1, ?2) ORDER BY u.created_at DESC, u.id DESC LIMIT ?3"
);
/// Reads every account's counts: fine at the scale of one instance (a few thousand people).
pub const LARGEST: &str = select_people!("ORDER BY bytes + variant_bytes DESC, u.id LIMIT ?1");
pub const TOTALS: &str = "SELECT (SELECT COUNT(*) FROM users) AS people, \
     (SELECT COUNT(*) FROM photos) AS photos, \
     (SELECT COALESCE(SUM(bytes), 0) FROM photos) AS original_bytes, \
     (SELECT COUNT(*) FROM photo_variants) AS variants, \
     (SELECT COALESCE(SUM(bytes), 0) FROM photo_variants) AS variant_bytes";
pub const SUSPEND: &str = "UPDATE users SET suspended_at = ?2 WHERE id = ?1";
pub const END_SESSIONS: &str = "DELETE FROM sessions WHERE user_id = ?1";
pub const SUSPENDED: &str = "SELECT suspended_at FROM users WHERE id = ?1";
/// Repair: photos by `(owner_id, id)` in `((?1, ?2), (?3, ?4)]`; `?5 = 0` leaves the
/// upper end open. Ids are fixed-length tokens, so this is the originals' key order.
pub const ORIGINALS: &str = "SELECT owner_id, id, status = 'failed' AS failed FROM photos \
     WHERE (owner_id, id) > (?1, ?2) AND (?5 = 0 OR (owner_id, id) <= (?3, ?4)) \
     ORDER BY owner_id, id LIMIT ?6";
pub const LOST_ORIGINAL: &str =
    "UPDATE photos SET status = 'failed', failure = ?2, updated_at = ?3 WHERE id = ?1";

pub struct D1Admin(SendWrapper<D1Database>);

impl D1Admin {
    pub fn new(db: D1Database) -> Self {
        Self(SendWrapper::new(db))
    }
}

#[derive(Deserialize)]
struct Person {
    id: String,
    username: String,
    created_at: f64,
    suspended_at: Option<f64>,
    last_seen: Option<f64>,
    photos: f64,
    bytes: f64,
    variant_bytes: f64,
}

impl Person {
    fn into_port(self) -> PersonRow {
        PersonRow {
            id: self.id,
            username: self.username,
            created_at: self.created_at as i64,
            last_seen: self.last_seen.map(|v| v as i64),
            photos: self.photos as u32,
            bytes: self.bytes as u64,
            variant_bytes: self.variant_bytes as u64,
            suspended_at: self.suspended_at.map(|v| v as i64),
        }
    }
}

#[derive(Deserialize)]
struct Audit {
    id: String,
    actor_id: String,
    actor: String,
    action: String,
    target: String,
    at: f64,
}

#[async_trait]
impl AdminRepo for D1Admin {
    async fn first_user(&self) -> PortResult<Option<String>> {
        #[derive(Deserialize)]
        struct Id {
            id: String,
        }
        SendFuture::new(async move {
            let rows: Vec<Id> = all(&self.0, FIRST_USER, &[]).await?;
            Ok(rows.into_iter().next().map(|r| r.id))
        })
        .await
    }

    async fn audit(&self, row: &AuditRow) -> PortResult<()> {
        SendFuture::new(async move {
            let args = [
                s(&row.id),
                s(&row.actor_id),
                s(&row.action),
                s(&row.target),
                ms(row.at),
            ];
            insert(&self.0, AUDIT, &args).await
        })
        .await
    }

    async fn audit_log(&self, before: Option<&Key>, limit: u32) -> PortResult<Vec<AuditRow>> {
        let (at, id) = super::photos::cursor(before);
        SendFuture::new(async move {
            let rows: Vec<Audit> = all(&self.0, AUDIT_LOG, &[at, id, n(limit)]).await?;
            Ok(rows
                .into_iter()
                .map(|r| AuditRow {
                    id: r.id,
                    actor_id: r.actor_id,
                    actor: r.actor,
                    action: r.action,
                    target: r.target,
                    at: r.at as i64,
                })
                .collect())
        })
        .await
    }

    async fn people(&self, before: Option<&Key>, limit: u32) -> PortResult<Vec<PersonRow>> {
        let (at, id) = super::photos::cursor(before);
        SendFuture::new(async move {
            let rows: Vec<Person> = all(&self.0, PEOPLE, &[at, id, n(limit)]).await?;
            Ok(rows.into_iter().map(Person::into_port).collect())
        })
        .await
    }

    async fn largest(&self, limit: u32) -> PortResult<Vec<PersonRow>> {
        SendFuture::new(async move {
            let rows: Vec<Person> = all(&self.0, LARGEST, &[n(limit)]).await?;
            Ok(rows.into_iter().map(Person::into_port).collect())
        })
        .await
    }

    async fn totals(&self) -> PortResult<StorageTotals> {
        #[derive(Deserialize)]
        struct Row {
            people: f64,
            photos: f64,
            original_bytes: f64,
            variants: f64,
            variant_bytes: f64,
        }
        SendFuture::new(async move {
            let rows: Vec<Row> = all(&self.0, TOTALS, &[]).await?;
            let r = rows
                .into_iter()
                .next()
                .ok_or_else(|| PortError::Unavailable("d1: totals without a row".into()))?;
            Ok(StorageTotals {
                people: r.people as u32,
                photos: r.photos as u32,
                original_bytes: r.original_bytes as u64,
                variants: r.variants as u32,
                variant_bytes: r.variant_bytes as u64,
            })
        })
        .await
    }

    async fn set_suspended(&self, user_id: &str, at: Option<i64>) -> PortResult<()> {
        SendFuture::new(async move {
            let when = at.map_or(wasm_bindgen::JsValue::NULL, ms);
            let mut stmts = vec![self
                .0
                .prepare(SUSPEND)
                .bind(&[s(user_id), when])
                .map_err(unavailable)?];
            if at.is_some() {
                stmts.push(
                    self.0
                        .prepare(END_SESSIONS)
                        .bind(&[s(user_id)])
                        .map_err(unavailable)?,
                );
            }
            // One batch, one transaction: suspended and signed out together.
            let results = self.0.batch(stmts).await.map_err(unavailable)?;
            match results.first().map(super::changes).transpose()? {
                Some(0) | None => Err(PortError::NotFound),
                Some(_) => Ok(()),
            }
        })
        .await
    }

    async fn is_suspended(&self, user_id: &str) -> PortResult<bool> {
        #[derive(Deserialize)]
        struct Row {
            suspended_at: Option<f64>,
        }
        SendFuture::new(async move {
            let rows: Vec<Row> = all(&self.0, SUSPENDED, &[s(user_id)]).await?;
            Ok(rows.first().is_some_and(|r| r.suspended_at.is_some()))
        })
        .await
    }

    async fn originals(
        &self,
        after: Option<&Key2>,
        upto: Option<&Key2>,
        limit: u32,
    ) -> PortResult<Vec<StoredOriginal>> {
        #[derive(Deserialize)]
        struct Row {
            owner_id: String,
            id: String,
            failed: f64,
        }
        let (a_owner, a_id) = after.map_or(("", ""), |(o, i)| (o.as_str(), i.as_str()));
        let (u_owner, u_id) = upto.map_or(("", ""), |(o, i)| (o.as_str(), i.as_str()));
        let args = [
            s(a_owner),
            s(a_id),
            s(u_owner),
            s(u_id),
            n(u32::from(upto.is_some())),
            n(limit),
        ];
        SendFuture::new(async move {
            let rows: Vec<Row> = all(&self.0, ORIGINALS, &args).await?;
            Ok(rows
                .into_iter()
                .map(|r| StoredOriginal {
                    owner_id: r.owner_id,
                    photo_id: r.id,
                    failed: r.failed != 0.0,
                })
                .collect())
        })
        .await
    }

    async fn lost_original(&self, photo_id: &str, reason: &str, now_ms: i64) -> PortResult<()> {
        SendFuture::new(async move {
            write(
                &self.0,
                LOST_ORIGINAL,
                &[s(photo_id), s(reason), ms(now_ms)],
            )
            .await
            .map(|_| ())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::d1::photos::{INSERT_PENDING, INSERT_VARIANT, NO_CURSOR};
    use crate::d1::test_db::{db, user, TestResult};
    use rusqlite::params;

    #[test]
    fn people_storage_audit_and_suspension() -> TestResult {
        let c = db()?;
        for u in ["ada", "bob"] {
            user(&c, u)?;
        }
        c.execute("UPDATE users SET created_at = 2 WHERE id = 'bob'", [])?;
        for (id, owner) in [("p1", "ada"), ("p2", "ada"), ("p3", "bob")] {
            c.execute(
                INSERT_PENDING,
                params![id, owner, id, "image/png", 100, 1, "private", "", "", 0, 0],
            )?;
        }
        c.execute(
            INSERT_VARIANT,
            params!["p3", 320, 320, "image/webp", "var/p3/r/320.webp", 1000],
        )?;
        c.execute("INSERT INTO sessions VALUES ('t', 'ada', 1, 50, 99)", [])?;
        let first: String = c.query_row(FIRST_USER, [], |r| r.get(0))?;
        assert_eq!(first, "ada");
        let people: Vec<(String, Option<i64>, i64, i64, i64)> = c
            .prepare(PEOPLE)?
            .query_map(params![NO_CURSOR.0, NO_CURSOR.1, 10], |r| {
                Ok((
                    r.get("id")?,
                    r.get("last_seen")?,
                    r.get("photos")?,
                    r.get("bytes")?,
                    r.get("variant_bytes")?,
                ))
            })?
            .collect::<Result<_, _>>()?;
        assert_eq!(
            people,
            [
                ("bob".into(), None, 1, 100, 1000),
                ("ada".into(), Some(50), 2, 200, 0)
            ]
        );
        let largest: String = c.query_row(LARGEST, params![1], |r| r.get("id"))?;
        assert_eq!(largest, "bob");
        let totals: (i64, i64, i64, i64, i64) = c.query_row(TOTALS, [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?;
        assert_eq!(totals, (2, 3, 300, 1, 1000));
        assert_eq!(c.execute(SUSPEND, params!["ada", 70])?, 1);
        c.execute(END_SESSIONS, params!["ada"])?;
        let at: Option<i64> = c.query_row(SUSPENDED, params!["ada"], |r| r.get(0))?;
        assert_eq!(at, Some(70));
        assert_eq!(c.execute(SUSPEND, params!["nobody", 70])?, 0);
        c.execute(AUDIT, params!["a1", "ada", "suspend", "bob", 80])?;
        c.execute(AUDIT, params!["a2", "ada", "unsuspend", "bob", 90])?;
        let log: Vec<String> = c
            .prepare(AUDIT_LOG)?
            .query_map(params![NO_CURSOR.0, NO_CURSOR.1, 10], |r| r.get("action"))?
            .collect::<Result<_, _>>()?;
        assert_eq!(log, ["unsuspend", "suspend"]);
        Ok(())
    }

    #[test]
    fn repair_reads_photos_in_key_order_and_fails_lost_originals() -> TestResult {
        let c = db()?;
        for u in ["ada", "bob"] {
            user(&c, u)?;
        }
        for (id, owner) in [("p2", "bob"), ("p1", "ada"), ("p3", "bob"), ("p4", "bob")] {
            c.execute(
                INSERT_PENDING,
                params![id, owner, id, "image/png", 100, 1, "private", "", "", 0, 0],
            )?;
        }
        let read =
            |a: (&str, &str), u: Option<(&str, &str)>| -> rusqlite::Result<Vec<(String, i64)>> {
                let (uo, ui) = u.unwrap_or(("", ""));
                c.prepare(ORIGINALS)?
                    .query_map(params![a.0, a.1, uo, ui, u.is_some() as i64, 10], |r| {
                        Ok((r.get::<_, String>("id")?, r.get("failed")?))
                    })?
                    .collect()
            };
        let ids = |v: Vec<(String, i64)>| v.into_iter().map(|r| r.0).collect::<Vec<_>>();
        assert_eq!(ids(read(("", ""), None)?), ["p1", "p2", "p3", "p4"]);
        assert_eq!(ids(read(("ada", "p1"), Some(("bob", "p3")))?), ["p2", "p3"]);
        assert_eq!(c.execute(LOST_ORIGINAL, params!["p3", "gone", 5])?, 1);
        let after = read(("bob", "p2"), None)?;
        assert_eq!(after, [("p3".to_string(), 1), ("p4".to_string(), 0)]);
        Ok(())
    }
}
