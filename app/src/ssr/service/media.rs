//! Serving stored variants and originals: the URL names the photo, so access is decided
//! per photo, by the same check the pages use.

use crate::error::LumenError;
use crate::model::{PhotoStatus, Visibility};
use crate::ssr::access::{self, Action};
use crate::ssr::auth::Session;
use crate::ssr::keys;
use crate::ssr::ports::{Blob, BlobReader, PhotoRow};
use crate::ssr::service::photos::visible;
use crate::ssr::Platform;

/// Bytes to send, and whether shared caches may keep them: only when anyone at all may
/// get these bytes, whoever asks (`crate::http::cache`).
pub struct Media {
    pub blob: Blob,
    pub shared: bool,
}

/// The variant at `path`, or `NotFound` for anything else, including photos the viewer
/// may not see, photos that are not ready, and revisions that are no longer current.
pub async fn variant(
    p: &Platform,
    viewer: Option<&Session>,
    path: &str,
) -> Result<Media, LumenError> {
    let (photo_id, key) = keys::variant_from_path(path).ok_or(LumenError::NotFound)?;
    let row = visible(p, viewer, &photo_id, Action::View).await?;
    Ok(Media {
        blob: current_variant(p, &row, &key).await?,
        shared: row.visibility == Visibility::Public,
    })
}

/// The bytes at `key` if it is a variant of `row`'s current revision and the photo is
/// ready; `NotFound` for anything else (a stale revision, another photo's key).
pub async fn current_variant(p: &Platform, row: &PhotoRow, key: &str) -> Result<Blob, LumenError> {
    let current = row.status == PhotoStatus::Ready
        && row
            .rev
            .as_deref()
            .is_some_and(|rev| key.starts_with(&format!("var/{}/{rev}/", row.id)));
    if !current {
        return Err(LumenError::NotFound);
    }
    p.blobs.get(key).await?.ok_or(LumenError::NotFound)
}

/// The untouched upload, for the owner (or anyone, if the owner allows it), with a file
/// name for the download.
pub async fn original(
    p: &Platform,
    viewer: Option<&Session>,
    photo_id: &str,
) -> Result<(Media, String), LumenError> {
    let row = visible(p, viewer, photo_id, Action::DownloadOriginal).await?;
    whole(p, &row).await
}

async fn whole(p: &Platform, row: &PhotoRow) -> Result<(Media, String), LumenError> {
    let (blob, filename) = original_blob(p, row).await?;
    // What the owner may download is not what strangers may: shared only when the
    // photo is public and the owner lets anyone have it (as variants: never unlisted).
    let media = Media {
        blob,
        shared: row.visibility == Visibility::Public
            && access::allows(None, row, Action::DownloadOriginal),
    };
    Ok((media, filename))
}

/// An original as a permitted download sends it: whole when it fits the isolate
/// comfortably, else opened for streaming (a resumable upload's original may be 256 MiB;
/// read whole it would pass the isolate's 128 MB).
pub enum Download {
    Whole(Media, String),
    Streamed {
        reader: Box<dyn BlobReader>,
        content_type: String,
        filename: String,
    },
}

/// Originals larger than this are streamed, never read whole.
pub const STREAM_ABOVE: u64 = crate::ssr::service::upload::MAX_FILE_BYTES;

pub async fn original_download(
    p: &Platform,
    viewer: Option<&Session>,
    photo_id: &str,
) -> Result<Download, LumenError> {
    let row = visible(p, viewer, photo_id, Action::DownloadOriginal).await?;
    download(p, &row).await
}

/// The original of a photo the caller was allowed to download (the owner's route and a
/// share link's both end here): whole when small, else streamed.
pub async fn download(p: &Platform, row: &PhotoRow) -> Result<Download, LumenError> {
    if row.bytes <= STREAM_ABOVE {
        return whole(p, row)
            .await
            .map(|(m, name)| Download::Whole(m, name));
    }
    let reader = p
        .blobs
        .open(&keys::original(&row.owner_id, &row.id))
        .await?
        .ok_or(LumenError::NotFound)?;
    Ok(Download::Streamed {
        reader,
        content_type: row.content_type.clone(),
        filename: download_name(row),
    })
}

/// A photo's original with its content type, and a file name for the download made of
/// the title's ASCII letters and digits only (safe in a header, on any file system).
pub async fn original_blob(p: &Platform, row: &PhotoRow) -> Result<(Blob, String), LumenError> {
    let blob = p
        .blobs
        .get(&keys::original(&row.owner_id, &row.id))
        .await?
        .ok_or(LumenError::NotFound)?;
    let blob = Blob {
        content_type: row.content_type.clone(),
        ..blob
    };
    Ok((blob, download_name(row)))
}

/// The download's file name: the title's ASCII letters and digits only (safe in a header,
/// on any file system), and the type's extension.
fn download_name(row: &PhotoRow) -> String {
    let ext = match row.content_type.as_str() {
        "image/png" => "png",
        "image/webp" => "webp",
        "image/gif" => "gif",
        _ => "jpg",
    };
    let stem: String = row
        .title
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .take(60)
        .collect();
    format!("{stem}.{ext}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssr::fakes::{block_on, fake_platform, pending_row};

    fn variant(p: &Platform, path: &str) -> Result<Vec<u8>, LumenError> {
        block_on(super::variant(p, None, path)).map(|m| m.blob.bytes)
    }

    /// Ada (`u1`) signed in: her session.
    fn ada(p: &Platform) -> Option<Session> {
        let head = crate::ssr::fakes::signed_in(p, "u1", "ada");
        block_on(crate::ssr::auth::session_from_cookie(
            p,
            head.cookie.as_deref(),
            None,
        ))
        .unwrap()
    }

    /// Shared caches may keep an original only when anyone at all may download it: the
    /// owner's own download of a photo whose downloads are off is theirs alone.
    #[test]
    fn originals_are_shared_only_when_anyone_may_have_them() {
        let (p, mem) = fake_platform();
        let owner = ada(&p);
        mem.put_blob(&keys::original("u1", "p1"), vec![1]);
        let shared = |visibility, allow_original| {
            let mut row = pending_row("p1", 1);
            row.visibility = visibility;
            row.allow_original = allow_original;
            mem.insert(row);
            block_on(original(&p, owner.as_ref(), "p1")).map(|(m, _)| m.shared)
        };
        assert_eq!(shared(Visibility::Public, false), Ok(false));
        assert_eq!(shared(Visibility::Public, true), Ok(true));
        assert_eq!(shared(Visibility::Unlisted, true), Ok(false));
        assert_eq!(shared(Visibility::Private, true), Ok(false));
    }

    /// A resumable upload's large original streams; a small one is sent whole; someone
    /// who may not download it gets what a made-up id gets either way.
    #[test]
    fn large_originals_stream_small_ones_are_whole() {
        let (p, mem) = fake_platform();
        let owner = ada(&p);
        let mut row = pending_row("p1", 1);
        row.visibility = Visibility::Private;
        row.bytes = STREAM_ABOVE + 1;
        mem.insert(row.clone());
        mem.put_blob(&keys::original("u1", "p1"), vec![7; 3000]);
        match block_on(original_download(&p, owner.as_ref(), "p1")) {
            Ok(Download::Streamed {
                mut reader,
                filename,
                ..
            }) => {
                assert_eq!((reader.size(), filename.as_str()), (3000, "p1.png"));
                let mut got = Vec::new();
                while let Some(c) = block_on(reader.chunk()).unwrap() {
                    got.extend(c);
                }
                assert_eq!(got, vec![7; 3000]);
            }
            _ => panic!("not streamed"),
        }
        assert!(matches!(
            block_on(original_download(&p, None, "p1")),
            Err(LumenError::NotFound)
        ));
        row.bytes = STREAM_ABOVE;
        mem.insert(row);
        assert!(matches!(
            block_on(original_download(&p, owner.as_ref(), "p1")),
            Ok(Download::Whole(..))
        ));
    }

    #[test]
    fn serves_only_current_variants_of_ready_photos() {
        let (p, mem) = fake_platform();
        let mut row = pending_row("p1", 1);
        mem.insert(row.clone());
        let key = keys::variant("p1", "r1", 320, "jpg");
        mem.put_blob(&key, vec![1, 2, 3]);
        let url = keys::variant_url(&key);
        assert_eq!(variant(&p, &url), Err(LumenError::NotFound), "pending");
        row.status = PhotoStatus::Ready;
        row.rev = Some("r1".into());
        mem.insert(row.clone());
        assert_eq!(variant(&p, &url), Ok(vec![1, 2, 3]));
        row.visibility = Visibility::Private;
        mem.insert(row.clone());
        assert_eq!(variant(&p, &url), Err(LumenError::NotFound), "private");
        row.visibility = Visibility::Public;
        row.rev = Some("r2".into());
        mem.insert(row);
        assert_eq!(variant(&p, &url), Err(LumenError::NotFound), "stale rev");
        assert_eq!(variant(&p, "/media/nope"), Err(LumenError::NotFound));
    }
}
