//! A blurred placeholder image from a stored ThumbHash: a tiny PNG that pages inline as a
//! data URL, so a card shows the photo's shape and colours before its pixels arrive,
//! with no request of its own.

/// Longest side of the placeholder. ThumbHash decodes to at most 32 px; the browser's
/// smooth upscaling blurs as well from 16, at a quarter of the bytes.
const MAX_SIDE: usize = 16;

/// The PNG bytes for `hash` (its width and height are at most [`MAX_SIDE`]), or `None`
/// when the hash is not one ThumbHash can read.
pub fn placeholder_png(hash: &[u8]) -> Option<Vec<u8>> {
    // The decoder indexes past short input; anything under its 5-byte header is damaged.
    if hash.len() < 5 {
        return None;
    }
    let (w, h, rgba) = thumbhash::thumb_hash_to_rgba(hash).ok()?;
    let (tw, th) = fit(w, h);
    let small = box_down(&rgba, w, h, tw, th);
    let opaque = small.chunks_exact(4).all(|p| p[3] == 255);
    let (data, color) = if opaque {
        let rgb = small
            .chunks_exact(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect();
        (rgb, png::ColorType::Rgb)
    } else {
        (small, png::ColorType::Rgba)
    };
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, tw as u32, th as u32);
    enc.set_color(color);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::Fast);
    let mut writer = enc.write_header().ok()?;
    writer.write_image_data(&data).ok()?;
    writer.finish().ok()?;
    Some(out)
}

/// The size that keeps the aspect within [`MAX_SIDE`], at least 1×1.
fn fit(w: usize, h: usize) -> (usize, usize) {
    let long = w.max(h).max(1);
    if long <= MAX_SIDE {
        return (w.max(1), h.max(1));
    }
    let scale = |v: usize| ((v * MAX_SIDE + long / 2) / long).clamp(1, MAX_SIDE);
    (scale(w), scale(h))
}

/// Averages the source pixels that fall in each target pixel (RGBA).
fn box_down(src: &[u8], w: usize, h: usize, tw: usize, th: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(tw * th * 4);
    for ty in 0..th {
        let (y0, y1) = (ty * h / th, ((ty + 1) * h / th).max(ty * h / th + 1));
        for tx in 0..tw {
            let (x0, x1) = (tx * w / tw, ((tx + 1) * w / tw).max(tx * w / tw + 1));
            let mut sum = [0u32; 4];
            let mut n = 0u32;
            for y in y0..y1.min(h) {
                for x in x0..x1.min(w) {
                    let i = (y * w + x) * 4;
                    for (c, s) in sum.iter_mut().enumerate() {
                        *s += u32::from(src.get(i + c).copied().unwrap_or(0));
                    }
                    n += 1;
                }
            }
            out.extend(sum.iter().map(|s| (s / n.max(1)) as u8));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(w: usize, h: usize) -> Vec<u8> {
        let rgba: Vec<u8> = (0..w * h)
            .flat_map(|i| [(i * 7 % 256) as u8, (i * 3 % 256) as u8, 120, 255])
            .collect();
        thumbhash::rgba_to_thumb_hash(w, h, &rgba)
    }

    fn size(png_bytes: &[u8]) -> Result<(u32, u32), String> {
        let dec = png::Decoder::new(std::io::Cursor::new(png_bytes));
        let reader = dec.read_info().map_err(|e| e.to_string())?;
        Ok((reader.info().width, reader.info().height))
    }

    #[test]
    fn keeps_the_aspect_within_sixteen_pixels() -> Result<(), String> {
        let land = placeholder_png(&hash(100, 75)).ok_or("landscape")?;
        let (w, h) = size(&land)?;
        assert_eq!(w, 16);
        assert!((11..=13).contains(&h), "{w}x{h}");
        let tall = placeholder_png(&hash(50, 100)).ok_or("portrait")?;
        let (w, h) = size(&tall)?;
        assert_eq!(h, 16);
        assert!((7..=9).contains(&w), "{w}x{h}");
        Ok(())
    }

    #[test]
    fn is_small() -> Result<(), String> {
        let png = placeholder_png(&hash(100, 75)).ok_or("png")?;
        assert!(png.len() < 600, "{} bytes", png.len());
        Ok(())
    }

    #[test]
    fn damaged_hashes_give_nothing() {
        assert_eq!(placeholder_png(&[]), None);
        assert_eq!(placeholder_png(&[1, 2]), None);
        // Any longer input decodes to something or nothing, never a panic.
        for n in 5..40u8 {
            let junk: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37)).collect();
            let _ = placeholder_png(&junk);
        }
    }
}
