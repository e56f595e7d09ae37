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

/// Decoded pixels plus the embedded ICC profile, if any.
pub(crate) struct Decoded {
    pub pixels: Pixels,
    pub icc: Option<Vec<u8>>,
}

pub(crate) fn decode(format: Format, bytes: &[u8], hint: Hint) -> Result<Decoded, MediaError> {
    let (pixels, icc) = match format {
        Format::Jpeg => jpeg(bytes, hint)?,
        Format::Png => png(bytes, hint)?,
        Format::Webp => webp(bytes, hint)?,
        Format::Gif => gif(bytes, hint)?,
    };
    let expected = pixels.width as usize * pixels.height as usize * usize::from(pixels.channels);
    if pixels.width == 0 || pixels.height == 0 || pixels.data.len() != expected {
        return Err(decode_err("decoder returned an inconsistent buffer"));
    }
    Ok(Decoded {
        pixels: drop_opaque_alpha(pixels),
        icc,
    })
}

fn jpeg(bytes: &[u8], hint: Hint) -> Result<(Pixels, Option<Vec<u8>>), MediaError> {
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
    let px = Pixels {
        width: ow,
        height: oh,
        channels: 3,
        data: rgb,
    };
    Ok((px, dec.icc_profile()))
}

/// Grey (8- or 16-bit big-endian) to RGB.
fn expand_grey(data: &[u8], bytes_per_sample: usize) -> Vec<u8> {
    data.chunks_exact(bytes_per_sample)
        .flat_map(|s| [s[0]; 3])
        .collect()
}

fn png(bytes: &[u8], hint: Hint) -> Result<(Pixels, Option<Vec<u8>>), MediaError> {
    let limits = png::Limits {
        bytes: hint.max_alloc,
    };
    let mut dec = png::Decoder::new_with_limits(Cursor::new(bytes), limits);
    // Palette → RGB(A), tRNS → alpha, 16 → 8 bit, sub-byte grey → 8 bit.
    dec.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = dec.read_info().map_err(decode_err)?;
    let icc = reader.info().icc_profile.as_ref().map(|p| p.to_vec());
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
    let px = Pixels {
        width: w,
        height: h,
        channels,
        data,
    };
    Ok((px, icc))
}

fn webp(bytes: &[u8], hint: Hint) -> Result<(Pixels, Option<Vec<u8>>), MediaError> {
    let mut dec = image_webp::WebPDecoder::new(Cursor::new(bytes)).map_err(decode_err)?;
    dec.set_memory_limit(hint.max_alloc);
    let (w, h) = dec.dimensions();
    let size = dec
        .output_buffer_size()
        .filter(|&s| s <= hint.max_alloc)
        .ok_or_else(|| decode_err("WebP too large to decode"))?;
    let channels = if dec.has_alpha() { 4 } else { 3 };
    let icc = dec.icc_profile().ok().flatten();
    let mut data = vec![0u8; size];
    // For animations this is the first frame, composited on the canvas.
    dec.read_image(&mut data).map_err(decode_err)?;
    let px = Pixels {
        width: w,
        height: h,
        channels,
        data,
    };
    Ok((px, icc))
}

/// First frame only, placed on a transparent canvas of the logical screen size.
fn gif(bytes: &[u8], hint: Hint) -> Result<(Pixels, Option<Vec<u8>>), MediaError> {
    let mut opts = gif::DecodeOptions::new();
    opts.set_color_output(gif::ColorOutput::RGBA);
    opts.set_memory_limit(gif::MemoryLimit::Bytes(
        std::num::NonZeroU64::new(hint.max_alloc as u64)
            .ok_or_else(|| decode_err("no memory budget"))?,
    ));
    let mut dec = opts.read_info(bytes).map_err(decode_err)?;
    let (sw, sh) = (usize::from(dec.width()), usize::from(dec.height()));
    let icc = dec.icc_profile().map(<[u8]>::to_vec);
    let frame = dec
        .read_next_frame()
        .map_err(decode_err)?
        .ok_or_else(|| decode_err("GIF has no frames"))?;
    let (fx, fy) = (usize::from(frame.left), usize::from(frame.top));
    let (fw, fh) = (usize::from(frame.width), usize::from(frame.height));
    if frame.buffer.len() < fw * fh * 4 {
        return Err(decode_err("GIF frame shorter than declared"));
    }
    let mut data = vec![0u8; sw * sh * 4];
    // Clip the frame to the screen; parts outside are never shown.
    for y in 0..fh.min(sh.saturating_sub(fy)) {
        let cols = fw.min(sw.saturating_sub(fx));
        let src = &frame.buffer[y * fw * 4..(y * fw + cols) * 4];
        let at = ((fy + y) * sw + fx) * 4;
        data[at..at + cols * 4].copy_from_slice(src);
    }
    let px = Pixels {
        width: sw as u32,
        height: sh as u32,
        channels: 4,
        data,
    };
    Ok((px, icc))
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
