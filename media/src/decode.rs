//! Decoders for each sniffed format, all producing 8-bit RGB or RGBA in the stored (not yet
//! oriented) frame.

use std::io::Cursor;

use crate::error::decode_err;
use crate::{Format, MediaError, Pixels};

/// The size of the largest variant in the stored (not yet oriented) frame. JPEGs are decoded
/// straight to it; other formats decode at full size and the caller resizes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hint {
    pub target_width: u32,
    pub target_height: u32,
    /// Upper bound for any buffer a decoder allocates, from the pixel limit.
    pub max_alloc: usize,
    /// The JPEG is progressive (from the header walk).
    pub progressive: bool,
}

/// What a progressive JPEG costs to decode, per byte of planes: zune-jpeg's planar mode keeps
/// every DCT coefficient (2 bytes a sample) plus a scratch copy of the scan being decoded,
/// then the planes: about 5 bytes a sample, 7.5 a pixel at 4:2:0.
const PROGRESSIVE_FACTOR: usize = 5;

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

/// JPEG via zune-jpeg's raw planar output: each component plane (Y at full size, chroma
/// usually at half) is resized straight to the largest variant, then converted to RGB there.
/// A full-size RGB image never exists, which keeps a 12 MP photo near 18 MB of planes instead
/// of 36 MB of RGB plus the planes.
fn jpeg(bytes: &[u8], hint: Hint) -> Result<(Pixels, Option<Vec<u8>>), MediaError> {
    use zune_jpeg::zune_core::{
        bytestream::ZCursor, colorspace::ColorSpace, options::DecoderOptions,
    };
    let opts = DecoderOptions::default()
        .set_strict_mode(true)
        .set_max_width(MAX_DECODER_SIDE)
        .set_max_height(MAX_DECODER_SIDE);
    let mut dec = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), opts);
    dec.decode_headers().map_err(decode_err)?;
    let icc = dec.icc_profile();
    let space = dec
        .input_colorspace()
        .ok_or_else(|| decode_err("JPEG headers missing"))?;
    let mut raw = dec.raw_output();
    let layout = raw
        .layout()
        .ok_or_else(|| decode_err("JPEG layout missing"))?;
    let count = raw
        .num_components()
        .ok_or_else(|| decode_err("JPEG components missing"))?;
    let total: usize = layout.iter().take(count).map(|p| p.byte_size).sum();
    // Past the decode budget the file is refused as too large rather than risking the
    // Worker's 128 MB isolate.
    let cost = if hint.progressive {
        total.saturating_mul(PROGRESSIVE_FACTOR)
    } else {
        total
    };
    if cost > hint.max_alloc {
        let (width, height) = raw_dims(&layout[..count]);
        return Err(MediaError::TooManyPixels { width, height });
    }
    let mut planes: Vec<Vec<u8>> = layout
        .iter()
        .take(count)
        .map(|p| vec![0u8; p.byte_size])
        .collect();
    {
        let mut views: Vec<&mut [u8]> = planes.iter_mut().map(Vec::as_mut_slice).collect();
        raw.decode_into_planes(&mut views).map_err(decode_err)?;
    }
    drop(raw);
    let (tw, th) = (hint.target_width, hint.target_height);
    // Resize each plane to the target, freeing the decoded plane as soon as it is done.
    let mut scaled = Vec::with_capacity(count);
    for (plane, info) in planes.into_iter().zip(layout.iter()) {
        scaled.push(crate::resize::resize_plane(
            plane,
            info.stride,
            info.width,
            info.height,
            tw,
            th,
        )?);
    }
    let n = tw as usize * th as usize;
    let mut rgb = Vec::with_capacity(n * 3);
    match (space, scaled.as_slice()) {
        (ColorSpace::Luma, [y]) => rgb.extend(y.iter().flat_map(|&v| [v; 3])),
        (ColorSpace::YCbCr, [y, cb, cr]) => {
            for ((&y, &cb), &cr) in y.iter().zip(cb).zip(cr) {
                rgb.extend(ycc_to_rgb(y, cb, cr));
            }
        }
        (ColorSpace::RGB, [r, g, b]) => {
            for ((&r, &g), &b) in r.iter().zip(g).zip(b) {
                rgb.extend([r, g, b]);
            }
        }
        // Adobe stores CMYK inverted (255 = no ink), so RGB = stored × stored K. Without a CMYK
        // profile transform this is the naive conversion, close enough for web previews.
        (ColorSpace::CMYK, [c, m, y, k]) => {
            for (((&c, &m), &y), &k) in c.iter().zip(m).zip(y).zip(k) {
                rgb.extend([c, m, y].map(|v| mul255(v, k)));
            }
        }
        (ColorSpace::YCCK, [y, cb, cr, k]) => {
            for (((&y, &cb), &cr), &k) in y.iter().zip(cb).zip(cr).zip(k) {
                rgb.extend(ycc_to_rgb(y, cb, cr).map(|v| mul255(v, k)));
            }
        }
        (space, _) => {
            return Err(decode_err(format_args!(
                "unsupported JPEG colour space {space:?} with {count} components"
            )))
        }
    }
    let px = Pixels {
        width: tw,
        height: th,
        channels: 3,
        data: rgb,
    };
    Ok((px, icc))
}

/// The image size, from the largest plane (the luma plane, or any plane at 4:4:4).
fn raw_dims(planes: &[zune_jpeg::PlaneInfo]) -> (u32, u32) {
    let w = planes.iter().map(|p| p.width).max().unwrap_or(0);
    let h = planes.iter().map(|p| p.height).max().unwrap_or(0);
    (
        u32::try_from(w).unwrap_or(u32::MAX),
        u32::try_from(h).unwrap_or(u32::MAX),
    )
}

/// Decoders refuse anything larger on their own too (our probe already checked the limits).
const MAX_DECODER_SIDE: usize = 65_535;

fn mul255(a: u8, b: u8) -> u8 {
    ((u32::from(a) * u32::from(b) + 127) / 255) as u8
}

/// JFIF (full-range BT.601) YCbCr to RGB in 16.16 fixed point.
fn ycc_to_rgb(y: u8, cb: u8, cr: u8) -> [u8; 3] {
    let y = i32::from(y) << 16;
    let (cb, cr) = (i32::from(cb) - 128, i32::from(cr) - 128);
    let r = y + 91_881 * cr;
    let g = y - 22_554 * cb - 46_802 * cr;
    let b = y + 116_130 * cb;
    [r, g, b].map(|v| ((v + 32_768) >> 16).clamp(0, 255) as u8)
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
    let (w, h) = (reader.info().width, reader.info().height);
    // Shrink-on-load: when the largest variant is at most half the size, average k×k blocks
    // while the rows stream in, so the full-size image never exists (a 24 MP PNG would be
    // 72–96 MB). Adam7-interlaced files arrive in passes and take the full-size path.
    let k = (w / hint.target_width.max(1)).min(h / hint.target_height.max(1));
    if k >= 2 && !reader.info().interlaced {
        return Ok((png_box_shrink(&mut reader, w, h, k)?, icc));
    }
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

/// Decodes row by row, averaging each `k`×`k` block (alpha-weighted, so transparent pixels do
/// not darken edges). The last `w % k` columns and `h % k` rows are dropped: under `k` pixels
/// at the edge of an image at least twice the variant's size.
fn png_box_shrink<R: std::io::BufRead + std::io::Seek>(
    reader: &mut png::Reader<R>,
    w: u32,
    h: u32,
    k: u32,
) -> Result<Pixels, MediaError> {
    let (color, _) = reader.output_color_type();
    let n_in = color.samples();
    let alpha = matches!(color, png::ColorType::Rgba | png::ColorType::GrayscaleAlpha);
    let n_out = if alpha { 4 } else { 3 };
    let (k, ow, oh) = (k as usize, (w / k) as usize, (h / k) as usize);
    let mut acc = vec![0u64; ow * 4];
    let mut out = Vec::with_capacity(ow * oh * n_out);
    let mut y = 0;
    while y < oh * k {
        let row = reader
            .next_row()
            .map_err(decode_err)?
            .ok_or_else(|| decode_err("PNG ended early"))?;
        let data = row.data();
        if data.len() < ow * k * n_in {
            return Err(decode_err("PNG row shorter than declared"));
        }
        for (px, sum) in data.chunks_exact(n_in * k).zip(acc.chunks_exact_mut(4)) {
            for p in px.chunks_exact(n_in) {
                let (r, g, b, a) = match *p {
                    [v] => (v, v, v, 255),
                    [v, a] => (v, v, v, a),
                    [r, g, b] => (r, g, b, 255),
                    [r, g, b, a, ..] => (r, g, b, a),
                    [] => (0, 0, 0, 0),
                };
                let a = u64::from(a);
                sum[0] += u64::from(r) * a;
                sum[1] += u64::from(g) * a;
                sum[2] += u64::from(b) * a;
                sum[3] += a;
            }
        }
        y += 1;
        if y % k == 0 {
            let area = (k * k) as u64;
            for sum in acc.chunks_exact_mut(4) {
                let a = sum[3];
                let rgb = if a == 0 {
                    [0, 0, 0]
                } else {
                    [sum[0], sum[1], sum[2]].map(|c| ((c + a / 2) / a) as u8)
                };
                out.extend_from_slice(&rgb);
                if alpha {
                    out.push(((a + area / 2) / area) as u8);
                }
                sum.fill(0);
            }
        }
    }
    Ok(Pixels {
        width: ow as u32,
        height: oh as u32,
        channels: n_out as u8,
        data: out,
    })
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
    // Clip the frame to the screen; parts outside are never shown (a frame placed entirely
    // off-screen leaves a transparent canvas).
    let cols = fw.min(sw.saturating_sub(fx));
    let rows = if cols == 0 {
        0
    } else {
        fh.min(sh.saturating_sub(fy))
    };
    for y in 0..rows {
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
