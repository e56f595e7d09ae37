//! Format sniffing and a header walk that runs before any decoder: it finds the declared size
//! (so limits are checked before a single pixel buffer exists) and the metadata blocks
//! (EXIF, ICC) without trusting any length it reads.

use crate::error::decode_err;
use crate::{Format, MediaError};

/// What the header walk found.
#[derive(Debug, Default)]
pub(crate) struct Probe<'a> {
    pub width: u32,
    pub height: u32,
    /// Raw TIFF-structured EXIF (without the `Exif\0\0` prefix).
    pub exif: Option<&'a [u8]>,
    /// A progressive (SOF2/6/10/14) JPEG, whose decoder must hold every coefficient.
    pub progressive: bool,
}

pub fn sniff(bytes: &[u8]) -> Option<Format> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Format::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Format::Png)
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(Format::Webp)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some(Format::Gif)
    } else {
        None
    }
}

pub(crate) fn be16(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from(u16::from_be_bytes([
        *b.get(at)?,
        *b.get(at + 1)?,
    ])))
}
pub(crate) fn le16(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from(u16::from_le_bytes([
        *b.get(at)?,
        *b.get(at + 1)?,
    ])))
}
pub(crate) fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}
pub(crate) fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}
pub(crate) fn le24(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at + 3)?;
    Some(u32::from(s[0]) | u32::from(s[1]) << 8 | u32::from(s[2]) << 16)
}

fn truncated() -> MediaError {
    decode_err("header truncated or malformed")
}

pub(crate) fn probe(format: Format, b: &[u8]) -> Result<Probe<'_>, MediaError> {
    let p = match format {
        Format::Jpeg => jpeg(b),
        Format::Png => png(b),
        Format::Webp => webp(b),
        Format::Gif => gif(b),
    }
    .ok_or_else(truncated)?;
    if p.width == 0 || p.height == 0 {
        return Err(decode_err("image has zero width or height"));
    }
    Ok(p)
}

/// The JPEG marker at `at` and where its segment starts. Markers may be preceded by any
/// number of 0xFF fill bytes.
pub(crate) fn jpeg_marker(b: &[u8], mut at: usize) -> Option<(u8, usize)> {
    if *b.get(at)? != 0xFF {
        return None;
    }
    while *b.get(at)? == 0xFF {
        at += 1;
    }
    Some((*b.get(at)?, at + 1))
}

/// Start-of-frame markers (SOF0–15 less DHT, JPG and DAC), which carry the image size.
pub(crate) fn is_sof(marker: u8) -> bool {
    (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC)
}

/// Walks JPEG markers up to the first SOS, collecting SOF dimensions and the EXIF APP1.
fn jpeg(b: &[u8]) -> Option<Probe<'_>> {
    let mut p = Probe::default();
    let mut at = 2;
    let mut seen_sof = false;
    loop {
        let (marker, next) = jpeg_marker(b, at)?;
        at = next;
        match marker {
            0x01 | 0xD0..=0xD7 => continue,
            0xD8 | 0xD9 => return None,
            _ => {}
        }
        let len = be16(b, at)? as usize;
        if len < 2 {
            return None;
        }
        let seg = b.get(at + 2..at + len)?;
        match marker {
            m if is_sof(m) => {
                p.height = be16(seg, 1)?;
                p.width = be16(seg, 3)?;
                p.progressive = matches!(marker, 0xC2 | 0xC6 | 0xCA | 0xCE);
                seen_sof = true;
            }
            0xE1 if p.exif.is_none() && seg.starts_with(b"Exif\0\0") => {
                p.exif = Some(&seg[6..]);
            }
            0xDA => return seen_sof.then_some(p),
            _ => {}
        }
        at += len;
    }
}

/// Reads IHDR, then chunks up to the first IDAT for eXIf.
fn png(b: &[u8]) -> Option<Probe<'_>> {
    let mut p = Probe::default();
    if b.get(12..16)? != b"IHDR" {
        return None;
    }
    p.width = be32(b, 16)?;
    p.height = be32(b, 20)?;
    let mut at = 8;
    while let (Some(len), Some(kind)) = (be32(b, at), b.get(at + 4..at + 8)) {
        let len = len as usize;
        let data = b.get(at + 8..(at + 8).checked_add(len)?)?;
        match kind {
            b"eXIf" => p.exif = Some(data),
            b"IDAT" | b"IEND" => break,
            _ => {}
        }
        at = at.checked_add(12 + len)?;
    }
    Some(p)
}

/// Reads the first RIFF chunk (VP8, VP8L or VP8X) for the canvas size and looks for EXIF.
fn webp(b: &[u8]) -> Option<Probe<'_>> {
    let mut p = Probe::default();
    // A RIFF size beyond the bytes we have means a truncated file; decoders would otherwise
    // quietly fill the missing part.
    let riff_end = (le32(b, 4)? as usize).checked_add(8)?;
    let first_end = (le32(b, 16)? as usize).checked_add(20)?;
    if riff_end > b.len() || first_end > riff_end {
        return None;
    }
    let kind = b.get(12..16)?;
    let data = 20;
    match kind {
        b"VP8 " => {
            // Frame tag (3 bytes), start code 9d 01 2a, then 14-bit width and height.
            if b.get(data + 3..data + 6)? != [0x9d, 0x01, 0x2a] {
                return None;
            }
            p.width = le16(b, data + 6)? & 0x3FFF;
            p.height = le16(b, data + 8)? & 0x3FFF;
        }
        b"VP8L" => {
            if *b.get(data)? != 0x2F {
                return None;
            }
            let bits = le32(b, data + 1)?;
            p.width = (bits & 0x3FFF) + 1;
            p.height = ((bits >> 14) & 0x3FFF) + 1;
        }
        b"VP8X" => {
            p.width = le24(b, data + 4)? + 1;
            p.height = le24(b, data + 7)? + 1;
            let mut at = 12;
            while let (Some(kind), Some(len)) = (b.get(at..at + 4), le32(b, at + 4)) {
                let len = len as usize;
                let Some(chunk) = (at + 8).checked_add(len).and_then(|end| b.get(at + 8..end))
                else {
                    break;
                };
                if kind == b"EXIF" {
                    // Some writers keep the JPEG-style prefix.
                    p.exif = Some(chunk.strip_prefix(b"Exif\0\0").unwrap_or(chunk));
                }
                at = at.checked_add(8 + len + (len & 1))?;
            }
        }
        _ => return None,
    }
    Some(p)
}

/// The logical screen and the first image descriptor both bound what a decoder allocates.
fn gif(b: &[u8]) -> Option<Probe<'_>> {
    Some(Probe {
        width: le16(b, 6)?,
        height: le16(b, 8)?,
        ..Probe::default()
    })
}
