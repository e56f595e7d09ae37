//! The upload-time check: what the first bytes of a file declare (format, width, height),
//! against the pipeline's limits, before anything is stored. Unlike `probe`, it works on a
//! file's head only, so a segment or chunk that runs past the head is skipped, not read.

use crate::error::decode_err;
use crate::probe::{be16, be32, is_sof, jpeg_marker, le16, le24, le32, sniff};
use crate::{Format, MediaError, Spec};

/// What a file's header declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub format: Format,
    pub width: u32,
    pub height: u32,
}

/// Reads the header from a file's first bytes and checks it against `spec`.
///
/// `Ok(None)`: the head is too short to tell (e.g. a JPEG whose metadata segments run past
/// it); the media job checks the whole file later. `Err`: the file can be refused now.
pub fn read_header(head: &[u8], spec: &Spec) -> Result<Option<Header>, MediaError> {
    let Some(format) = sniff(head) else {
        return Err(if is_heif(head) {
            MediaError::Heic
        } else {
            MediaError::Unsupported
        });
    };
    let size = match format {
        Format::Jpeg => jpeg(head),
        Format::Png => png(head),
        Format::Webp => webp(head)?,
        Format::Gif => Some((le16(head, 6), le16(head, 8))).and_then(|(w, h)| Some((w?, h?))),
    };
    let Some((width, height)) = size else {
        return Ok(None);
    };
    if width == 0 || height == 0 {
        return Err(decode_err("image has zero width or height"));
    }
    if width > spec.max_side
        || height > spec.max_side
        || u64::from(width) * u64::from(height) > spec.max_pixels
    {
        return Err(MediaError::TooManyPixels { width, height });
    }
    Ok(Some(Header {
        format,
        width,
        height,
    }))
}

/// HEIF containers (iPhone photos): an ISO-BMFF `ftyp` box naming a HEIF brand.
fn is_heif(b: &[u8]) -> bool {
    const BRANDS: [&[u8]; 8] = [
        b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1",
    ];
    b.get(4..8) == Some(b"ftyp") && b.get(8..12).is_some_and(|brand| BRANDS.contains(&brand))
}

/// Walks markers up to the first SOF, stepping over segments by their length.
fn jpeg(b: &[u8]) -> Option<(u32, u32)> {
    let mut at = 2;
    loop {
        let (marker, next) = jpeg_marker(b, at)?;
        at = next;
        match marker {
            0x01 | 0xD0..=0xD7 => continue,
            // An image ends or starts its data before any frame header: nothing to read.
            0xD8..=0xDA => return None,
            m if is_sof(m) => return Some((be16(b, at + 5)?, be16(b, at + 3)?)),
            _ => {}
        }
        let len = be16(b, at)? as usize;
        if len < 2 {
            return None;
        }
        at += len;
    }
}

fn png(b: &[u8]) -> Option<(u32, u32)> {
    (b.get(12..16)? == b"IHDR").then_some(())?;
    Some((be32(b, 16)?, be32(b, 20)?))
}

/// The first chunk's canvas size; a first chunk that is none of VP8, VP8L, VP8X is refused.
fn webp(b: &[u8]) -> Result<Option<(u32, u32)>, MediaError> {
    let data = 20;
    let size = match b.get(12..16) {
        None => None,
        Some(b"VP8 ") => match b.get(data + 3..data + 6) {
            Some([0x9d, 0x01, 0x2a]) => le16(b, data + 6)
                .zip(le16(b, data + 8))
                .map(|(w, h)| (w & 0x3FFF, h & 0x3FFF)),
            Some(_) => return Err(decode_err("VP8 start code missing")),
            None => None,
        },
        Some(b"VP8L") => {
            le32(b, data + 1).map(|bits| ((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
        }
        Some(b"VP8X") => le24(b, data + 4)
            .zip(le24(b, data + 7))
            .map(|(w, h)| (w + 1, h + 1)),
        Some(_) => return Err(decode_err("unknown WebP chunk")),
    };
    Ok(size)
}
