//! The blurred preview every card and photo paints before its pixels arrive: the stored
//! ThumbHash (hex, in D1) rendered on the server as a tiny PNG data URL, so it costs no
//! request of its own.

use super::auth::unhex;

/// `data:image/png;base64,…` for a stored hex ThumbHash; `None` when there is none or it
/// is damaged (the card then shows its average colour only).
/// Remembered per isolate: a feed page holds 30 and the same photos come back page after
/// page, and each costs a ThumbHash decode and a PNG (about 40 µs natively) where a lookup
/// costs nothing.
pub fn data_url(thumbhash_hex: Option<&str>) -> Option<String> {
    let hex = thumbhash_hex?.trim();
    MADE.with_borrow_mut(|made| {
        if let Some(url) = made.get(hex) {
            return url.clone();
        }
        let url = unhex(hex)
            .and_then(|hash| media::placeholder_png(&hash))
            .map(|png| format!("data:image/png;base64,{}", base64(&png)));
        // Bounded: about 0.7 KB each, so at most a few MB of the isolate's 128.
        if made.len() >= REMEMBERED {
            made.clear();
        }
        made.insert(hex.to_string(), url.clone());
        url
    })
}

const REMEMBERED: usize = 4096;

thread_local! {
    static MADE: std::cell::RefCell<std::collections::HashMap<String, Option<String>>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// Standard base64 with padding (RFC 4648), for data URLs and CSP hashes (`lean`).
pub(crate) fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ABC[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::photo_card::PhotoGrid;
    use crate::model::{ImageSrc, PhotoCard, PhotoStatus, Visibility};
    use leptos::prelude::*;

    /// A ThumbHash of a 4:3 landscape with some colour in it, as the pipeline stores it.
    fn stored_hash() -> String {
        let (w, h) = (100usize, 75usize);
        let rgba: Vec<u8> = (0..w * h)
            .flat_map(|i| [(i % w * 2) as u8, (i / w * 3) as u8, 90, 255])
            .collect();
        super::super::auth::hex(&thumbhash::rgba_to_thumb_hash(w, h, &rgba))
    }

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (raw, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(raw.as_bytes()), enc);
        }
    }

    #[test]
    fn missing_or_damaged_hashes_give_no_preview() {
        // Twice: the remembered answer is the same as the first.
        for _ in 0..2 {
            assert_eq!(data_url(None), None);
            assert_eq!(data_url(Some("")), None);
            assert_eq!(data_url(Some("zz")), None);
            assert_eq!(data_url(Some("0102")), None);
        }
    }

    #[test]
    fn a_remembered_preview_is_the_one_made() {
        let hash = stored_hash();
        let made = data_url(Some(&hash));
        assert!(made.is_some());
        assert_eq!(data_url(Some(&hash)), made);
        assert_eq!(data_url(Some(&format!(" {hash} "))), made);
    }

    fn card(blur: Option<String>) -> PhotoCard {
        PhotoCard {
            id: "p1".into(),
            title: "Dunes".into(),
            alt: String::new(),
            visibility: Visibility::Public,
            status: PhotoStatus::Ready,
            thumb: Some(ImageSrc {
                url: "/media/var/p1/r/640.jpg".into(),
                width: 640,
                height: 480,
            }),
            placeholder: Some("#a08060".into()),
            blur,
            srcset: "/media/var/p1/r/320.jpg 320w, /media/var/p1/r/640.jpg 640w".into(),
            failure: None,
        }
    }

    fn html(c: PhotoCard) -> String {
        let owner = Owner::new();
        owner.with(|| view! { <PhotoGrid cards=vec![c] /> }.to_html())
    }

    #[test]
    fn a_card_carries_its_blurred_preview_and_its_size() -> Result<(), String> {
        let url = data_url(Some(&stored_hash())).ok_or("no preview")?;
        let png = url
            .strip_prefix("data:image/png;base64,")
            .ok_or("not a PNG data URL")?;
        assert!(png.len() < 800, "{} base64 bytes", png.len());
        let with = html(card(Some(url)));
        let without = html(card(None));
        assert!(
            with.contains("background-image:url(data:image/png;base64,"),
            "{with}"
        );
        assert!(with.contains(r#"width="640""#) && with.contains(r#"height="480""#));
        let added = with.len() - without.len();
        // Said in the report: what a blurred preview adds to each card's HTML.
        println!("placeholder adds {added} bytes per card");
        assert!(added < 800, "{added} bytes per card");
        Ok(())
    }
}
