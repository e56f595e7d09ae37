//! Serving stored variants: the URL names the photo, so access is decided per photo.

use crate::error::LumenError;
use crate::model::PhotoStatus;
use crate::ssr::keys;
use crate::ssr::ports::Blob;
use crate::ssr::Platform;

/// The variant at `path`, or `NotFound` for anything else, including photos that are
/// not ready or a revision that is no longer current.
pub async fn variant(p: &Platform, path: &str) -> Result<Blob, LumenError> {
    let (photo_id, key) = keys::variant_from_path(path).ok_or(LumenError::NotFound)?;
    let row = p.photos.get(&photo_id).await?.ok_or(LumenError::NotFound)?;
    let current = row.status == PhotoStatus::Ready
        && row
            .rev
            .as_deref()
            .is_some_and(|rev| key.starts_with(&format!("var/{photo_id}/{rev}/")));
    if !current {
        return Err(LumenError::NotFound);
    }
    p.blobs.get(&key).await?.ok_or(LumenError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssr::fakes::{block_on, fake_platform, pending_row};

    #[test]
    fn serves_only_current_variants_of_ready_photos() {
        let (p, mem) = fake_platform();
        let mut row = pending_row("p1", 1);
        mem.insert(row.clone());
        let key = keys::variant("p1", "r1", 320, "jpg");
        mem.put_blob(&key, vec![1, 2, 3]);
        let url = keys::variant_url(&key);
        assert_eq!(
            block_on(variant(&p, &url)),
            Err(LumenError::NotFound),
            "pending"
        );
        row.status = PhotoStatus::Ready;
        row.rev = Some("r1".into());
        mem.insert(row.clone());
        assert_eq!(
            block_on(variant(&p, &url)).map(|b| b.bytes),
            Ok(vec![1, 2, 3])
        );
        row.rev = Some("r2".into());
        mem.insert(row);
        assert_eq!(
            block_on(variant(&p, &url)),
            Err(LumenError::NotFound),
            "stale rev"
        );
        assert_eq!(
            block_on(variant(&p, "/media/nope")),
            Err(LumenError::NotFound)
        );
    }
}
