//! `AlbumRepo` and `AlbumPhotos` over D1.

use app::model::{AlbumSort, Visibility};
use app::ssr::ports::{
    AlbumAfter, AlbumEntry, AlbumFront, AlbumPhotos, AlbumRepo, AlbumRow, CardRow, EntryScope,
    PortError, PortResult,
};
use async_trait::async_trait;
use serde::Deserialize;
use wasm_bindgen::JsValue;
use worker::send::{SendFuture, SendWrapper};
use worker::D1Database;

use super::photos::{select_cards, select_photos, Card as CardIn, Row as PhotoRowIn};
use super::{all, ms, opt, s, unavailable, update_one, write};

pub const INSERT: &str =
    "INSERT INTO albums (id, owner_id, title, description, visibility, cover_photo_id, sort, \
     created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
macro_rules! select_albums {
    ($rest:literal) => {
        concat!(
            "SELECT id, owner_id, title, description, visibility, cover_photo_id, sort, ",
            "created_at, updated_at, ",
            "(SELECT suspended_at FROM users u WHERE u.id = albums.owner_id) AS owner_suspended_at ",
            "FROM albums ",
            $rest
        )
    };
}
pub const GET: &str = select_albums!("WHERE id = ?1");
/// `?2` is 1 for every visibility (the owner looking), 0 for public only; walks
/// `albums_by_owner`.
pub const BY_OWNER: &str = select_albums!(
    "WHERE owner_id = ?1 AND (?2 OR visibility = 'public') ORDER BY created_at DESC, id DESC"
);
pub const UPDATE: &str =
    "UPDATE albums SET title = ?2, description = ?3, visibility = ?4, cover_photo_id = ?5, \
     sort = ?6, updated_at = ?7 WHERE id = ?1";
/// Memberships go with it (ON DELETE CASCADE); the photos stay.
pub const DELETE: &str = "DELETE FROM albums WHERE id = ?1";
/// The columns of an entry's place, before its photo's. `taken_at` is the generated column
/// (migration 0008) the "date taken" order keys on: EXIF JSON parsed by SQLite, NULL when
/// it is not JSON, and never the JSON itself.
macro_rules! entry_columns {
    () => {
        "ap.album_id AS album_id, ap.position AS position, ap.added_at AS added_at, \
         photos.taken_at AS taken_at, "
    };
}
/// Entries of several albums (ids as one JSON array, so the statement is fixed), each
/// album's in position order; walks `album_photos_in_order`.
pub const ENTRIES: &str = select_photos!(
    entry_columns!(),
    "JOIN album_photos ap ON ap.photo_id = photos.id \
     WHERE ap.album_id IN (SELECT value FROM json_each(?1)) \
     ORDER BY ap.album_id, ap.position, photos.id"
);
/// One photo's entry in one album (the primary key): whether a share link may show it.
pub const ENTRY: &str = select_photos!(
    entry_columns!(),
    "JOIN album_photos ap ON ap.photo_id = photos.id \
     WHERE ap.album_id = ?1 AND ap.photo_id = ?2"
);
/// The scope of an album listing (`app::ssr::ports::EntryScope::admits` in SQL): the
/// album owner's photos, `?3` any status else finished, `?4` any visibility else public
/// (and unlisted when `?5`). Lean rows: what the page's cards show (`select_cards!`).
macro_rules! album_page {
    ($cond:literal, $order:literal) => {
        select_cards!(
            entry_columns!(),
            concat!(
                "JOIN album_photos ap ON ap.photo_id = photos.id \
                 WHERE ap.album_id = ?1 AND photos.owner_id = ?2 AND photos.trashed_at IS NULL \
                 AND (?3 OR photos.status = 'ready') \
                 AND (?4 OR photos.visibility = 'public' OR (?5 AND photos.visibility = 'unlisted')) AND ",
                $cond,
                " ORDER BY ",
                $order
            )
        )
    };
}
/// Manual order, after `(?6 position, ?7 photo id)`; walks `album_photos_in_order`.
pub const PAGE_MANUAL: &str = album_page!(
    "(ap.position, ap.photo_id) > (?6, ?7)",
    "ap.position, ap.photo_id LIMIT ?8"
);
/// Newest added first, after `(?6 added_at, ?7 photo id)`; walks `album_photos_by_added`.
pub const PAGE_ADDED: &str = album_page!(
    "(ap.added_at, ap.photo_id) < (?6, ?7)",
    "ap.added_at DESC, ap.photo_id DESC LIMIT ?8"
);
/// Oldest taken first (undated last), after `(?6 key, ?7 created_at, ?8 photo id)`. The
/// key comes from the EXIF JSON (`photos.taken_at`, the column the cursor is read from), so
/// this sorts the album's own rows (bounded by the album's size, never the whole table).
pub const PAGE_TAKEN: &str = album_page!(
    "(coalesce(photos.taken_at, '~'), photos.created_at, photos.id) > (?6, ?7, ?8)",
    "coalesce(photos.taken_at, '~'), photos.created_at, photos.id LIMIT ?9"
);
/// A list of albums' fronts (`AlbumPhotos::fronts`): for each album of the JSON array `?1`,
/// within the scope (`?2`..`?4` as `?3`..`?5` of the pages, the owner and the sort read from
/// the album), the count (`n`), and only the first row in the album's sort (`rn` 1, the
/// pages' order: each CASE is constant within an album) and the chosen cover (`chosen`):
/// at most two lean rows an album, however many photos it holds.
pub const FRONTS: &str = concat!(
    "SELECT * FROM (",
    select_cards!(
        concat!(
            entry_columns!(),
            "count(*) OVER (PARTITION BY ap.album_id) AS n, \
             row_number() OVER (PARTITION BY ap.album_id ORDER BY \
             CASE WHEN a.sort = 'manual' THEN ap.position END, \
             CASE WHEN a.sort = 'added' THEN ap.added_at END DESC, \
             CASE WHEN a.sort = 'added' THEN ap.photo_id END DESC, \
             CASE WHEN a.sort = 'taken' THEN coalesce(photos.taken_at, '~') END, \
             CASE WHEN a.sort = 'taken' THEN photos.created_at END, \
             ap.photo_id) AS rn, \
             coalesce(photos.id = a.cover_photo_id, 0) AS chosen, "
        ),
        "JOIN album_photos ap ON ap.photo_id = photos.id JOIN albums a ON a.id = ap.album_id \
         WHERE ap.album_id IN (SELECT value FROM json_each(?1)) \
         AND photos.owner_id = a.owner_id AND photos.trashed_at IS NULL \
         AND (?2 OR photos.status = 'ready') \
         AND (?3 OR photos.visibility = 'public' OR (?4 AND photos.visibility = 'unlisted'))"
    ),
    ") WHERE rn = 1 OR chosen ORDER BY album_id, rn"
);
/// A photo already in the album keeps its place.
pub const ADD: &str = "INSERT INTO album_photos (album_id, photo_id, position, added_at) \
     VALUES (?1, ?2, ?3, ?4) ON CONFLICT (album_id, photo_id) DO NOTHING";
pub const REMOVE: &str = "DELETE FROM album_photos WHERE album_id = ?1 \
     AND photo_id IN (SELECT value FROM json_each(?2))";
pub const SET_POSITION: &str =
    "UPDATE album_photos SET position = ?3 WHERE album_id = ?1 AND photo_id = ?2";
pub const ALBUMS_OF: &str = "SELECT album_id FROM album_photos WHERE photo_id = ?1";

pub struct D1Albums(SendWrapper<D1Database>);

impl D1Albums {
    pub fn new(db: D1Database) -> Self {
        Self(SendWrapper::new(db))
    }

    async fn albums(&self, sql: &str, args: &[JsValue]) -> PortResult<Vec<AlbumRow>> {
        let rows: Vec<Album> = all(&self.0, sql, args).await?;
        rows.into_iter().map(Album::into_port).collect()
    }
}

#[derive(Deserialize)]
struct Album {
    id: String,
    owner_id: String,
    title: String,
    description: String,
    visibility: String,
    cover_photo_id: Option<String>,
    sort: String,
    created_at: f64,
    updated_at: f64,
    #[serde(default)]
    owner_suspended_at: Option<f64>,
}

impl Album {
    fn into_port(self) -> PortResult<AlbumRow> {
        let bad = |what: &str, v: &str| PortError::Unavailable(format!("bad album {what} {v:?}"));
        Ok(AlbumRow {
            visibility: Visibility::parse(&self.visibility)
                .ok_or_else(|| bad("visibility", &self.visibility))?,
            sort: AlbumSort::parse(&self.sort).ok_or_else(|| bad("sort", &self.sort))?,
            id: self.id,
            owner_id: self.owner_id,
            title: self.title,
            description: self.description,
            cover_photo_id: self.cover_photo_id,
            created_at: self.created_at as i64,
            updated_at: self.updated_at as i64,
            owner_suspended: self.owner_suspended_at.is_some(),
        })
    }
}

/// An entry as D1 returns it: its place, then its photo's columns (`R`: a whole row or a
/// card's).
#[derive(Deserialize)]
struct Entry<R> {
    album_id: String,
    position: String,
    added_at: f64,
    taken_at: Option<String>,
    #[serde(flatten)]
    photo: R,
}

impl<R> Entry<R> {
    fn into_port<P>(self, photo: impl FnOnce(R) -> PortResult<P>) -> PortResult<AlbumEntry<P>> {
        Ok(AlbumEntry {
            album_id: self.album_id,
            photo: photo(self.photo)?,
            position: self.position,
            added_at: self.added_at as i64,
            taken_at: self.taken_at,
        })
    }
}

/// Whole entries (`ENTRIES`, `ENTRY`).
fn whole(rows: Vec<Entry<PhotoRowIn>>) -> PortResult<Vec<AlbumEntry>> {
    rows.into_iter()
        .map(|e| e.into_port(PhotoRowIn::into_port))
        .collect()
}

fn json_ids(ids: &[String]) -> PortResult<JsValue> {
    serde_json::to_string(ids)
        .map(|j| s(&j))
        .map_err(|e| PortError::Unavailable(e.to_string()))
}

#[async_trait]
impl AlbumRepo for D1Albums {
    async fn insert(&self, a: &AlbumRow) -> PortResult<()> {
        let args = [
            s(&a.id),
            s(&a.owner_id),
            s(&a.title),
            s(&a.description),
            s(a.visibility.as_str()),
            opt(a.cover_photo_id.as_deref()),
            s(a.sort.as_str()),
            ms(a.created_at),
            ms(a.updated_at),
        ];
        SendFuture::new(super::insert(&self.0, INSERT, &args)).await
    }

    async fn get(&self, id: &str) -> PortResult<Option<AlbumRow>> {
        SendFuture::new(async move { Ok(self.albums(GET, &[s(id)]).await?.pop()) }).await
    }

    async fn update(&self, a: &AlbumRow) -> PortResult<()> {
        let args = [
            s(&a.id),
            s(&a.title),
            s(&a.description),
            s(a.visibility.as_str()),
            opt(a.cover_photo_id.as_deref()),
            s(a.sort.as_str()),
            ms(a.updated_at),
        ];
        SendFuture::new(update_one(&self.0, UPDATE, &args)).await
    }

    async fn delete(&self, id: &str) -> PortResult<()> {
        SendFuture::new(write(&self.0, DELETE, &[s(id)]))
            .await
            .map(|_| ())
    }

    async fn by_owner(&self, owner_id: &str, all: bool) -> PortResult<Vec<AlbumRow>> {
        SendFuture::new(self.albums(BY_OWNER, &[s(owner_id), super::flag(all)])).await
    }
}

#[async_trait]
impl AlbumPhotos for D1Albums {
    async fn entries(&self, album_ids: &[String]) -> PortResult<Vec<AlbumEntry>> {
        if album_ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids = json_ids(album_ids)?;
        SendFuture::new(async move { whole(all(&self.0, ENTRIES, &[ids]).await?) }).await
    }

    async fn page(
        &self,
        album: &AlbumRow,
        scope: EntryScope,
        after: Option<&AlbumAfter>,
        limit: u32,
    ) -> PortResult<Vec<AlbumEntry<CardRow>>> {
        let mut args = vec![
            s(&album.id),
            s(&album.owner_id),
            super::flag(scope.any_status),
            super::flag(scope.any_visibility),
            super::flag(scope.unlisted),
        ];
        let sql = match (album.sort, after) {
            (AlbumSort::Manual, None) => {
                args.extend([s(""), s("")]);
                PAGE_MANUAL
            }
            (AlbumSort::Manual, Some(AlbumAfter::Manual(pos, id))) => {
                args.extend([s(pos), s(id)]);
                PAGE_MANUAL
            }
            (AlbumSort::Added, None) => {
                let (at, id) = super::photos::cursor(None);
                args.extend([at, id]);
                PAGE_ADDED
            }
            (AlbumSort::Added, Some(AlbumAfter::Added(at, id))) => {
                args.extend([ms(*at), s(id)]);
                PAGE_ADDED
            }
            (AlbumSort::Taken, None) => {
                args.extend([s(""), ms(0), s("")]);
                PAGE_TAKEN
            }
            (AlbumSort::Taken, Some(AlbumAfter::Taken(key, at, id))) => {
                args.extend([s(key), ms(*at), s(id)]);
                PAGE_TAKEN
            }
            // The service parses a cursor by the album's sort; another sort's is a bug.
            _ => {
                return Err(PortError::Unavailable(
                    "album cursor of another sort".into(),
                ))
            }
        };
        args.push(super::n(limit));
        SendFuture::new(async move {
            let rows: Vec<Entry<CardIn>> = all(&self.0, sql, &args).await?;
            rows.into_iter()
                .map(|e| e.into_port(CardIn::into_port))
                .collect()
        })
        .await
    }

    async fn fronts(&self, albums: &[AlbumRow], scope: EntryScope) -> PortResult<Vec<AlbumFront>> {
        #[derive(Deserialize)]
        struct Front {
            n: f64,
            rn: f64,
            chosen: f64,
            #[serde(flatten)]
            entry: Entry<CardIn>,
        }
        if albums.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<String> = albums.iter().map(|a| a.id.clone()).collect();
        let args = [
            json_ids(&ids)?,
            super::flag(scope.any_status),
            super::flag(scope.any_visibility),
            super::flag(scope.unlisted),
        ];
        SendFuture::new(async move {
            let rows: Vec<Front> = all(&self.0, FRONTS, &args).await?;
            let mut out: Vec<AlbumFront> = Vec::new();
            for row in rows {
                let (n, rn, chosen) = (row.n as u32, row.rn, row.chosen != 0.0);
                let e = row.entry.into_port(CardIn::into_port)?;
                let front = match out.last_mut() {
                    Some(f) if f.album_id == e.album_id => f,
                    _ => {
                        out.push(AlbumFront {
                            album_id: e.album_id.clone(),
                            count: n,
                            chosen: None,
                            first: None,
                        });
                        out.last_mut()
                            .ok_or_else(|| PortError::Unavailable("no front".into()))?
                    }
                };
                if chosen {
                    front.chosen = Some(e.clone());
                }
                if rn == 1.0 {
                    front.first = Some(e);
                }
            }
            Ok(out)
        })
        .await
    }

    async fn entry(&self, album_id: &str, photo_id: &str) -> PortResult<Option<AlbumEntry>> {
        SendFuture::new(async move {
            let rows = all(&self.0, ENTRY, &[s(album_id), s(photo_id)]).await?;
            Ok(whole(rows)?.into_iter().next())
        })
        .await
    }

    async fn add(
        &self,
        album_id: &str,
        items: &[(String, String)],
        now_ms: i64,
    ) -> PortResult<u32> {
        if items.is_empty() {
            return Ok(0);
        }
        SendFuture::new(async move {
            let stmts = items
                .iter()
                .map(|(photo_id, position)| {
                    self.0
                        .prepare(ADD)
                        .bind(&[s(album_id), s(photo_id), s(position), ms(now_ms)])
                        .map_err(unavailable)
                })
                .collect::<PortResult<Vec<_>>>()?;
            // One batch: one transaction, so a missing photo adds none.
            let results = self.0.batch(stmts).await.map_err(unavailable)?;
            let mut added = 0;
            for r in &results {
                added += super::changes(r)?;
            }
            Ok(added)
        })
        .await
    }

    async fn remove(&self, album_id: &str, photo_ids: &[String]) -> PortResult<u32> {
        let ids = json_ids(photo_ids)?;
        SendFuture::new(write(&self.0, REMOVE, &[s(album_id), ids])).await
    }

    async fn set_position(&self, album_id: &str, photo_id: &str, position: &str) -> PortResult<()> {
        let args = [s(album_id), s(photo_id), s(position)];
        SendFuture::new(update_one(&self.0, SET_POSITION, &args)).await
    }

    async fn albums_of(&self, photo_id: &str) -> PortResult<Vec<String>> {
        #[derive(Deserialize)]
        struct Id {
            album_id: String,
        }
        SendFuture::new(async move {
            let rows: Vec<Id> = all(&self.0, ALBUMS_OF, &[s(photo_id)]).await?;
            Ok(rows.into_iter().map(|r| r.album_id).collect())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    //! Every statement above, run against real SQLite with the real migrations.
    use super::*;
    use crate::d1::test_db::{bytes_read, db, everyday_photo, ids, plan, user, TestResult};
    use rusqlite::{params, Connection};

    /// The scope's count, plainly (what `FRONTS`' window count must agree with).
    const COUNT: &str =
        "SELECT count(*) AS n FROM album_photos ap JOIN photos ON photos.id = ap.photo_id \
         WHERE ap.album_id = ?1 AND photos.owner_id = ?2 AND photos.trashed_at IS NULL \
         AND (?3 OR photos.status = 'ready') \
         AND (?4 OR photos.visibility = 'public' OR (?5 AND photos.visibility = 'unlisted'))";

    fn photo(c: &Connection, id: &str, owner: &str) -> rusqlite::Result<usize> {
        c.execute(
            "INSERT INTO photos (id, owner_id, title, status, content_type, bytes, created_at, \
             updated_at) VALUES (?1, ?2, ?1, 'ready', 'image/png', 1, 1, 1)",
            params![id, owner],
        )
    }

    fn album(c: &Connection, id: &str, owner: &str, vis: &str) -> rusqlite::Result<usize> {
        c.execute(
            INSERT,
            params![id, owner, "T", "", vis, None::<String>, "manual", 1, 1],
        )
    }

    fn order(c: &Connection, album_id: &str) -> rusqlite::Result<Vec<(String, String)>> {
        let ids = serde_json::to_string(&[album_id]).unwrap_or_default();
        c.prepare(ENTRIES)?
            .query_map(params![ids], |r| Ok((r.get("id")?, r.get("position")?)))?
            .collect()
    }

    /// Every read the access checks judge carries the owner's suspension (`SUSPEND` sets
    /// it, clearing it brings it back): the album itself, and each photo in it.
    #[test]
    fn reads_carry_the_owners_suspension() -> TestResult {
        let c = db()?;
        user(&c, "u1")?;
        photo(&c, "p1", "u1")?;
        album(&c, "a1", "u1", "public")?;
        c.execute(ADD, params!["a1", "p1", "V", 1])?;
        let suspended =
            |c: &Connection| -> rusqlite::Result<(Option<i64>, Option<i64>, Option<i64>)> {
                let a = c.query_row(GET, params!["a1"], |r| r.get("owner_suspended_at"))?;
                let p = c.query_row(super::super::photos::GET, params!["p1"], |r| {
                    r.get("owner_suspended_at")
                })?;
                let e = c.query_row(ENTRY, params!["a1", "p1"], |r| r.get("owner_suspended_at"))?;
                Ok((a, p, e))
            };
        assert_eq!(suspended(&c)?, (None, None, None));
        c.execute(super::super::admin::SUSPEND, params!["u1", 7])?;
        assert_eq!(suspended(&c)?, (Some(7), Some(7), Some(7)));
        c.execute(super::super::admin::SUSPEND, params!["u1", None::<i64>])?;
        assert_eq!(suspended(&c)?, (None, None, None));
        Ok(())
    }

    /// The three page queries and the count, against real SQLite: scope, order, cursor,
    /// and the index each walks.
    #[test]
    fn album_pages_filter_order_and_resume_from_the_cursor() -> TestResult {
        let c = db()?;
        user(&c, "u1")?;
        user(&c, "u2")?;
        // (id, owner, status, visibility, taken, created, added)
        let rows = [
            (
                "a",
                "u1",
                "ready",
                "public",
                Some("2024-05-01T00:00:00"),
                1,
                30,
            ),
            ("b", "u1", "ready", "unlisted", None, 2, 20),
            (
                "c",
                "u1",
                "pending",
                "public",
                Some("2023-01-01T00:00:00"),
                3,
                20,
            ),
            (
                "d",
                "u1",
                "ready",
                "private",
                Some("2024-01-01T00:00:00"),
                4,
                10,
            ),
            ("e", "u2", "ready", "public", None, 5, 40),
        ];
        album(&c, "al", "u1", "public")?;
        for (i, (id, owner, status, vis, taken, created, added)) in rows.into_iter().enumerate() {
            c.execute(
                "INSERT INTO photos (id, owner_id, title, status, content_type, bytes, created_at, \
                 updated_at, visibility, exif_json) VALUES (?1, ?2, ?1, ?3, 'image/png', 1, ?4, ?4, ?5, ?6)",
                params![id, owner, status, created, vis, taken.map(|t| format!(r#"{{"taken_at":"{t}"}}"#))],
            )?;
            c.execute(
                ADD,
                params!["al", id, format!("{}", (b'a' + i as u8) as char), added],
            )?;
        }
        let page = |sql: &str,
                    scope: (i64, i64, i64),
                    rest: Vec<rusqlite::types::Value>|
         -> rusqlite::Result<Vec<String>> {
            let mut args: Vec<rusqlite::types::Value> = vec![
                "al".to_string().into(),
                "u1".to_string().into(),
                scope.0.into(),
                scope.1.into(),
                scope.2.into(),
            ];
            args.extend(rest);
            ids(&c, sql, rusqlite::params_from_iter(args))
        };
        let owner = (1, 1, 0);
        let stranger = (0, 0, 0);
        let unlisted = (0, 0, 1);
        let v = |s: &str| rusqlite::types::Value::from(s.to_string());
        let n = rusqlite::types::Value::from;
        // Manual: by position; someone else's photo never shows, even to the owner.
        assert_eq!(
            page(PAGE_MANUAL, owner, vec![v(""), v(""), n(10)])?,
            ["a", "b", "c", "d"]
        );
        assert_eq!(
            page(PAGE_MANUAL, owner, vec![v("b"), v("b"), n(10)])?,
            ["c", "d"]
        );
        assert_eq!(
            page(PAGE_MANUAL, stranger, vec![v(""), v(""), n(10)])?,
            ["a"]
        );
        assert_eq!(
            page(PAGE_MANUAL, unlisted, vec![v(""), v(""), n(10)])?,
            ["a", "b"]
        );
        // Added: newest first, ties by id, descending.
        assert_eq!(
            page(PAGE_ADDED, owner, vec![n(1_i64 << 53), v(""), n(10)])?,
            ["a", "c", "b", "d"]
        );
        assert_eq!(
            page(PAGE_ADDED, owner, vec![n(20), v("c"), n(10)])?,
            ["b", "d"]
        );
        // Taken: oldest date first, undated last.
        assert_eq!(
            page(PAGE_TAKEN, owner, vec![v(""), n(0), v(""), n(10)])?,
            ["c", "d", "a", "b"]
        );
        assert_eq!(
            page(
                PAGE_TAKEN,
                owner,
                vec![v("2024-01-01T00:00:00"), n(4), v("d"), n(10)]
            )?,
            ["a", "b"]
        );
        assert_eq!(
            page(PAGE_TAKEN, unlisted, vec![v(""), n(0), v(""), n(1)])?,
            ["a"]
        );
        let count = |scope: (i64, i64, i64)| -> rusqlite::Result<i64> {
            c.query_row(COUNT, params!["al", "u1", scope.0, scope.1, scope.2], |r| {
                r.get(0)
            })
        };
        assert_eq!(
            (count(owner)?, count(stranger)?, count(unlisted)?),
            (4, 1, 2)
        );
        for (sql, rest, index) in [
            (
                PAGE_MANUAL,
                vec![v("b"), v("b"), n(10)],
                "album_photos_in_order",
            ),
            (
                PAGE_ADDED,
                vec![n(20), v("c"), n(10)],
                "album_photos_by_added",
            ),
        ] {
            let mut args: Vec<rusqlite::types::Value> = vec![v("al"), v("u1"), n(0), n(0), n(0)];
            args.extend(rest);
            let steps = plan(&c, sql, rusqlite::params_from_iter(args))?;
            assert!(steps.iter().any(|s| s.contains(index)), "{steps:?}");
            assert!(
                !steps.iter().any(|s| s.contains("TEMP B-TREE")),
                "{steps:?}"
            );
        }
        Ok(())
    }

    /// Owner-scope args of a page query (`?1`–`?5`), then `rest`.
    fn page_args(rest: Vec<rusqlite::types::Value>) -> Vec<rusqlite::types::Value> {
        let mut args: Vec<rusqlite::types::Value> = vec![
            "al".to_string().into(),
            "u1".to_string().into(),
            1.into(),
            1.into(),
            0.into(),
        ];
        args.extend(rest);
        args
    }

    /// The "date taken" pages read their key from `photos.taken_at`, lean rows and no EXIF:
    /// walked a few rows at a time, they give the order and the cursors the service used to
    /// compute by parsing each whole row's EXIF (`media::Exif`): dated first, oldest first,
    /// undated last, ties by created_at then id. EXIF that is not JSON sorts undated, as
    /// that parse had it (`json_extract` on it failed the whole query).
    #[test]
    fn the_taken_order_pages_over_lean_rows_as_before() -> TestResult {
        let c = db()?;
        user(&c, "u1")?;
        album(&c, "al", "u1", "public")?;
        let dated = |t: &str| Some(format!(r#"{{"make":"Canon","taken_at":"{t}","iso":100}}"#));
        // (id, created_at, exif_json)
        let rows: Vec<(&str, i64, Option<String>)> = vec![
            ("k", 5, dated("2024-05-01T10:00:00")),
            ("b", 9, dated("2023-12-31T23:59:59")),
            ("j", 5, dated("2024-05-01T10:00:00")),
            ("a", 4, dated("2024-05-01T10:00:00")),
            ("u3", 2, None),
            ("u1", 7, Some(r#"{"make":"Canon"}"#.into())),
            ("u2", 2, Some("not json".into())),
            ("n", 1, Some(r#"{"taken_at":null}"#.into())),
            ("c", 3, dated("2025-01-01T00:00:00")),
        ];
        for (i, (id, created, exif)) in rows.iter().enumerate() {
            c.execute(
                "INSERT INTO photos (id, owner_id, title, status, content_type, bytes, created_at, \
                 updated_at, exif_json) VALUES (?1, 'u1', ?1, 'ready', 'image/png', 1, ?2, ?2, ?3)",
                params![id, created, exif],
            )?;
            c.execute(ADD, params!["al", id, format!("{i:02}"), 1])?;
        }
        // Before: each whole row's key parsed from its EXIF, sorted in Rust.
        let mut before: Vec<(String, i64, String)> = c
            .prepare(ENTRIES)?
            .query_map(params![r#"["al"]"#], |r| {
                let exif: Option<String> = r.get("exif_json")?;
                let key = exif
                    .and_then(|j| serde_json::from_str::<media::Exif>(&j).ok())
                    .and_then(|e| e.taken_at)
                    .unwrap_or_else(|| app::ssr::ports::UNDATED.to_string());
                Ok((key, r.get("created_at")?, r.get("id")?))
            })?
            .collect::<Result<_, _>>()?;
        before.sort();
        // Now: lean pages of two, each resuming from the last row's cursor.
        let v = |s: &str| rusqlite::types::Value::from(s.to_string());
        let n = rusqlite::types::Value::from;
        let mut after = (String::new(), 0_i64, String::new());
        let mut now = Vec::new();
        loop {
            let args = page_args(vec![v(&after.0), n(after.1), v(&after.2), n(2)]);
            let page: Vec<(String, i64, String)> = c
                .prepare(PAGE_TAKEN)?
                .query_map(rusqlite::params_from_iter(args), |r| {
                    let key: Option<String> = r.get("taken_at")?;
                    let key = key.unwrap_or_else(|| app::ssr::ports::UNDATED.to_string());
                    Ok((key, r.get("created_at")?, r.get("id")?))
                })?
                .collect::<Result<_, _>>()?;
            let Some(last) = page.last().cloned() else {
                break;
            };
            now.extend(page);
            after = last;
        }
        assert_eq!(now, before);
        let order: Vec<&str> = now.iter().map(|(_, _, id)| id.as_str()).collect();
        assert_eq!(order, ["b", "a", "j", "k", "c", "n", "u2", "u3", "u1"]);
        Ok(())
    }

    /// Puts `n` photos with everyday metadata (`test_db::everyday_photo`) into `album_id`,
    /// in order.
    fn everyday_photos(c: &Connection, album_id: &str, n: usize) -> TestResult {
        for i in 0..n {
            let id = format!("{album_id}{i:04}xxxxxxxxxxxxxxxx");
            everyday_photo(c, &id, "u1", i)?;
            c.execute(ADD, params![album_id, id, format!("{i:02}"), 1])?;
        }
        Ok(())
    }

    /// What an album page reads for 30 photos with everyday metadata: the page's lean rows
    /// against the whole rows it read before (`ENTRIES`' columns bar `taken_at`, the old
    /// page's select).
    #[test]
    fn an_album_page_reads_a_fraction_of_the_bytes() -> TestResult {
        let c = db()?;
        user(&c, "u1")?;
        album(&c, "al", "u1", "public")?;
        everyday_photos(&c, "al", 30)?;
        let v = |s: &str| rusqlite::types::Value::from(s.to_string());
        let lean = bytes_read(
            &c,
            PAGE_MANUAL,
            page_args(vec![v(""), v(""), rusqlite::types::Value::from(31)]),
            &[],
        )?;
        let whole = bytes_read(&c, ENTRIES, vec![v(r#"["al"]"#)], &["taken_at"])?;
        eprintln!("album page of 30: whole rows {whole:?}, lean rows {lean:?} (rows, bytes)");
        assert_eq!((lean.0, whole.0), (30, 30));
        assert!(lean.1 * 4 < whole.1, "{lean:?} vs {whole:?}");
        Ok(())
    }

    /// What a profile's Albums tab reads for 5 albums of 30 photos (each with a chosen
    /// cover): every whole entry of every album before (`ENTRIES`, bar `taken_at`), against
    /// `FRONTS`, a count and at most two lean rows an album.
    #[test]
    fn the_albums_tab_reads_two_rows_an_album() -> TestResult {
        let c = db()?;
        user(&c, "u1")?;
        let albums = ["ala", "alb", "alc", "ald", "ale"];
        for al in albums {
            album(&c, al, "u1", "public")?;
            everyday_photos(&c, al, 30)?;
            c.execute(
                "UPDATE albums SET cover_photo_id = ?2 WHERE id = ?1",
                params![al, format!("{al}0007xxxxxxxxxxxxxxxx")],
            )?;
        }
        let ids = rusqlite::types::Value::from(serde_json::to_string(&albums)?);
        let whole = bytes_read(&c, ENTRIES, vec![ids.clone()], &["taken_at"])?;
        let n = rusqlite::types::Value::from;
        let lean = bytes_read(&c, FRONTS, vec![ids, n(0), n(0), n(0)], &[])?;
        eprintln!(
            "albums tab, 5 albums of 30: whole rows {whole:?}, fronts {lean:?} (rows, bytes)"
        );
        assert_eq!((lean.0, whole.0), (10, 150));
        assert!(lean.1 * 40 < whole.1, "{lean:?} vs {whole:?}");
        Ok(())
    }

    /// `FRONTS` agrees with the album page's own queries, for every album, sort and scope:
    /// its count is `COUNT`'s, its first row is the page's first, and the chosen cover comes
    /// only when the page would list it; albums not asked for, and entries out of scope,
    /// never come.
    #[test]
    fn fronts_agree_with_the_pages_count_and_first_row() -> TestResult {
        let c = db()?;
        user(&c, "u1")?;
        user(&c, "u2")?;
        // (id, owner, status, visibility, taken, created, trashed)
        let photos = [
            ("a", "u1", "ready", "public", Some("2024-05-01"), 7, false),
            ("b", "u1", "ready", "unlisted", None, 2, false),
            ("c", "u1", "pending", "public", Some("2023-01-01"), 3, false),
            ("d", "u1", "ready", "private", Some("2022-01-01"), 4, false),
            ("e", "u2", "ready", "public", Some("2020-01-01"), 1, false),
            ("f", "u1", "ready", "public", None, 6, false),
            ("g", "u1", "ready", "public", Some("2021-01-01"), 5, true),
            ("h", "u1", "failed", "public", None, 8, false),
            ("i", "u1", "ready", "public", Some("2024-05-01"), 1, false),
        ];
        for (id, owner, status, vis, taken, created, trashed) in photos {
            c.execute(
                "INSERT INTO photos (id, owner_id, title, status, content_type, bytes, created_at, \
                 updated_at, visibility, exif_json, trashed_at) VALUES (?1, ?2, ?1, ?3, \
                 'image/png', 1, ?4, ?4, ?5, ?6, ?7)",
                params![
                    id,
                    owner,
                    status,
                    created,
                    vis,
                    taken.map(|t| format!(r#"{{"taken_at":"{t}T00:00:00"}}"#)),
                    trashed.then_some(9)
                ],
            )?;
        }
        // (album, photos with positions in this order, chosen cover: m5's is not in it);
        // added_at differs by photo, with ties.
        let albums = [
            ("m1", "abcdefghi", Some("d")),
            ("m2", "ihgfedcba", Some("a")),
            ("m3", "dcg", Some("c")),
            ("m4", "", None),
            ("m5", "fb", Some("a")),
        ];
        for (al, members, cover) in albums {
            album(&c, al, "u1", "public")?;
            c.execute(
                "UPDATE albums SET cover_photo_id = ?2 WHERE id = ?1",
                params![al, cover],
            )?;
            for (i, p) in members.chars().enumerate() {
                let added = [30, 10, 20, 10][i % 4];
                c.execute(ADD, params![al, p.to_string(), format!("{i:02}"), added])?;
            }
        }
        album(&c, "other", "u2", "public")?;
        c.execute(ADD, params!["other", "e", "00", 1])?;
        let asked = serde_json::to_string(&["m1", "m2", "m3", "m4", "m5"])?;
        let v = |s: &str| rusqlite::types::Value::from(s.to_string());
        let n = rusqlite::types::Value::from;
        for sort in ["manual", "added", "taken"] {
            c.execute("UPDATE albums SET sort = ?1", params![sort])?;
            for scope in [(1, 1, 0), (0, 0, 0), (0, 0, 1), (0, 1, 1)] {
                type Got = (String, i64, i64, bool, String);
                let got: Vec<Got> = c
                    .prepare(FRONTS)?
                    .query_map(params![asked, scope.0, scope.1, scope.2], |r| {
                        Ok((
                            r.get("album_id")?,
                            r.get("n")?,
                            r.get("rn")?,
                            r.get("chosen")?,
                            r.get("id")?,
                        ))
                    })?
                    .collect::<Result<_, _>>()?;
                let mut want: Vec<Got> = Vec::new();
                for (al, _, cover) in albums {
                    let (sql, after) = match sort {
                        "manual" => (PAGE_MANUAL, vec![v(""), v("")]),
                        "added" => (PAGE_ADDED, vec![n(1_i64 << 53), v("")]),
                        _ => (PAGE_TAKEN, vec![v(""), n(0), v("")]),
                    };
                    let mut args = vec![v(al), v("u1"), n(scope.0), n(scope.1), n(scope.2)];
                    args.extend(after);
                    args.push(n(100));
                    let page =
                        super::super::test_db::ids(&c, sql, rusqlite::params_from_iter(args))?;
                    let count: i64 =
                        c.query_row(COUNT, params![al, "u1", scope.0, scope.1, scope.2], |r| {
                            r.get(0)
                        })?;
                    assert_eq!(count as usize, page.len());
                    for (rn, id) in page.iter().enumerate() {
                        let chosen = cover == Some(id.as_str());
                        if rn == 0 || chosen {
                            want.push((al.into(), count, rn as i64 + 1, chosen, id.clone()));
                        }
                    }
                }
                assert_eq!(got, want, "{sort} {scope:?}");
            }
        }
        let steps = plan(&c, FRONTS, params![asked, 0, 0, 0])?;
        assert!(
            !steps
                .iter()
                .any(|s| s.contains("SCAN album_photos") || s.contains("SCAN photos")),
            "{steps:?}"
        );
        Ok(())
    }

    #[test]
    fn albums_keep_their_photos_in_position_order() -> TestResult {
        let c = db()?;
        user(&c, "u1")?;
        for p in ["a", "b", "c"] {
            photo(&c, p, "u1")?;
        }
        album(&c, "al", "u1", "public")?;
        for (p, pos) in [("a", "V"), ("b", "k"), ("c", "F")] {
            assert_eq!(c.execute(ADD, params!["al", p, pos, 5])?, 1);
        }
        assert_eq!(
            c.execute(ADD, params!["al", "a", "0V", 6])?,
            0,
            "already in: stays put"
        );
        let got = order(&c, "al")?;
        assert_eq!(
            got,
            [
                ("c".into(), "F".into()),
                ("a".into(), "V".into()),
                ("b".into(), "k".into())
            ]
        );
        assert_eq!(c.execute(SET_POSITION, params!["al", "b", "1"])?, 1);
        assert_eq!(c.execute(SET_POSITION, params!["al", "zz", "1"])?, 0);
        assert_eq!(order(&c, "al")?[0].0, "b");
        let steps = plan(&c, ENTRIES, params![r#"["al"]"#])?;
        assert!(
            !steps.iter().any(|s| s.contains("SCAN album_photos")),
            "{steps:?}"
        );
        // The columns `Entry` reads: its own four, then every photo column.
        let names = c.prepare(ENTRIES)?.column_names().join(",");
        assert!(
            names.starts_with("album_id,position,added_at,taken_at,id,owner_id"),
            "{names}"
        );
        assert_eq!(c.prepare(ENTRY)?.column_names().join(","), names);
        // One entry by its key: a share link's media check reads just that.
        assert_eq!(ids(&c, ENTRY, params!["al", "b"])?, ["b"]);
        assert_eq!(ids(&c, ENTRY, params!["al", "zz"])?, Vec::<String>::new());
        assert_eq!(ids(&c, ENTRY, params!["other", "b"])?, Vec::<String>::new());
        let steps = plan(&c, ENTRY, params!["al", "b"])?;
        assert!(!steps.iter().any(|s| s.starts_with("SCAN")), "{steps:?}");
        Ok(())
    }

    #[test]
    fn deleting_an_album_keeps_its_photos_and_deleting_a_photo_leaves_every_album() -> TestResult {
        let c = db()?;
        user(&c, "u1")?;
        photo(&c, "a", "u1")?;
        photo(&c, "b", "u1")?;
        album(&c, "x", "u1", "public")?;
        album(&c, "y", "u1", "private")?;
        for al in ["x", "y"] {
            c.execute(ADD, params![al, "a", "V", 1])?;
            c.execute(ADD, params![al, "b", "k", 1])?;
        }
        c.execute("UPDATE albums SET cover_photo_id = 'a' WHERE id = 'y'", [])?;
        c.execute("DELETE FROM photos WHERE id = 'a'", [])?;
        let of_b: Vec<String> = c
            .prepare(ALBUMS_OF)?
            .query_map(params!["b"], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        assert_eq!(of_b.len(), 2);
        assert_eq!(order(&c, "y")?.len(), 1, "a deleted photo left the album");
        let cover: Option<String> = c.query_row(
            "SELECT cover_photo_id FROM albums WHERE id = 'y'",
            [],
            |r| r.get(0),
        )?;
        assert_eq!(cover, None, "and is nobody's cover");
        assert_eq!(c.execute(DELETE, params!["x"])?, 1);
        let left: i64 = c.query_row("SELECT COUNT(*) FROM photos", [], |r| r.get(0))?;
        assert_eq!(left, 1, "photos stay");
        assert_eq!(c.execute(REMOVE, params!["y", r#"["b","nope"]"#])?, 1);
        assert!(
            c.execute(ADD, params!["y", "nope", "V", 1]).is_err(),
            "photos must exist"
        );
        Ok(())
    }

    #[test]
    fn by_owner_lists_newest_first_public_only_for_others() -> TestResult {
        let c = db()?;
        user(&c, "u1")?;
        for (id, vis, t) in [
            ("a", "public", 1),
            ("b", "private", 2),
            ("c", "unlisted", 3),
        ] {
            c.execute(
                INSERT,
                params![id, "u1", "T", "", vis, None::<String>, "taken", t, t],
            )?;
        }
        let read = |all: i64| -> rusqlite::Result<Vec<String>> {
            c.prepare(BY_OWNER)?
                .query_map(params!["u1", all], |r| r.get("id"))?
                .collect()
        };
        assert_eq!(read(1)?, ["c", "b", "a"]);
        assert_eq!(read(0)?, ["a"]);
        assert_eq!(
            c.execute(
                UPDATE,
                params!["a", "New", "d", "private", None::<String>, "added", 9]
            )?,
            1
        );
        assert_eq!(
            c.execute(
                UPDATE,
                params!["zz", "New", "d", "private", None::<String>, "added", 9]
            )?,
            0
        );
        assert!(
            c.execute(
                INSERT,
                params!["e", "u1", "T", "", "secret", None::<String>, "manual", 1, 1]
            )
            .is_err(),
            "visibility is checked"
        );
        Ok(())
    }
}
