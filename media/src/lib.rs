//! Lumen's image pipeline: one untrusted original in, web variants and metadata out.
//!
//! `process` sniffs the format from the bytes, checks the size the header declares against
//! [`Spec`] before any decoder runs, reads EXIF, and decodes. JPEGs are decoded to their raw
//! Y/Cb/Cr planes, which are resized straight to the largest variant, so no full-size RGB image
//! ever exists. Colour (ICC → sRGB) and orientation are then fixed once on that largest variant,
//! and each smaller width is resized from the previous one. Variants carry no metadata.
//! Pure Rust; builds for wasm32-unknown-unknown (single thread, no fs).

mod color;
mod decode;
mod encode;
mod error;
mod exif;
mod header;
mod orient;
mod placeholder;
mod probe;
mod resize;
mod thumb;
mod watermark;
pub mod wire;

use sha2::{Digest, Sha256};

pub use crate::error::MediaError;
pub use crate::exif::{Exif, Gps};
pub use crate::header::{read_header, Header};
pub use crate::placeholder::placeholder_png;
pub use crate::probe::sniff;

/// What to make from an original, and the limits it must respect.
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    /// Target display widths; each is capped at the original's width, then deduplicated.
    pub widths: Vec<u32>,
    /// Refuse originals whose header declares more pixels than this.
    pub max_pixels: u64,
    /// Refuse originals with a side longer than this.
    pub max_side: u32,
    /// Refuse originals larger than this many bytes.
    pub max_bytes: usize,
    /// Refuse originals whose decoding needs more than this many bytes at once: JPEG
    /// planes (1.5 bytes a pixel at 4:2:0, 3 at 4:4:4, 5× that while a progressive scan
    /// decodes), or the full RGB(A) image of other formats. With `max_bytes` it bounds
    /// the media job's memory, which must stay well inside a Worker's 128 MB isolate.
    pub max_decode_bytes: usize,
    /// Quality of JPEG variants (1–100).
    pub jpeg_quality: u8,
    /// Text drawn in a corner of variants at least 640 px wide.
    pub watermark: Option<String>,
}

impl Default for Spec {
    fn default() -> Self {
        Spec {
            widths: vec![320, 640, 1280, 2048],
            // 24–26 MP cameras (4:2:0: 36–39 MB of planes) fit the decode budget.
            max_pixels: 30_000_000,
            max_side: 20_000,
            max_bytes: 16 * 1024 * 1024,
            max_decode_bytes: 40 * 1024 * 1024,
            jpeg_quality: 80,
            watermark: None,
        }
    }
}

/// Source formats accepted, as sniffed from the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Jpeg,
    Png,
    Webp,
    Gif,
}

impl Format {
    pub fn mime(&self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Webp => "image/webp",
            Format::Gif => "image/gif",
        }
    }
}

/// Everything learnt from one original.
#[derive(Debug, Clone)]
pub struct Output {
    /// Sniffed source format.
    pub format: Format,
    /// Size of the original as displayed (after orientation).
    pub width: u32,
    pub height: u32,
    /// Lowercase hex SHA-256 of the original bytes.
    pub sha256: String,
    pub thumbhash: Vec<u8>,
    pub average_rgba: [u8; 4],
    pub exif: Exif,
    pub gps: Option<Gps>,
    /// Ascending width, deduplicated.
    pub variants: Vec<Variant>,
}

/// One encoded rendition.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    pub width: u32,
    pub height: u32,
    pub mime: &'static str,
    pub ext: &'static str,
    pub bytes: Vec<u8>,
}

/// Interleaved 8-bit pixels: 3 channels (RGB) or 4 (RGBA, straight alpha).
#[derive(Debug, Clone)]
pub(crate) struct Pixels {
    pub width: u32,
    pub height: u32,
    pub channels: u8,
    pub data: Vec<u8>,
}

/// Turns untrusted bytes into variants and metadata. Never panics on any input.
pub fn process(bytes: &[u8], spec: &Spec) -> Result<Output, MediaError> {
    if bytes.len() > spec.max_bytes {
        return Err(MediaError::TooLarge {
            bytes: bytes.len(),
            max: spec.max_bytes,
        });
    }
    let format = sniff(bytes).ok_or(MediaError::Unsupported)?;
    let head = probe::probe(format, bytes)?;
    let (sw, sh) = (head.width, head.height);
    if sw > spec.max_side || sh > spec.max_side || u64::from(sw) * u64::from(sh) > spec.max_pixels {
        return Err(MediaError::TooManyPixels {
            width: sw,
            height: sh,
        });
    }
    // Damaged metadata costs only the metadata: the picture is still made.
    let (exif, gps) = head
        .exif
        .and_then(|raw| exif::parse(raw).ok())
        .unwrap_or_default();
    let orientation = exif.orientation.unwrap_or(1);
    let transposed = orient::transposes(orientation);
    // Displayed size, from the header.
    let (width, height) = if transposed { (sh, sw) } else { (sw, sh) };

    let ladder = ladder(&spec.widths, width, height);
    let &(top_w, top_h) = ladder
        .last()
        .ok_or_else(|| MediaError::Encode("no variant widths requested".to_owned()))?;
    let (target_width, target_height) = if transposed {
        (top_h, top_w)
    } else {
        (top_w, top_h)
    };
    // Each decoder buffer is bounded by the decode budget, and by the pixel limit at 8 bytes a
    // pixel (16-bit RGBA).
    let max_alloc = usize::try_from(spec.max_pixels.saturating_mul(8))
        .unwrap_or(usize::MAX)
        .min(spec.max_decode_bytes);
    let hint = decode::Hint {
        target_width,
        target_height,
        max_alloc,
        progressive: head.progressive,
    };
    let decoded = decode::decode(format, bytes, hint)?;
    let mut current = decoded.pixels;
    if (current.width, current.height) != (target_width, target_height) {
        current = resize::resize(&current, target_width, target_height)?;
    }
    // Colour and orientation are fixed once, on the largest variant; every smaller one is
    // resized from the previous step in the display frame, so nothing is done twice.
    if let Some(t) = color::to_srgb(decoded.icc.as_deref(), current.channels) {
        color::apply(&t, &mut current);
    }
    current = orient::apply(current, orientation);

    let mut variants = Vec::with_capacity(ladder.len());
    for &(w, h) in ladder.iter().rev() {
        if (w, h) != (current.width, current.height) {
            current = resize::resize(&current, w, h)?;
        }
        let variant = match spec.watermark.as_deref() {
            // The watermark goes on a copy so that it never leaks into the next, smaller step.
            Some(text) if w >= watermark::MIN_WIDTH => {
                let mut marked = current.clone();
                watermark::draw(&mut marked, text);
                encode_variant(&marked, spec)?
            }
            _ => encode_variant(&current, spec)?,
        };
        variants.push(variant);
    }
    variants.reverse();
    let (thumbhash, average_rgba) = thumb::thumbhash(&current)?;
    drop(current);

    Ok(Output {
        format,
        width,
        height,
        sha256: hex(&Sha256::digest(bytes)),
        thumbhash,
        average_rgba,
        exif,
        gps,
        variants,
    })
}

fn encode_variant(px: &Pixels, spec: &Spec) -> Result<Variant, MediaError> {
    let (mime, ext, bytes) = if px.channels == 4 {
        ("image/webp", "webp", encode::webp_lossless(px)?)
    } else {
        ("image/jpeg", "jpg", encode::jpeg(px, spec.jpeg_quality)?)
    };
    Ok(Variant {
        width: px.width,
        height: px.height,
        mime,
        ext,
        bytes,
    })
}

/// Displayed sizes of the variants, ascending: each requested width capped at the original's
/// width (never upscale), deduplicated; heights keep the aspect ratio.
fn ladder(widths: &[u32], width: u32, height: u32) -> Vec<(u32, u32)> {
    let mut out: Vec<u32> = widths
        .iter()
        .map(|&w| w.min(width))
        .filter(|&w| w > 0)
        .collect();
    out.sort_unstable();
    out.dedup();
    out.into_iter()
        .map(|w| {
            let h = (u64::from(w) * u64::from(height) + u64::from(width) / 2) / u64::from(width);
            (w, (h as u32).max(1))
        })
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ladder_never_upscales_and_dedups() {
        assert_eq!(
            ladder(&[320, 640, 1280, 2048], 4000, 3000),
            vec![(320, 240), (640, 480), (1280, 960), (2048, 1536)]
        );
        assert_eq!(
            ladder(&[320, 640, 1280, 2048], 500, 100),
            vec![(320, 64), (500, 100)]
        );
        assert_eq!(ladder(&[320, 640], 1, 1), vec![(1, 1)]);
    }
}
