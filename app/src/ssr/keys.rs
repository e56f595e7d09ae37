//! Every R2 key and media URL is built here and nowhere else. Keys are deterministic,
//! so a job that reruns overwrites instead of duplicating.

pub fn original(owner_id: &str, photo_id: &str) -> String {
    format!("{ORIGINALS}{owner_id}/{photo_id}")
}

/// The prefixes under which originals and variants are stored (repair lists them).
pub const ORIGINALS: &str = "orig/";
pub const VARIANTS: &str = "var/";

/// Where a key under [`ORIGINALS`] sorts among photo rows: `(owner, rest)`; any such key
/// has a place, even one no upload would write (an orphan then).
pub fn original_place(key: &str) -> Option<(String, String)> {
    let rest = key.strip_prefix(ORIGINALS)?;
    let (owner, photo) = rest.split_once('/').unwrap_or((rest, ""));
    Some((owner.to_string(), photo.to_string()))
}

/// The photo a key under [`VARIANTS`] belongs to.
pub fn variant_photo(key: &str) -> Option<&str> {
    key.strip_prefix(VARIANTS)?.split('/').next()
}

/// A person's export's `photos.json` (one per person: a new export replaces it).
pub fn export_json(user_id: &str) -> String {
    format!("export/{user_id}/photos.json")
}

/// A person's prepared export zip (one per person: a new one replaces it).
pub fn export_zip(user_id: &str) -> String {
    format!("export/{user_id}/lumen.zip")
}

/// Where its owner downloads the prepared zip.
pub fn export_url(user_id: &str) -> String {
    format!("/exports/{user_id}")
}

/// A photo's page.
pub fn photo_url(photo_id: &str) -> String {
    format!("/p/{photo_id}")
}

/// Where the original is downloaded (the route checks who may).
pub fn original_url(photo_id: &str) -> String {
    format!("/original/{photo_id}")
}

/// `rev` changes whenever the rendered bytes would (new original or new pipeline).
pub fn variant(photo_id: &str, rev: &str, width: u32, ext: &str) -> String {
    format!("var/{photo_id}/{rev}/{width}.{ext}")
}

/// The public URL of a variant; the media route maps it back with [`variant_from_path`].
pub fn variant_url(r2_key: &str) -> String {
    format!("/media/{}", r2_key.trim_start_matches("var/"))
}

/// Parses `/media/{photo_id}/{rev}/{width}.{ext}` into its photo id and R2 key,
/// refusing anything that is not exactly that shape.
pub fn variant_from_path(path: &str) -> Option<(String, String)> {
    let rest = path.strip_prefix("/media/")?;
    let mut parts = rest.split('/');
    let (photo_id, rev, file) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || !is_token(photo_id) || !is_token(rev) {
        return None;
    }
    let (width, ext) = file.split_once('.')?;
    if width.is_empty() || !width.bytes().all(|b| b.is_ascii_digit()) || width.len() > 5 {
        return None;
    }
    if !matches!(ext, "jpg" | "png" | "webp") {
        return None;
    }
    Some((photo_id.to_string(), format!("var/{rest}")))
}

/// A share link's page.
pub fn link_url(token: &str) -> String {
    format!("/s/{token}")
}

/// A variant as a share link shows it: under the link's own path, so the link's rules
/// decide (and its unlock cookie, scoped to that path, travels with it), and revoking,
/// resetting or expiring the link ends every such URL at once.
pub fn link_variant_url(token: &str, r2_key: &str) -> String {
    format!("/s/{token}{}", variant_url(r2_key))
}

/// A photo of a shared album, opened through the album's link.
pub fn link_photo_url(token: &str, photo_id: &str) -> String {
    format!("/s/{token}/p/{photo_id}")
}

/// The zip of a shared album's originals, when its link allows downloads.
pub fn link_download_url(token: &str) -> String {
    format!("/s/{token}/download")
}

/// The original through a share link that allows downloads.
pub fn link_original_url(token: &str, photo_id: &str) -> String {
    format!("/s/{token}{}", original_url(photo_id))
}

/// Parses `/s/{token}/media/{photo_id}/{rev}/{width}.{ext}` into the token, the photo id
/// and the R2 key, refusing anything that is not exactly that shape.
pub fn link_variant_from_path(path: &str) -> Option<(String, String, String)> {
    let rest = path.strip_prefix("/s/")?;
    let (token, media) = rest.split_at(rest.find('/')?);
    if !is_token(token) {
        return None;
    }
    let (photo_id, key) = variant_from_path(media)?;
    Some((token.to_string(), photo_id, key))
}

/// `origin` (`https://host`) and a path: the absolute URL link previews need.
pub fn absolute(origin: &str, path: &str) -> String {
    format!("{origin}{path}")
}

fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variant_keys_round_trip_through_urls() {
        let key = variant("abc", "r1", 640, "jpg");
        assert_eq!(key, "var/abc/r1/640.jpg");
        let url = variant_url(&key);
        assert_eq!(url, "/media/abc/r1/640.jpg");
        assert_eq!(variant_from_path(&url), Some(("abc".into(), key)));
    }

    #[test]
    fn rejects_other_shapes() {
        for p in [
            "/media/abc/r1/640.exe",
            "/media/abc/640.jpg",
            "/media/../orig/x/640.jpg",
            "/media/abc/r1/x.jpg",
            "/media/abc/r1/640.jpg/more",
            "/media/a%2Fb/r1/640.jpg",
            "/media//r1/640.jpg",
        ] {
            assert_eq!(variant_from_path(p), None, "{p}");
        }
    }

    #[test]
    fn link_media_urls_round_trip_and_carry_their_token() {
        let key = variant("abc", "r1", 640, "jpg");
        let url = link_variant_url("tok", &key);
        assert_eq!(url, "/s/tok/media/abc/r1/640.jpg");
        assert_eq!(
            link_variant_from_path(&url),
            Some(("tok".into(), "abc".into(), key))
        );
        assert_eq!(link_original_url("tok", "abc"), "/s/tok/original/abc");
        assert_eq!(link_url("tok"), "/s/tok");
        for p in [
            "/s/tok/media/abc/r1/640.exe",
            "/s//media/abc/r1/640.jpg",
            "/s/t.k/media/abc/r1/640.jpg",
            "/s/tok/other/abc/r1/640.jpg",
            "/s/tok",
            "/media/abc/r1/640.jpg",
        ] {
            assert_eq!(link_variant_from_path(p), None, "{p}");
        }
        assert_eq!(absolute("https://x.test", "/s/t"), "https://x.test/s/t");
    }

    #[test]
    fn originals_are_per_owner() {
        assert_eq!(original("u1", "p1"), "orig/u1/p1");
        assert_eq!(
            original_place(&original("u1", "p1")),
            Some(("u1".into(), "p1".into()))
        );
        assert_eq!(original_place("orig/odd"), Some(("odd".into(), "".into())));
        assert_eq!(original_place("var/p1/r/1.jpg"), None);
        assert_eq!(variant_photo(&variant("p1", "r", 64, "jpg")), Some("p1"));
    }
}
