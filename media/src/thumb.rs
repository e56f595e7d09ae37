//! ThumbHash placeholder and average colour, from the smallest variant.

use crate::resize::resize;
use crate::{MediaError, Pixels};

/// ThumbHash accepts at most 100×100; larger inputs only cost time.
const MAX: u32 = 100;

pub(crate) fn thumbhash(small: &Pixels) -> Result<(Vec<u8>, [u8; 4]), MediaError> {
    let scale = f64::from(MAX) / f64::from(small.width.max(small.height));
    let (w, h) = if scale < 1.0 {
        (
            ((f64::from(small.width) * scale).round() as u32).clamp(1, MAX),
            ((f64::from(small.height) * scale).round() as u32).clamp(1, MAX),
        )
    } else {
        (small.width, small.height)
    };
    let tiny = resize(small, w, h)?;
    let rgba: Vec<u8> = if tiny.channels == 4 {
        tiny.data
    } else {
        tiny.data
            .chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect()
    };
    let hash = thumbhash::rgba_to_thumb_hash(w as usize, h as usize, &rgba);
    Ok((hash, average(&rgba)))
}

/// Alpha-weighted mean colour (straight alpha), plus mean alpha.
fn average(rgba: &[u8]) -> [u8; 4] {
    let (mut r, mut g, mut b, mut a) = (0u64, 0u64, 0u64, 0u64);
    for p in rgba.chunks_exact(4) {
        let w = u64::from(p[3]);
        r += u64::from(p[0]) * w;
        g += u64::from(p[1]) * w;
        b += u64::from(p[2]) * w;
        a += w;
    }
    let n = (rgba.len() / 4).max(1) as u64;
    if a == 0 {
        return [0, 0, 0, 0];
    }
    [(r / a) as u8, (g / a) as u8, (b / a) as u8, (a / n) as u8]
}
