//! `PhotoRepo` over D1.

use app::model::PhotoStatus;
use app::ssr::ports::{PhotoRepo, PhotoRow, PortError, PortResult, Rendition, VariantRow};
use async_trait::async_trait;
use serde::Deserialize;
use wasm_bindgen::JsValue;
use worker::send::{SendFuture, SendWrapper};
use worker::D1Database;

use super::unavailable;

pub const INSERT_PENDING: &str = "INSERT INTO photos (id, owner_id, title, status, content_type, bytes, created_at, updated_at) \
     VALUES (?1, ?2, ?3, 'pending', ?4, ?5, ?6, ?6)";
/// The columns `Row` reads, in one place for every SELECT of photos.
macro_rules! select_photos {
    ($rest:literal) => {
        concat!(
            "SELECT id, owner_id, title, status, failure, content_type, bytes, width, height, ",
            "sha256, rev, placeholder, exif_json, created_at FROM photos ",
            $rest
        )
    };
}
pub const GET: &str = select_photos!("WHERE id = ?1");
pub const FEED: &str = select_photos!("ORDER BY created_at DESC, id DESC LIMIT ?1");
/// Variants of up to a page of photos; ids come as one JSON array so the statement is fixed.
pub const VARIANTS: &str =
    "SELECT photo_id, width, height, mime, r2_key, bytes FROM photo_variants \
     WHERE photo_id IN (SELECT value FROM json_each(?1)) ORDER BY photo_id, width";
pub const DELETE_VARIANTS: &str = "DELETE FROM photo_variants WHERE photo_id = ?1";
pub const INSERT_VARIANT: &str =
    "INSERT INTO photo_variants (photo_id, width, height, mime, r2_key, bytes) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
pub const MARK_READY: &str = "UPDATE photos SET status = 'ready', failure = NULL, width = ?2, height = ?3, sha256 = ?4, rev = ?5, \
     placeholder = ?6, thumbhash = ?7, exif_json = ?8, gps_json = ?9, updated_at = ?10 WHERE id = ?1";
pub const MARK_FAILED: &str =
    "UPDATE photos SET status = 'failed', failure = ?2, updated_at = ?3 WHERE id = ?1 AND status = 'pending'";
pub const STALE_PENDING: &str =
    "SELECT id FROM photos WHERE status = 'pending' AND created_at < ?1 ORDER BY created_at LIMIT ?2";

pub struct D1Photos(SendWrapper<D1Database>);

impl D1Photos {
    pub fn new(db: D1Database) -> Self {
        Self(SendWrapper::new(db))
    }
}

#[derive(Deserialize)]
struct Row {
    id: String,
    owner_id: String,
    title: String,
    status: String,
    failure: Option<String>,
    content_type: String,
    bytes: f64,
    width: Option<u32>,
    height: Option<u32>,
    sha256: Option<String>,
    rev: Option<String>,
    placeholder: Option<String>,
    exif_json: Option<String>,
    created_at: f64,
}

impl Row {
    fn into_port(self) -> PortResult<PhotoRow> {
        let status = PhotoStatus::parse(&self.status)
            .ok_or_else(|| PortError::Unavailable(format!("bad status {:?}", self.status)))?;
        Ok(PhotoRow {
            id: self.id,
            owner_id: self.owner_id,
            title: self.title,
            status,
            failure: self.failure,
            content_type: self.content_type,
            bytes: self.bytes as u64,
            width: self.width,
            height: self.height,
            sha256: self.sha256,
            rev: self.rev,
            placeholder: self.placeholder,
            exif_json: self.exif_json,
            created_at: self.created_at as i64,
        })
    }
}

#[derive(Deserialize)]
struct Variant {
    photo_id: String,
    width: u32,
    height: u32,
    mime: String,
    r2_key: String,
    bytes: f64,
}

fn s(v: &str) -> JsValue {
    JsValue::from_str(v)
}

fn n(v: impl Into<f64>) -> JsValue {
    JsValue::from_f64(v.into())
}

fn opt(v: Option<&str>) -> JsValue {
    v.map(JsValue::from_str).unwrap_or(JsValue::NULL)
}

fn now() -> JsValue {
    n(worker::Date::now().as_millis() as f64)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[async_trait]
impl PhotoRepo for D1Photos {
    async fn insert_pending(&self, r: &PhotoRow) -> PortResult<()> {
        let args = [
            s(&r.id),
            s(&r.owner_id),
            s(&r.title),
            s(&r.content_type),
            n(r.bytes as f64),
            n(r.created_at as f64),
        ];
        SendFuture::new(async move {
            let stmt = self
                .0
                .prepare(INSERT_PENDING)
                .bind(&args)
                .map_err(unavailable)?;
            stmt.run().await.map_err(unavailable).map(|_| ())
        })
        .await
    }

    async fn get(&self, id: &str) -> PortResult<Option<PhotoRow>> {
        SendFuture::new(async move {
            let stmt = self.0.prepare(GET).bind(&[s(id)]).map_err(unavailable)?;
            let row: Option<Row> = stmt.first(None).await.map_err(unavailable)?;
            row.map(Row::into_port).transpose()
        })
        .await
    }

    async fn feed(&self, limit: u32) -> PortResult<Vec<PhotoRow>> {
        SendFuture::new(async move {
            let stmt = self
                .0
                .prepare(FEED)
                .bind(&[n(limit)])
                .map_err(unavailable)?;
            let rows: Vec<Row> = stmt
                .all()
                .await
                .and_then(|r| r.results())
                .map_err(unavailable)?;
            rows.into_iter().map(Row::into_port).collect()
        })
        .await
    }

    async fn variants(&self, ids: &[String]) -> PortResult<Vec<VariantRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids = serde_json::to_string(ids).map_err(|e| PortError::Unavailable(e.to_string()))?;
        SendFuture::new(async move {
            let stmt = self
                .0
                .prepare(VARIANTS)
                .bind(&[s(&ids)])
                .map_err(unavailable)?;
            let rows: Vec<Variant> = stmt
                .all()
                .await
                .and_then(|r| r.results())
                .map_err(unavailable)?;
            Ok(rows
                .into_iter()
                .map(|v| VariantRow {
                    photo_id: v.photo_id,
                    width: v.width,
                    height: v.height,
                    mime: v.mime,
                    r2_key: v.r2_key,
                    bytes: v.bytes as u64,
                })
                .collect())
        })
        .await
    }

    async fn mark_ready(&self, id: &str, r: &Rendition) -> PortResult<()> {
        SendFuture::new(async move {
            // One batch is one transaction: the variants and the status change together.
            let mut stmts = vec![self
                .0
                .prepare(DELETE_VARIANTS)
                .bind(&[s(id)])
                .map_err(unavailable)?];
            for v in &r.variants {
                let args = [
                    s(id),
                    n(v.width),
                    n(v.height),
                    s(&v.mime),
                    s(&v.r2_key),
                    n(v.bytes as f64),
                ];
                stmts.push(
                    self.0
                        .prepare(INSERT_VARIANT)
                        .bind(&args)
                        .map_err(unavailable)?,
                );
            }
            let args = [
                s(id),
                n(r.width),
                n(r.height),
                s(&r.sha256),
                s(&r.rev),
                s(&r.placeholder),
                s(&hex(&r.thumbhash)),
                s(&r.exif_json),
                opt(r.gps_json.as_deref()),
                now(),
            ];
            stmts.push(
                self.0
                    .prepare(MARK_READY)
                    .bind(&args)
                    .map_err(unavailable)?,
            );
            self.0.batch(stmts).await.map_err(unavailable).map(|_| ())
        })
        .await
    }

    async fn mark_failed(&self, id: &str, reason: &str) -> PortResult<()> {
        SendFuture::new(async move {
            let stmt = self
                .0
                .prepare(MARK_FAILED)
                .bind(&[s(id), s(reason), now()])
                .map_err(unavailable)?;
            stmt.run().await.map_err(unavailable).map(|_| ())
        })
        .await
    }

    async fn stale_pending(&self, before_ms: i64, limit: u32) -> PortResult<Vec<String>> {
        #[derive(Deserialize)]
        struct Id {
            id: String,
        }
        SendFuture::new(async move {
            let stmt = self
                .0
                .prepare(STALE_PENDING)
                .bind(&[n(before_ms as f64), n(limit)])
                .map_err(unavailable)?;
            let rows: Vec<Id> = stmt
                .all()
                .await
                .and_then(|r| r.results())
                .map_err(unavailable)?;
            Ok(rows.into_iter().map(|r| r.id).collect())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    //! Every statement above, run against real SQLite with the real migrations.
    use super::*;
    use rusqlite::{params, Connection};

    fn db() -> Connection {
        let c = Connection::open_in_memory().unwrap();
        let mut files: Vec<_> =
            std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations"))
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
        files.sort();
        for f in files {
            c.execute_batch(&std::fs::read_to_string(f).unwrap())
                .unwrap();
        }
        c
    }

    fn insert(c: &Connection, id: &str, at: i64) {
        c.execute(INSERT_PENDING, params![id, "u1", "t", "image/png", 10, at])
            .unwrap();
    }

    #[test]
    fn pending_ready_and_feed() {
        let c = db();
        insert(&c, "a", 1);
        insert(&c, "b", 2);
        assert!(
            c.execute(INSERT_PENDING, params!["a", "u1", "t", "image/png", 10, 3])
                .is_err(),
            "ids are unique"
        );
        for w in [320, 640] {
            c.execute(
                INSERT_VARIANT,
                params!["a", w, w, "image/jpeg", format!("var/a/r/{w}.jpg"), 5],
            )
            .unwrap();
        }
        c.execute(
            MARK_READY,
            params![
                "a",
                640,
                480,
                "sha",
                "r",
                "#010203",
                "00",
                "{}",
                None::<String>,
                9
            ],
        )
        .unwrap();
        let ids: Vec<String> = c
            .prepare(FEED)
            .unwrap()
            .query_map(params![10], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(ids, ["b", "a"]);
        let (status, w): (String, u32) = c
            .query_row(GET, params!["a"], |r| Ok((r.get(3)?, r.get(7)?)))
            .unwrap();
        assert_eq!((status.as_str(), w), ("ready", 640));
        let n: usize = c
            .prepare(VARIANTS)
            .unwrap()
            .query_map(params![r#"["a","b"]"#], |r| r.get::<_, String>(0))
            .unwrap()
            .count();
        assert_eq!(n, 2);
        // Writing the same variants twice is refused by the key, which is why
        // mark_ready deletes first: redelivery cannot duplicate rows.
        assert!(c
            .execute(INSERT_VARIANT, params!["a", 320, 1, "m", "k", 1])
            .is_err());
        c.execute(DELETE_VARIANTS, params!["a"]).unwrap();
        let left: i64 = c
            .query_row("SELECT COUNT(*) FROM photo_variants", [], |r| r.get(0))
            .unwrap();
        assert_eq!(left, 0);
    }

    #[test]
    fn failed_only_from_pending_and_stale_listing() {
        let c = db();
        insert(&c, "a", 1);
        insert(&c, "b", 100);
        assert_eq!(c.execute(MARK_FAILED, params!["a", "bad", 5]).unwrap(), 1);
        assert_eq!(c.execute(MARK_FAILED, params!["a", "again", 6]).unwrap(), 0);
        let stale: Vec<String> = c
            .prepare(STALE_PENDING)
            .unwrap()
            .query_map(params![1000, 10], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(stale, ["b"]);
    }
}
