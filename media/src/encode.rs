//! Variant encoders: progressive JPEG for opaque images, lossless WebP for images with alpha.
//! Nothing from the original's metadata is written.

use crate::error::encode_err;
use crate::{MediaError, Pixels};

pub(crate) fn jpeg(px: &Pixels, quality: u8) -> Result<Vec<u8>, MediaError> {
    let (w, h) = dims16(px)?;
    let mut out = Vec::with_capacity(px.data.len() / 8);
    let mut enc = jpeg_encoder::Encoder::new(&mut out, quality.clamp(1, 100));
    // Progressive with two scans: the DC scan gives browsers the early low-resolution
    // preview, and one AC scan keeps the size at libvips' (jpeg-encoder's default four scans
    // cost ~17% more bytes; see BENCH.md).
    enc.set_progressive(true);
    enc.set_progressive_scans(2);
    enc.set_optimized_huffman_tables(true);
    enc.encode(&px.data, w, h, jpeg_encoder::ColorType::Rgb)
        .map_err(encode_err)?;
    Ok(out)
}

/// Lossless WebP for variants with alpha: in BENCH.md it is as small as PNG at its best
/// setting and ~35× faster to encode (image-webp's encoder; every current browser decodes it).
/// Untagged, so browsers treat it as sRGB, which the pixels are by now.
pub(crate) fn webp_lossless(px: &Pixels) -> Result<Vec<u8>, MediaError> {
    let mut out = Vec::new();
    let color = if px.channels == 4 {
        image_webp::ColorType::Rgba8
    } else {
        image_webp::ColorType::Rgb8
    };
    image_webp::WebPEncoder::new(&mut out)
        .encode(&px.data, px.width, px.height, color)
        .map_err(encode_err)?;
    Ok(out)
}

fn dims16(px: &Pixels) -> Result<(u16, u16), MediaError> {
    match (u16::try_from(px.width), u16::try_from(px.height)) {
        (Ok(w), Ok(h)) => Ok((w, h)),
        _ => Err(encode_err("variant too large for JPEG")),
    }
}
