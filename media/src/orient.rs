//! EXIF orientation (1–8) applied to an interleaved 8-bit buffer.

use crate::Pixels;

/// Orientations 5–8 swap width and height.
pub(crate) fn transposes(orientation: u16) -> bool {
    (5..=8).contains(&orientation)
}

/// Returns the image as it should be displayed (orientation 1 or unknown: unchanged).
pub(crate) fn apply(src: Pixels, orientation: u16) -> Pixels {
    if !(2..=8).contains(&orientation) {
        return src;
    }
    let (w, h) = (src.width as usize, src.height as usize);
    let n = usize::from(src.channels);
    let (dw, dh) = if transposes(orientation) {
        (h, w)
    } else {
        (w, h)
    };
    let mut out = vec![0u8; src.data.len()];
    for y in 0..dh {
        let row = &mut out[y * dw * n..(y + 1) * dw * n];
        for (x, px) in row.chunks_exact_mut(n).enumerate() {
            // Source coordinates of display pixel (x, y).
            let (sx, sy) = match orientation {
                2 => (w - 1 - x, y),
                3 => (w - 1 - x, h - 1 - y),
                4 => (x, h - 1 - y),
                5 => (y, x),
                6 => (y, h - 1 - x),
                7 => (w - 1 - y, h - 1 - x),
                _ => (w - 1 - y, x), // 8
            };
            let at = (sy * w + sx) * n;
            px.copy_from_slice(&src.data[at..at + n]);
        }
    }
    Pixels {
        width: dw as u32,
        height: dh as u32,
        channels: src.channels,
        data: out,
    }
}
