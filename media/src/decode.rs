//! Decoders for each sniffed format, all producing 8-bit RGB or RGBA in the stored (not yet
//! oriented) frame.

use std::io::Cursor;

use crate::error::decode_err;
use crate::{Format, MediaError, Pixels};

/// What the decoder may shrink to: at least `min_width` × `min_height` (stored frame).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hint {
    pub min_width: u32,
    pub min_height: u32,
    /// Upper bound for any buffer a decoder allocates, from the pixel limit.
    pub max_alloc: usize,
}

pub(crate) fn decode(format: Format, bytes: &[u8], hint: Hint) -> Result<Pixels, MediaError> {
    let px = match format {
        Format::Jpeg => jpeg(bytes, hint)?,
        Format::Png => png(bytes, hint)?,
        Format::Webp | Format::Gif => return Err(MediaError::Unsupported),
    };
    Ok(drop_opaque_alpha(px))
}

fn jpeg(bytes: &[u8], hint: Hint) -> Result<Pixels, MediaError> {
    use jpeg_decoder::PixelFormat;
    let mut dec = jpeg_decoder::Decoder::new(bytes);
    dec.set_max_decoding_buffer_size(hint.max_alloc);
    dec.read_info().map_err(decode_err)?;
    let info = dec
        .info()
        .ok_or_else(|| decode_err("JPEG has no frame header"))?;
    let (w, h) = (u32::from(info.width), u32::from(info.height));
    // DCT scaling (1/8..1) is nearly free memory and time; pick the smallest scale whose output
    // still covers the largest variant in both axes.
    let mut want = (w, h);
    for denom in [8u32, 4, 2] {
        let (sw, sh) = (w.div_ceil(denom), h.div_ceil(denom));
        if sw >= hint.min_width && sh >= hint.min_height {
            want = (sw, sh);
            break;
        }
    }
    let (ow, oh) = dec
        .scale(want.0 as u16, want.1 as u16)
        .map_err(decode_err)?;
    let data = dec.decode().map_err(decode_err)?;
    let (ow, oh) = (u32::from(ow), u32::from(oh));
    let n = ow as usize * oh as usize;
    let rgb = match info.pixel_format {
        PixelFormat::RGB24 => data,
        PixelFormat::L8 => expand_grey(&data, 1),
        PixelFormat::L16 => expand_grey(&data, 2),
        // jpeg-decoder un-inverts Adobe CMYK/YCCK, so 255 means full ink. Without a CMYK ICC
        // transform this is the naive conversion, close enough for previews.
        PixelFormat::CMYK32 => data
            .chunks_exact(4)
            .flat_map(|p| {
                let k = 255 - u32::from(p[3]);
                [p[0], p[1], p[2]].map(|c| ((255 - u32::from(c)) * k / 255) as u8)
            })
            .collect(),
    };
    if rgb.len() < n * 3 {
        return Err(decode_err("JPEG decoded to fewer pixels than declared"));
    }
    Ok(Pixels {
        width: ow,
        height: oh,
        channels: 3,
        data: rgb,
    })
}

/// Grey (8- or 16-bit big-endian) to RGB.
fn expand_grey(data: &[u8], bytes_per_sample: usize) -> Vec<u8> {
    data.chunks_exact(bytes_per_sample)
        .flat_map(|s| [s[0]; 3])
        .collect()
}

fn png(bytes: &[u8], hint: Hint) -> Result<Pixels, MediaError> {
    let limits = png::Limits {
        bytes: hint.max_alloc,
    };
    let mut dec = png::Decoder::new_with_limits(Cursor::new(bytes), limits);
    // Palette → RGB(A), tRNS → alpha, 16 → 8 bit, sub-byte grey → 8 bit.
    dec.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = dec.read_info().map_err(decode_err)?;
    let size = reader
        .output_buffer_size()
        .filter(|&s| s <= hint.max_alloc)
        .ok_or_else(|| decode_err("PNG too large to decode"))?;
    let mut buf = vec![0u8; size];
    let frame = reader.next_frame(&mut buf).map_err(decode_err)?;
    buf.truncate(frame.buffer_size());
    let (w, h) = (frame.width, frame.height);
    let (data, channels) = match frame.color_type {
        png::ColorType::Rgb => (buf, 3),
        png::ColorType::Rgba => (buf, 4),
        png::ColorType::Grayscale => (buf.iter().flat_map(|&g| [g; 3]).collect(), 3),
        png::ColorType::GrayscaleAlpha => (
            buf.chunks_exact(2)
                .flat_map(|p| [p[0], p[0], p[0], p[1]])
                .collect(),
            4,
        ),
        png::ColorType::Indexed => return Err(decode_err("PNG palette was not expanded")),
    };
    Ok(Pixels {
        width: w,
        height: h,
        channels,
        data,
    })
}

/// RGBA whose alpha is 255 everywhere becomes RGB, so it is encoded as a (smaller) JPEG.
fn drop_opaque_alpha(px: Pixels) -> Pixels {
    if px.channels != 4 || px.data.chunks_exact(4).any(|p| p[3] != 255) {
        return px;
    }
    let data = px
        .data
        .chunks_exact(4)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    Pixels {
        channels: 3,
        data,
        ..px
    }
}
