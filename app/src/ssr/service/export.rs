//! A person's export: one zip of every original of theirs (the trash aside) and
//! `photos.json` with what Lumen knows of each (title, caption, alt text, tags, albums,
//! visibility, dates). The JSON is written to R2 first and recorded with a day to live (the
//! cron removes it then); the zip is streamed from R2, planned to the byte, as an album's is.

use std::collections::HashMap;

use serde::Serialize;

use crate::error::LumenError;
use crate::ssr::auth::Session;
use crate::ssr::keys;
use crate::ssr::ports::{Key, PhotoRow, UserRow};
use crate::ssr::service::albums::{self, Download};
use crate::ssr::zip::{ZipEntry, ZipPlan};
use crate::ssr::Platform;

/// How long an export's `photos.json` is kept.
pub const KEEP_MS: i64 = 24 * 60 * 60 * 1000;
/// The JSON's own name in the zip; photos never take it (their names end in an image type).
pub const JSON_NAME: &str = "photos.json";
/// Rows read per page while gathering the photos.
const PAGE: u32 = 100;

#[derive(Debug, Serialize, PartialEq)]
pub struct ExportFile {
    /// Bumped when the shape changes.
    pub format: &'static str,
    pub username: String,
    pub exported_at: String,
    pub photos: Vec<ExportPhoto>,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct ExportPhoto {
    pub id: String,
    /// The original's name in the zip.
    pub file: String,
    pub title: String,
    pub caption: String,
    pub alt: String,
    pub tags: Vec<String>,
    /// Titles of the albums it is in.
    pub albums: Vec<String>,
    pub visibility: &'static str,
    pub uploaded_at: String,
    /// As the camera recorded it (no time zone), when it did.
    pub taken_at: Option<String>,
    pub content_type: String,
    pub bytes: u64,
    pub sha256: Option<String>,
}

fn iso(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
}

/// Every live photo of the person's, oldest first.
pub(crate) async fn all_photos(p: &Platform, user_id: &str) -> Result<Vec<PhotoRow>, LumenError> {
    let mut out: Vec<PhotoRow> = Vec::new();
    let mut before: Option<Key> = None;
    loop {
        let rows = p
            .photos
            .by_owner(user_id, true, before.as_ref(), PAGE)
            .await?;
        let done = rows.len() < PAGE as usize;
        before = rows.last().map(|r| (r.created_at, r.id.clone()));
        out.extend(rows);
        if done {
            break;
        }
    }
    out.reverse();
    Ok(out)
}

/// What `photos.json` says, for `rows` named `names` in the zip.
pub async fn describe(
    p: &Platform,
    user: &UserRow,
    rows: &[PhotoRow],
    names: &[String],
) -> Result<ExportFile, LumenError> {
    let albums = p.albums.by_owner(&user.id, true).await?;
    let titles: HashMap<&str, &str> = albums
        .iter()
        .map(|a| (a.id.as_str(), a.title.as_str()))
        .collect();
    let album_ids: Vec<String> = albums.iter().map(|a| a.id.clone()).collect();
    let mut in_albums: HashMap<String, Vec<String>> = HashMap::new();
    for e in p.album_photos.entries(&album_ids).await? {
        if let Some(t) = titles.get(e.album_id.as_str()) {
            in_albums
                .entry(e.photo.id.clone())
                .or_default()
                .push(t.to_string());
        }
    }
    let mut photos = Vec::with_capacity(rows.len());
    for (r, file) in rows.iter().zip(names) {
        let taken_at = r
            .exif_json
            .as_deref()
            .and_then(|j| serde_json::from_str::<media::Exif>(j).ok())
            .and_then(|e| e.taken_at);
        photos.push(ExportPhoto {
            id: r.id.clone(),
            file: file.clone(),
            title: r.title.clone(),
            caption: r.caption.clone(),
            alt: r.alt.clone(),
            tags: p.tags.of_photo(&r.id).await?,
            albums: in_albums.remove(&r.id).unwrap_or_default(),
            visibility: r.visibility.as_str(),
            uploaded_at: iso(r.created_at),
            taken_at,
            content_type: r.content_type.clone(),
            bytes: r.bytes,
            sha256: r.sha256.clone(),
        });
    }
    Ok(ExportFile {
        format: "lumen-export-v1",
        username: user.username.clone(),
        exported_at: iso(p.clock.now_ms()),
        photos,
    })
}

/// The signed-in person's export: writes `photos.json`, records it for the cron, and
/// plans the zip. Refused with a clear reason past `max_photos` (one request reads each
/// original once; building large exports in the queue is not done yet).
pub async fn export(p: &Platform, s: &Session, max_photos: usize) -> Result<Download, LumenError> {
    let rows = all_photos(p, &s.user.id).await?;
    if rows.len() > max_photos {
        // Large exports are built by the queue instead (`service::prepared`).
        return Err(LumenError::Quota {
            reason: format!(
                "You have {} photos; one export holds at most {max_photos} for now. Download \
                 albums one by one meanwhile.",
                rows.len()
            ),
            retry_after_secs: None,
        });
    }
    let now = p.clock.now_ms();
    let d = write_json_and_plan(p, &s.user, &rows, now).await?;
    p.trash
        .save_export(&s.user.id, &d.keys[0], now, now + KEEP_MS)
        .await?;
    Ok(d)
}

/// Writes the person's `photos.json` to R2 and plans the zip of it and `rows`' originals
/// (the JSON's key first in `keys`).
pub(crate) async fn write_json_and_plan(
    p: &Platform,
    user: &UserRow,
    rows: &[PhotoRow],
    now: i64,
) -> Result<Download, LumenError> {
    let names = albums::names_in_zip(rows);
    let json = serde_json::to_vec_pretty(&describe(p, user, rows, &names).await?)
        .map_err(|e| plan_error_text(&e.to_string()))?;
    let key = keys::export_json(&user.id);
    let size = json.len() as u64;
    p.blobs.put(&key, json, "application/json").await?;
    let mut entries = vec![ZipEntry {
        name: JSON_NAME.to_string(),
        size,
        modified_ms: now,
    }];
    entries.extend(rows.iter().zip(&names).map(|(r, name)| ZipEntry {
        name: name.clone(),
        size: r.bytes,
        modified_ms: r.created_at,
    }));
    let mut sources = vec![key];
    sources.extend(rows.iter().map(|r| keys::original(&r.owner_id, &r.id)));
    Ok(Download {
        file_name: format!("lumen-{}.zip", user.username),
        plan: ZipPlan::new(entries).map_err(|e| albums::plan_failed("an export", e))?,
        keys: sources,
    })
}

fn plan_error_text(cause: &str) -> LumenError {
    let ref_id = crate::error::short_ref(cause);
    leptos::logging::error!("export ref={ref_id}: {cause}");
    LumenError::Internal { ref_id }
}

/// The cron's part: exports past their day, object first, then the record. Returns how many.
pub async fn sweep(p: &Platform, now_ms: i64) -> Result<u32, LumenError> {
    let mut n = 0;
    for (user_id, key) in p.trash.expired_exports(now_ms, 50).await? {
        p.blobs.delete(&key).await?;
        // Either kind may have left the other's object (one row per person).
        p.blobs.delete(&keys::export_json(&user_id)).await?;
        p.blobs.delete(&keys::export_zip(&user_id)).await?;
        p.trash.forget_export(&user_id).await?;
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AlbumSort, PhotoStatus, Visibility};
    use crate::ssr::fakes::{block_on, fake_platform, pending_row, session};
    use crate::ssr::ports::AlbumRow;

    #[test]
    fn the_json_says_everything_about_each_live_photo_and_the_zip_holds_every_original() {
        let (p, mem) = fake_platform();
        let ada = session(&p, "u1", "ada");
        for (id, title, at) in [
            ("a", "Sea <b>", 1),
            ("b", "Sea <b>", 2),
            ("t", "trashed", 3),
        ] {
            let mut row = pending_row(id, at);
            row.title = title.into();
            row.status = PhotoStatus::Ready;
            row.caption = "line\nnext".into();
            row.alt = "waves".into();
            row.bytes = 3;
            row.exif_json = Some(r#"{"taken_at":"2024-06-01T10:00:00"}"#.into());
            mem.insert(row);
            mem.put_blob(&keys::original("u1", id), vec![1, 2, 3]);
        }
        if let Some(mut r) = mem.photo("t") {
            r.trashed_at = Some(9);
            mem.insert(r);
        }
        let mut bobs = pending_row("z", 4);
        bobs.owner_id = "u2".into();
        mem.insert(bobs);
        block_on(p.tags.add("a", &["sea".into(), "blue".into()], 20)).unwrap();
        block_on(p.albums.insert(&AlbumRow {
            id: "al".into(),
            owner_id: "u1".into(),
            title: "Holiday".into(),
            description: String::new(),
            visibility: Visibility::Private,
            cover_photo_id: None,
            sort: AlbumSort::Manual,
            created_at: 1,
            updated_at: 1,
            owner_suspended: false,
        }))
        .unwrap();
        block_on(p.album_photos.add("al", &[("b".into(), "m".into())], 5)).unwrap();

        let d = block_on(export(&p, &ada, 40)).unwrap();
        assert_eq!(d.file_name, "lumen-ada.zip");
        assert_eq!(
            d.keys,
            [
                keys::export_json("u1"),
                keys::original("u1", "a"),
                keys::original("u1", "b")
            ],
            "the JSON, then every live original, oldest first; never the trash or others'"
        );
        let json: serde_json::Value =
            serde_json::from_slice(&mem.blobs.get(&keys::export_json("u1")).unwrap()).unwrap();
        assert_eq!(json["format"], "lumen-export-v1");
        assert_eq!(json["username"], "ada");
        let photos = json["photos"].as_array().unwrap();
        assert_eq!(photos.len(), 2);
        assert_eq!(photos[0]["file"], "Sea _b_.png");
        assert_eq!(photos[1]["file"], "Sea _b_ (2).png", "names never collide");
        assert_eq!(photos[0]["title"], "Sea <b>");
        assert_eq!(photos[0]["caption"], "line\nnext");
        assert_eq!(photos[0]["alt"], "waves");
        assert_eq!(photos[0]["tags"], serde_json::json!(["blue", "sea"]));
        assert_eq!(photos[0]["albums"], serde_json::json!([]));
        assert_eq!(photos[1]["albums"], serde_json::json!(["Holiday"]));
        assert_eq!(photos[0]["visibility"], "public");
        assert_eq!(photos[0]["uploaded_at"], "1970-01-01T00:00:00.001Z");
        assert_eq!(photos[0]["taken_at"], "2024-06-01T10:00:00");
        // Kept for a day, then the sweep removes it.
        let (key, expires) = mem.deletions.export_of("u1").unwrap();
        let now = p.clock.now_ms();
        assert_eq!(expires, now + KEEP_MS);
        assert_eq!(block_on(sweep(&p, expires)), Ok(0));
        assert_eq!(block_on(sweep(&p, expires + 1)), Ok(1));
        assert!(!mem.blobs.contains(&key));
        assert_eq!(mem.deletions.export_of("u1"), None);
        // Past the cap: a clear refusal.
        let refused = block_on(export(&p, &ada, 1)).map(|d| d.keys);
        assert_eq!(refused.map_err(|e| e.status()), Err(413));
    }
}
