//! `UploadRepo` over D1: resumable uploads and their parts (migration 0015).

use app::ssr::ports::{PartRow, PortResult, UploadRepo, UploadRow};
use async_trait::async_trait;
use serde::Deserialize;
use worker::send::{SendFuture, SendWrapper};
use worker::D1Database;

use super::{all, insert, ms, n, opt, s, write};

pub const INSERT: &str = "INSERT INTO uploads (id, owner_id, r2_upload_id, name, mime, size, \
     part_bytes, sha256_hint, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
pub const GET: &str = concat!(
    "SELECT id, owner_id, r2_upload_id, name, mime, size, part_bytes, sha256_hint, created_at \
     FROM uploads ",
    "WHERE id = ?1"
);
pub const PARTS: &str =
    "SELECT number, etag, size FROM upload_parts WHERE upload_id = ?1 ORDER BY number";
/// A part sent again replaces the earlier one (R2 keeps only the newer too). Only while
/// the upload exists: the foreign key refuses a part of an upload that is gone.
pub const PUT_PART: &str = "INSERT INTO upload_parts (upload_id, number, etag, size) \
     VALUES (?1, ?2, ?3, ?4) ON CONFLICT (upload_id, number) DO UPDATE SET \
     etag = excluded.etag, size = excluded.size";
/// The parts go with it (ON DELETE CASCADE).
pub const DELETE: &str = "DELETE FROM uploads WHERE id = ?1";
pub const OPEN_COUNT: &str = "SELECT COUNT(*) AS n FROM uploads WHERE owner_id = ?1";
/// Walks `uploads_by_created`.
pub const STALE: &str = concat!(
    "SELECT id, owner_id, r2_upload_id, name, mime, size, part_bytes, sha256_hint, created_at \
     FROM uploads ",
    "WHERE created_at < ?1 ORDER BY created_at, id LIMIT ?2"
);

pub struct D1Uploads(SendWrapper<D1Database>);

impl D1Uploads {
    pub fn new(db: D1Database) -> Self {
        Self(SendWrapper::new(db))
    }
}

#[derive(Deserialize)]
struct Row {
    id: String,
    owner_id: String,
    r2_upload_id: String,
    name: String,
    mime: String,
    size: f64,
    part_bytes: f64,
    sha256_hint: Option<String>,
    created_at: f64,
}

impl Row {
    fn into_port(self) -> UploadRow {
        UploadRow {
            id: self.id,
            owner_id: self.owner_id,
            r2_upload_id: self.r2_upload_id,
            name: self.name,
            mime: self.mime,
            size: self.size as u64,
            part_bytes: self.part_bytes as u64,
            sha256_hint: self.sha256_hint,
            created_at: self.created_at as i64,
        }
    }
}

#[derive(Deserialize)]
struct Part {
    number: f64,
    etag: String,
    size: f64,
}

#[derive(Deserialize)]
struct Count {
    n: f64,
}

#[async_trait]
impl UploadRepo for D1Uploads {
    async fn insert(&self, r: &UploadRow) -> PortResult<()> {
        let args = [
            s(&r.id),
            s(&r.owner_id),
            s(&r.r2_upload_id),
            s(&r.name),
            s(&r.mime),
            n(r.size as f64),
            n(r.part_bytes as f64),
            opt(r.sha256_hint.as_deref()),
            ms(r.created_at),
        ];
        SendFuture::new(insert(&self.0, INSERT, &args)).await
    }

    async fn get(&self, id: &str) -> PortResult<Option<UploadRow>> {
        SendFuture::new(async move {
            let rows: Vec<Row> = all(&self.0, GET, &[s(id)]).await?;
            Ok(rows.into_iter().next().map(Row::into_port))
        })
        .await
    }

    async fn parts(&self, id: &str) -> PortResult<Vec<PartRow>> {
        SendFuture::new(async move {
            let rows: Vec<Part> = all(&self.0, PARTS, &[s(id)]).await?;
            Ok(rows
                .into_iter()
                .map(|p| PartRow {
                    number: p.number as u16,
                    etag: p.etag,
                    size: p.size as u64,
                })
                .collect())
        })
        .await
    }

    async fn put_part(&self, id: &str, part: &PartRow) -> PortResult<()> {
        let args = [s(id), n(part.number), s(&part.etag), n(part.size as f64)];
        // A foreign-key failure (the upload is gone) is D1's error, not a UNIQUE one.
        SendFuture::new(async move {
            match write(&self.0, PUT_PART, &args).await {
                Ok(_) => Ok(()),
                Err(_) if self.get(id).await?.is_none() => {
                    Err(app::ssr::ports::PortError::NotFound)
                }
                Err(e) => Err(e),
            }
        })
        .await
    }

    async fn delete(&self, id: &str) -> PortResult<bool> {
        SendFuture::new(write(&self.0, DELETE, &[s(id)]))
            .await
            .map(|changed| changed > 0)
    }

    async fn open_count(&self, owner_id: &str) -> PortResult<u32> {
        SendFuture::new(async move {
            let rows: Vec<Count> = all(&self.0, OPEN_COUNT, &[s(owner_id)]).await?;
            Ok(rows.first().map_or(0, |c| c.n as u32))
        })
        .await
    }

    async fn stale(&self, before_ms: i64, limit: u32) -> PortResult<Vec<UploadRow>> {
        SendFuture::new(async move {
            let rows: Vec<Row> = all(&self.0, STALE, &[ms(before_ms), n(limit)]).await?;
            Ok(rows.into_iter().map(Row::into_port).collect())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    //! The statements above against real SQLite with the real migrations.
    use super::*;
    use crate::d1::test_db::{db, ids, plan, user, TestResult};
    use rusqlite::{params, Connection};

    fn upload(c: &Connection, id: &str, owner: &str, created_at: i64) -> rusqlite::Result<usize> {
        c.execute(
            INSERT,
            params![
                id,
                owner,
                "r2-x",
                "a.jpg",
                "image/jpeg",
                20,
                8,
                None::<String>,
                created_at
            ],
        )
    }

    fn part(
        c: &Connection,
        id: &str,
        number: u16,
        etag: &str,
        size: u64,
    ) -> rusqlite::Result<usize> {
        c.execute(PUT_PART, params![id, number, etag, size])
    }

    fn parts(c: &Connection, id: &str) -> rusqlite::Result<Vec<(u16, String, u64)>> {
        c.prepare(PARTS)?
            .query_map(params![id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect()
    }

    #[test]
    fn parts_out_of_order_and_again_are_kept_once_by_number() -> TestResult {
        let c = db()?;
        user(&c, "u1")?;
        upload(&c, "up1", "u1", 1)?;
        part(&c, "up1", 3, "e3", 4)?;
        part(&c, "up1", 1, "e1", 8)?;
        part(&c, "up1", 2, "old", 8)?;
        part(&c, "up1", 2, "new", 8)?;
        assert_eq!(
            parts(&c, "up1")?,
            [
                (1, "e1".into(), 8),
                (2, "new".into(), 8),
                (3, "e3".into(), 4)
            ]
        );
        Ok(())
    }

    #[test]
    fn a_part_needs_its_upload_and_goes_with_it() -> TestResult {
        let c = db()?;
        user(&c, "u1")?;
        assert!(part(&c, "nope", 1, "e", 8).is_err(), "no upload, no part");
        upload(&c, "up1", "u1", 1)?;
        assert!(part(&c, "up1", 0, "e", 8).is_err(), "numbers start at 1");
        assert!(
            part(&c, "up1", 10_001, "e", 8).is_err(),
            "R2 has 10 000 at most"
        );
        part(&c, "up1", 1, "e", 8)?;
        assert_eq!(c.execute(DELETE, params!["up1"])?, 1);
        assert_eq!(c.execute(DELETE, params!["up1"])?, 0);
        let left: i64 = c.query_row("SELECT COUNT(*) FROM upload_parts", [], |r| r.get(0))?;
        assert_eq!(left, 0);
        // Deleting the person deletes their uploads.
        upload(&c, "up2", "u1", 1)?;
        c.execute("DELETE FROM users WHERE id = 'u1'", [])?;
        let left: i64 = c.query_row("SELECT COUNT(*) FROM uploads", [], |r| r.get(0))?;
        assert_eq!(left, 0);
        Ok(())
    }

    #[test]
    fn get_counts_and_stale_walk_the_index() -> TestResult {
        let c = db()?;
        user(&c, "u1")?;
        user(&c, "u2")?;
        upload(&c, "b", "u1", 5)?;
        upload(&c, "a", "u1", 5)?;
        upload(&c, "c", "u2", 9)?;
        upload(&c, "d", "u1", 20)?;
        let owner: String = c.query_row(GET, params!["c"], |r| r.get("owner_id"))?;
        assert_eq!(owner, "u2");
        let n: i64 = c.query_row(OPEN_COUNT, params!["u1"], |r| r.get("n"))?;
        assert_eq!(n, 3);
        assert_eq!(ids(&c, STALE, params![10, 10])?, ["a", "b", "c"]);
        assert_eq!(ids(&c, STALE, params![10, 2])?, ["a", "b"]);
        assert_eq!(ids(&c, STALE, params![5, 10])?, Vec::<String>::new());
        let steps = plan(&c, STALE, params![10, 10])?.join(" | ");
        assert!(steps.contains("uploads_by_created"), "{steps}");
        let steps = plan(&c, OPEN_COUNT, params!["u1"])?.join(" | ");
        assert!(steps.contains("uploads_by_owner"), "{steps}");
        Ok(())
    }
}
