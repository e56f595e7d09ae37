//! Optional text watermark in the bottom-right corner: white glyphs over a soft dark outline, so
//! it reads on light and dark photos. The font is font8x8's public-domain 8×8 bitmap (ASCII +
//! Latin-1, about 2 KB in the binary), scaled by whole pixels: no TTF and no rasteriser to ship.

use font8x8::legacy::{BASIC_LEGACY, LATIN_LEGACY};

use crate::Pixels;

/// Variants narrower than this stay clean (thumbnails would be all watermark).
pub(crate) const MIN_WIDTH: u32 = 640;
const MAX_CHARS: usize = 64;

fn glyph(c: char) -> [u8; 8] {
    let code = c as u32;
    match code {
        0x20..=0x7E => BASIC_LEGACY[code as usize],
        0xA0..=0xFF => LATIN_LEGACY[(code - 0xA0) as usize],
        _ => BASIC_LEGACY[usize::from(b'?')],
    }
}

/// Draws `text` into `px` (RGB or RGBA) when the image is wide enough.
pub(crate) fn draw(px: &mut Pixels, text: &str) {
    let text: Vec<char> = text
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_CHARS)
        .collect();
    if px.width < MIN_WIDTH || text.is_empty() {
        return;
    }
    // ~2.5% of the width per line: 16 px at 640, 40 px at 2048.
    let scale = (px.width / 400).max(2) as usize;
    let outline = (scale / 2).max(1);
    let margin = (px.width / 64) as usize;
    let (w, h) = (px.width as usize, px.height as usize);
    let cell = 8 * scale;
    let fits = (w.saturating_sub(2 * margin + 2 * outline)) / cell;
    let text = &text[..text.len().min(fits)];
    if text.is_empty() || h < cell + 2 * margin + 2 * outline {
        return;
    }
    // Glyph mask with room for the outline.
    let (mw, mh) = (text.len() * cell + 2 * outline, cell + 2 * outline);
    let mut ink = vec![false; mw * mh];
    for (i, &c) in text.iter().enumerate() {
        for (gy, row) in glyph(c).iter().enumerate() {
            for gx in 0..8 {
                if row >> gx & 1 == 0 {
                    continue;
                }
                for y in 0..scale {
                    let my = outline + gy * scale + y;
                    let mx = outline + i * cell + gx * scale;
                    ink[my * mw + mx..my * mw + mx + scale].fill(true);
                }
            }
        }
    }
    // Outline = ink dilated by `outline` pixels (separable: rows, then columns).
    let mut wide = vec![false; mw * mh];
    for y in 0..mh {
        for x in 0..mw {
            if ink[y * mw + x] {
                let (a, b) = (x.saturating_sub(outline), (x + outline).min(mw - 1));
                wide[y * mw + a..=y * mw + b].fill(true);
            }
        }
    }
    let mut halo = vec![false; mw * mh];
    for y in 0..mh {
        for x in 0..mw {
            if wide[y * mw + x] {
                for yy in y.saturating_sub(outline)..=(y + outline).min(mh - 1) {
                    halo[yy * mw + x] = true;
                }
            }
        }
    }
    let (ox, oy) = (w - margin - mw, h - margin - mh);
    let n = usize::from(px.channels);
    for y in 0..mh {
        for x in 0..mw {
            let m = y * mw + x;
            let (alpha, value) = if ink[m] {
                (235u32, 255u32)
            } else if halo[m] {
                (200, 0)
            } else {
                continue;
            };
            let at = ((oy + y) * w + ox + x) * n;
            for c in &mut px.data[at..at + 3] {
                *c = ((u32::from(*c) * (255 - alpha) + value * alpha + 127) / 255) as u8;
            }
            if n == 4 {
                px.data[at + 3] = px.data[at + 3].max(alpha as u8);
            }
        }
    }
}
