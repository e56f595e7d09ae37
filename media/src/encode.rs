//! Variant encoders: progressive JPEG for opaque images, PNG for images with alpha. Nothing from
//! the original's metadata is written.

use crate::error::encode_err;
use crate::{MediaError, Pixels};

pub(crate) fn jpeg(px: &Pixels, quality: u8) -> Result<Vec<u8>, MediaError> {
    let (w, h) = dims16(px)?;
    let mut out = Vec::with_capacity(px.data.len() / 8);
    let mut enc = jpeg_encoder::Encoder::new(&mut out, quality.clamp(1, 100));
    enc.set_progressive(true);
    enc.set_optimized_huffman_tables(true);
    enc.encode(&px.data, w, h, jpeg_encoder::ColorType::Rgb)
        .map_err(encode_err)?;
    Ok(out)
}

pub(crate) fn png(px: &Pixels) -> Result<Vec<u8>, MediaError> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, px.width, px.height);
    enc.set_color(if px.channels == 4 {
        png::ColorType::Rgba
    } else {
        png::ColorType::Rgb
    });
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::Balanced);
    // Declares the pixels as sRGB so browsers need no guess.
    enc.set_source_srgb(png::SrgbRenderingIntent::Perceptual);
    let mut writer = enc.write_header().map_err(encode_err)?;
    writer.write_image_data(&px.data).map_err(encode_err)?;
    writer.finish().map_err(encode_err)?;
    Ok(out)
}

fn dims16(px: &Pixels) -> Result<(u16, u16), MediaError> {
    match (u16::try_from(px.width), u16::try_from(px.height)) {
        (Ok(w), Ok(h)) => Ok((w, h)),
        _ => Err(encode_err("variant too large for JPEG")),
    }
}
