//! The native media service's wire format, shared by the service (`media-service`) and the
//! Worker's queue consumer so that both sides agree byte for byte.
//!
//! - Request: `POST /v1/render?w=320,640&q=80[&wm=…][&src=…&etag=…]`, the original as the
//!   body, signed with [`canonical`] + [`sign`] in the `x-lumen-*` headers.
//! - Response 200: [`MAGIC`], the metadata's length (u32, big-endian), the metadata as JSON
//!   ([`Meta`]), then each variant's bytes back to back in the order of `Meta::variants`.
//!   The reader copies only the small JSON; the bodies are sliced by their lengths.
//! - Errors: a status and a plain-text sentence for the photo's failure reason.

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::{Output, Spec};

/// The one path of the service.
pub const PATH: &str = "/v1/render";
/// First bytes of a 200 answer (a version, so the format can change).
pub const MAGIC: &[u8; 4] = b"LMN1";
/// Header lengths: magic + u32.
pub const PREFIX_LEN: usize = 8;
/// The metadata is small (EXIF strings are capped by the parser); refuse anything huge.
pub const MAX_META_LEN: usize = 256 * 1024;

pub const H_DATE: &str = "x-lumen-date";
pub const H_NONCE: &str = "x-lumen-nonce";
pub const H_LENGTH: &str = "x-lumen-content-length";
pub const H_DIGEST: &str = "x-lumen-content-sha256";
pub const H_SIGNATURE: &str = "x-lumen-signature";
/// The digest value meaning "the body is not hashed by the sender" (AWS SigV4's term). The
/// signature still binds method, path and query (the R2 key and etag), time, nonce and length.
pub const UNSIGNED: &str = "UNSIGNED-PAYLOAD";

/// Most variant widths one job may ask for, and the widest.
pub const MAX_WIDTHS: usize = 8;
pub const MAX_WIDTH: u32 = 8192;
/// Longest watermark text accepted.
pub const MAX_WATERMARK: usize = 200;

/// What a job asks for, beyond the limits (which the service owns).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub widths: Vec<u32>,
    pub jpeg_quality: u8,
    pub watermark: Option<String>,
}

impl Settings {
    pub fn of(spec: &Spec) -> Self {
        Self {
            widths: spec.widths.clone(),
            jpeg_quality: spec.jpeg_quality,
            watermark: spec.watermark.clone(),
        }
    }

    /// `limits` with these settings applied.
    pub fn apply(&self, limits: &Spec) -> Spec {
        Spec {
            widths: self.widths.clone(),
            jpeg_quality: self.jpeg_quality,
            watermark: self.watermark.clone(),
            ..limits.clone()
        }
    }

    /// The query string (without `?`), settings first, then `extra` pairs (e.g. the R2 key).
    pub fn to_query(&self, extra: &[(&str, &str)]) -> String {
        let widths: Vec<String> = self.widths.iter().map(u32::to_string).collect();
        let mut q = format!("w={}&q={}", widths.join(","), self.jpeg_quality);
        if let Some(wm) = &self.watermark {
            q.push_str("&wm=");
            q.push_str(&encode(wm));
        }
        for (k, v) in extra {
            q.push('&');
            q.push_str(k);
            q.push('=');
            q.push_str(&encode(v));
        }
        q
    }

    /// Parses what [`Settings::to_query`] wrote; unknown keys are ignored (they are still
    /// covered by the signature). The error is a sentence for the caller.
    pub fn from_query(query: &str) -> Result<Self, String> {
        let mut widths = None;
        let mut quality = None;
        let mut watermark = None;
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = decode(v).ok_or_else(|| format!("bad encoding in `{k}`"))?;
            match k {
                "w" => {
                    let ws: Result<Vec<u32>, _> = v.split(',').map(str::parse).collect();
                    let ws = ws.map_err(|_| "`w` must be comma-separated widths".to_owned())?;
                    if ws.is_empty()
                        || ws.len() > MAX_WIDTHS
                        || ws.iter().any(|&w| w == 0 || w > MAX_WIDTH)
                    {
                        return Err(format!(
                            "`w` takes 1 to {MAX_WIDTHS} widths of 1 to {MAX_WIDTH} px"
                        ));
                    }
                    widths = Some(ws);
                }
                "q" => {
                    let q: u8 = v.parse().map_err(|_| "`q` must be 1 to 100".to_owned())?;
                    if !(1..=100).contains(&q) {
                        return Err("`q` must be 1 to 100".to_owned());
                    }
                    quality = Some(q);
                }
                "wm" => {
                    if v.chars().count() > MAX_WATERMARK {
                        return Err(format!("`wm` is longer than {MAX_WATERMARK} characters"));
                    }
                    watermark = Some(v);
                }
                _ => {}
            }
        }
        Ok(Self {
            widths: widths.ok_or("`w` is missing")?,
            jpeg_quality: quality.ok_or("`q` is missing")?,
            watermark,
        })
    }
}

/// Everything the Worker records about a rendition, as both backends produce it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// The source format's MIME type.
    pub format: String,
    pub width: u32,
    pub height: u32,
    pub sha256: String,
    /// Hex.
    pub thumbhash: String,
    pub average_rgba: [u8; 4],
    /// The EXIF summary as the photo row stores it.
    pub exif_json: String,
    /// Owner-only location, as stored.
    pub gps_json: Option<String>,
    pub variants: Vec<VariantMeta>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantMeta {
    pub width: u32,
    pub height: u32,
    pub mime: String,
    pub ext: String,
    /// Bytes of this variant in the response body.
    pub len: u64,
}

impl Meta {
    /// The metadata of a pipeline output: the one place its JSON columns are made.
    pub fn of(out: &Output) -> Self {
        Self {
            format: out.format.mime().to_owned(),
            width: out.width,
            height: out.height,
            sha256: out.sha256.clone(),
            thumbhash: crate::hex(&out.thumbhash),
            average_rgba: out.average_rgba,
            exif_json: serde_json::to_string(&out.exif).unwrap_or_default(),
            gps_json: out.gps.as_ref().and_then(|g| serde_json::to_string(g).ok()),
            variants: out
                .variants
                .iter()
                .map(|v| VariantMeta {
                    width: v.width,
                    height: v.height,
                    mime: v.mime.to_owned(),
                    ext: v.ext.to_owned(),
                    len: v.bytes.len() as u64,
                })
                .collect(),
        }
    }

    /// The thumbhash bytes (empty if the hex is damaged).
    pub fn thumbhash_bytes(&self) -> Vec<u8> {
        unhex(&self.thumbhash).unwrap_or_default()
    }
}

/// The 200 body for `out`.
pub fn encode_response(out: &Output) -> Vec<u8> {
    let meta = serde_json::to_vec(&Meta::of(out)).unwrap_or_default();
    let bodies: usize = out.variants.iter().map(|v| v.bytes.len()).sum();
    let mut buf = Vec::with_capacity(PREFIX_LEN + meta.len() + bodies);
    buf.extend_from_slice(MAGIC);
    buf.extend_from_slice(&(meta.len() as u32).to_be_bytes());
    buf.extend_from_slice(&meta);
    for v in &out.variants {
        buf.extend_from_slice(&v.bytes);
    }
    buf
}

/// From the first [`PREFIX_LEN`] bytes of a response: the metadata's length.
pub fn meta_len(prefix: &[u8]) -> Result<usize, String> {
    let (magic, len) = match prefix.get(..PREFIX_LEN) {
        Some(p) => p.split_at(4),
        None => return Err("response shorter than its header".into()),
    };
    if magic != MAGIC {
        return Err("response is not in the media service format".into());
    }
    let len = u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize;
    if len > MAX_META_LEN {
        return Err("response metadata too large".into());
    }
    Ok(len)
}

/// Parses the metadata and checks that the variants exactly fill `total` response bytes.
/// Returns the metadata and each variant's (offset, length) in the response.
pub fn parse_meta(json: &[u8], total: usize) -> Result<(Meta, Vec<(usize, usize)>), String> {
    let meta: Meta = serde_json::from_slice(json).map_err(|e| format!("response metadata: {e}"))?;
    let mut at = PREFIX_LEN + json.len();
    let mut spans = Vec::with_capacity(meta.variants.len());
    for v in &meta.variants {
        let len = usize::try_from(v.len).map_err(|_| "variant length".to_owned())?;
        spans.push((at, len));
        at = at.checked_add(len).ok_or("variant length")?;
    }
    if at != total {
        return Err(format!("response is {total} bytes, metadata says {at}"));
    }
    Ok((meta, spans))
}

/// The string both sides sign.
pub fn canonical(
    method: &str,
    path_and_query: &str,
    date: i64,
    nonce: &str,
    length: u64,
    digest: &str,
) -> String {
    format!("LUMEN1\n{method}\n{path_and_query}\n{date}\n{nonce}\n{length}\n{digest}")
}

/// Hex HMAC-SHA256 of `message` under `secret`.
pub fn sign(secret: &[u8], message: &str) -> String {
    match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(mut mac) => {
            mac.update(message.as_bytes());
            crate::hex(&mac.finalize().into_bytes())
        }
        // HMAC takes keys of any length; this arm is never taken.
        Err(_) => String::new(),
    }
}

/// Constant-time check of a hex signature.
pub fn verify(secret: &[u8], message: &str, signature_hex: &str) -> bool {
    let Some(sig) = unhex(signature_hex) else {
        return false;
    };
    match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(mut mac) => {
            mac.update(message.as_bytes());
            mac.verify_slice(&sig).is_ok()
        }
        Err(_) => false,
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Reverses [`encode`] (`+` is a plus, not a space). `None` if not UTF-8 or malformed.
pub fn decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Lowercase or uppercase hex to bytes.
pub fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_through_the_query() {
        let s = Settings {
            widths: vec![320, 640, 1280, 2048],
            jpeg_quality: 80,
            watermark: Some("© Ada & co · Lumen =%".into()),
        };
        let q = s.to_query(&[("src", "orig/u1/p1"), ("etag", "\"abc\"")]);
        assert!(!q.contains(' ') && !q.contains('"'), "{q}");
        assert_eq!(Settings::from_query(&q), Ok(s));
        assert!(Settings::from_query("q=80").is_err());
        assert!(Settings::from_query("w=0&q=80").is_err());
        assert!(Settings::from_query("w=1,2,3,4,5,6,7,8,9&q=80").is_err());
        assert!(Settings::from_query("w=320&q=101").is_err());
        assert!(Settings::from_query("w=320&q=80&wm=%E2").is_err());
    }

    #[test]
    fn signatures_verify_only_with_the_same_secret_and_message() {
        let m = canonical(
            "POST",
            "/v1/render?w=320&q=80",
            1_700_000_000,
            "n1",
            10,
            UNSIGNED,
        );
        let sig = sign(b"secret", &m);
        assert_eq!(sig.len(), 64);
        assert!(verify(b"secret", &m, &sig));
        assert!(!verify(b"other", &m, &sig));
        assert!(!verify(b"secret", &m.replace("n1", "n2"), &sig));
        assert!(!verify(b"secret", &m, "zz"));
        assert!(!verify(b"secret", &m, ""));
    }

    #[test]
    fn parse_meta_needs_the_variants_to_fill_the_answer_exactly() {
        let meta = Meta {
            format: "image/png".into(),
            width: 2,
            height: 1,
            sha256: "ab".repeat(32),
            thumbhash: "0102".into(),
            average_rgba: [1, 2, 3, 255],
            exif_json: "{}".into(),
            gps_json: None,
            variants: vec![
                VariantMeta {
                    width: 1,
                    height: 1,
                    mime: "image/jpeg".into(),
                    ext: "jpg".into(),
                    len: 3,
                },
                VariantMeta {
                    width: 2,
                    height: 1,
                    mime: "image/jpeg".into(),
                    ext: "jpg".into(),
                    len: 5,
                },
            ],
        };
        let json = serde_json::to_vec(&meta).unwrap();
        let total = PREFIX_LEN + json.len() + 8;
        let (back, spans) = parse_meta(&json, total).unwrap();
        assert_eq!(back, meta);
        assert_eq!(back.thumbhash_bytes(), [1, 2]);
        let start = PREFIX_LEN + json.len();
        assert_eq!(spans, [(start, 3), (start + 3, 5)]);
        assert!(parse_meta(&json, total - 1).is_err(), "truncated answer");
        assert!(parse_meta(&json, total + 1).is_err(), "trailing bytes");
        assert!(parse_meta(b"{not json", total).is_err());
    }

    #[test]
    fn meta_len_refuses_foreign_bytes() {
        assert!(meta_len(b"LMN1").is_err());
        assert!(meta_len(b"HTTP/1.1").is_err());
        assert_eq!(meta_len(b"LMN1\0\0\0\x05"), Ok(5));
        assert!(meta_len(b"LMN1\xff\xff\xff\xff").is_err());
    }
}
