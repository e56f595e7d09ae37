//! Every R2 key and media URL is built here and nowhere else. Keys are deterministic,
//! so a job that reruns overwrites instead of duplicating.

pub fn original(owner_id: &str, photo_id: &str) -> String {
    format!("orig/{owner_id}/{photo_id}")
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
    fn originals_are_per_owner() {
        assert_eq!(original("u1", "p1"), "orig/u1/p1");
    }
}
