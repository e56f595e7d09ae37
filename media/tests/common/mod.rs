//! Test-input generators: every input the media tests use is made here, so each test says
//! exactly what it feeds the pipeline. Shared with `benches/ladder.rs` via `#[path]`.

use std::error::Error;

pub type TestResult<T = ()> = Result<T, Box<dyn Error>>;

/// A value in a TIFF IFD entry.
pub enum Tv {
    Ascii(&'static str),
    Short(u16),
    Long(u32),
    Byte(u8),
    Rational(Vec<(u32, u32)>),
}

impl Tv {
    fn kind_count_bytes(&self) -> (u16, u32, Vec<u8>) {
        match self {
            Tv::Ascii(s) => {
                let mut b = s.as_bytes().to_vec();
                b.push(0);
                (2, b.len() as u32, b)
            }
            Tv::Short(v) => (3, 1, v.to_le_bytes().to_vec()),
            Tv::Long(v) => (4, 1, v.to_le_bytes().to_vec()),
            Tv::Byte(v) => (1, 1, vec![*v]),
            Tv::Rational(r) => (
                5,
                r.len() as u32,
                r.iter()
                    .flat_map(|(n, d)| n.to_le_bytes().into_iter().chain(d.to_le_bytes()))
                    .collect(),
            ),
        }
    }
}

fn ifd_size(entries: &[(u16, Tv)]) -> usize {
    let data: usize = entries
        .iter()
        .map(|(_, v)| {
            let n = v.kind_count_bytes().2.len();
            if n > 4 {
                n + (n & 1)
            } else {
                0
            }
        })
        .sum();
    2 + 12 * entries.len() + 4 + data
}

fn write_ifd(out: &mut Vec<u8>, entries: &[(u16, Tv)]) {
    let start = out.len();
    let mut data_at = start + 2 + 12 * entries.len() + 4;
    let mut data = Vec::new();
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    for (tag, v) in entries {
        let (kind, count, bytes) = v.kind_count_bytes();
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&count.to_le_bytes());
        if bytes.len() <= 4 {
            let mut inline = bytes.clone();
            inline.resize(4, 0);
            out.extend_from_slice(&inline);
        } else {
            out.extend_from_slice(&(data_at as u32).to_le_bytes());
            data.extend_from_slice(&bytes);
            if bytes.len() & 1 == 1 {
                data.push(0);
            }
            data_at += bytes.len() + (bytes.len() & 1);
        }
    }
    out.extend_from_slice(&0u32.to_le_bytes()); // no next IFD
    out.extend_from_slice(&data);
}

/// A little-endian TIFF block with IFD0, an Exif sub-IFD and a GPS sub-IFD (each optional).
pub fn tiff(mut ifd0: Vec<(u16, Tv)>, exif: Vec<(u16, Tv)>, gps: Vec<(u16, Tv)>) -> Vec<u8> {
    // Pointer entries are inline LONGs, so sizes are known before offsets.
    let extra = usize::from(!exif.is_empty()) + usize::from(!gps.is_empty());
    let ifd0_len = ifd_size(&ifd0) + 12 * extra;
    let exif_at = 8 + ifd0_len;
    let gps_at = exif_at + if exif.is_empty() { 0 } else { ifd_size(&exif) };
    if !exif.is_empty() {
        ifd0.push((0x8769, Tv::Long(exif_at as u32)));
    }
    if !gps.is_empty() {
        ifd0.push((0x8825, Tv::Long(gps_at as u32)));
    }
    ifd0.sort_by_key(|(t, _)| *t);
    let mut out = b"II*\0\x08\0\0\0".to_vec();
    write_ifd(&mut out, &ifd0);
    if !exif.is_empty() {
        write_ifd(&mut out, &exif);
    }
    if !gps.is_empty() {
        write_ifd(&mut out, &gps);
    }
    out
}

/// EXIF as a camera writes it: make/model/lens/exposure/f-number/ISO/focal length/date,
/// a serial number (which must never reach a variant), the orientation and GPS
/// (48°51'29.6"N 2°17'40.2"E, 35 m: the Eiffel Tower).
pub fn camera_exif(orientation: u16) -> Vec<u8> {
    tiff(
        vec![
            (0x010F, Tv::Ascii("Lumix")),
            (0x0110, Tv::Ascii("DC-G9")),
            (0x0112, Tv::Short(orientation)),
        ],
        vec![
            (0x829A, Tv::Rational(vec![(1, 250)])),
            (0x829D, Tv::Rational(vec![(28, 10)])),
            (0x8827, Tv::Short(400)),
            (0x9003, Tv::Ascii("2024:06:01 12:34:56")),
            (0x920A, Tv::Rational(vec![(25, 1)])),
            (0xA431, Tv::Ascii("SERIAL-0123456789")),
            (0xA434, Tv::Ascii("LEICA DG 25mm F1.4")),
        ],
        vec![
            (0x0001, Tv::Ascii("N")),
            (0x0002, Tv::Rational(vec![(48, 1), (51, 1), (296, 10)])),
            (0x0003, Tv::Ascii("E")),
            (0x0004, Tv::Rational(vec![(2, 1), (17, 1), (402, 10)])),
            (0x0005, Tv::Byte(0)),
            (0x0006, Tv::Rational(vec![(35, 1)])),
        ],
    )
}

/// Only an orientation tag.
pub fn orientation_exif(orientation: u16) -> Vec<u8> {
    tiff(vec![(0x0112, Tv::Short(orientation))], vec![], vec![])
}

pub struct Img {
    pub width: u32,
    pub height: u32,
    /// 1 (grey), 3 (RGB) or 4 (RGBA / CMYK).
    pub channels: u8,
    pub data: Vec<u8>,
}

/// A camera-like scene: smooth sky-to-ground gradients, a few hard-edged shapes and
/// sensor-like noise, so the file size and decode work resemble a real photo.
pub fn camera_scene(width: u32, height: u32) -> Img {
    let (w, h) = (width as usize, height as usize);
    let mut data = vec![0u8; w * h * 3];
    let mut seed = 0x2545_F491_u32;
    for y in 0..h {
        let fy = y as f32 / h as f32;
        for x in 0..w {
            let fx = x as f32 / w as f32;
            // xorshift noise, ±6 levels
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let n = (seed & 15) as f32 - 7.5;
            let (mut r, mut g, mut b) = if fy < 0.55 {
                (90.0 + 80.0 * fy, 140.0 + 60.0 * fy, 230.0 - 40.0 * fy)
            } else {
                (
                    70.0 + 60.0 * fx,
                    110.0 + 30.0 * (fx * 9.0).sin(),
                    50.0 + 20.0 * fy,
                )
            };
            // A sun and a house-like block: hard edges to exercise ringing and chroma.
            let (dx, dy) = (fx - 0.75, (fy - 0.2) * h as f32 / w as f32);
            if dx * dx + dy * dy < 0.004 {
                (r, g, b) = (255.0, 236.0, 170.0);
            }
            if (0.2..0.4).contains(&fx) && (0.45..0.8).contains(&fy) {
                let brick = ((x / 24 + y / 12) % 2) as f32 * 25.0;
                (r, g, b) = (170.0 + brick, 70.0, 50.0);
            }
            let px = &mut data[(y * w + x) * 3..(y * w + x) * 3 + 3];
            px[0] = (r + n).clamp(0.0, 255.0) as u8;
            px[1] = (g + n).clamp(0.0, 255.0) as u8;
            px[2] = (b + n).clamp(0.0, 255.0) as u8;
        }
    }
    Img {
        width,
        height,
        channels: 3,
        data,
    }
}

/// Encodes with jpeg-encoder (baseline unless `progressive`), optionally with an EXIF APP1.
pub fn jpeg(img: &Img, quality: u8, progressive: bool, exif: Option<&[u8]>) -> TestResult<Vec<u8>> {
    use jpeg_encoder::{ColorType, Encoder};
    let mut out = Vec::new();
    let mut enc = Encoder::new(&mut out, quality);
    enc.set_progressive(progressive);
    if let Some(tiff) = exif {
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend_from_slice(tiff);
        enc.add_app_segment(1, app1)?;
    }
    let ct = match img.channels {
        1 => ColorType::Luma,
        3 => ColorType::Rgb,
        _ => ColorType::Cmyk,
    };
    enc.encode(&img.data, img.width as u16, img.height as u16, ct)?;
    Ok(out)
}

/// A camera-like JPEG of `width`×`height` with full camera EXIF and GPS: baseline, q85, which
/// jpeg-encoder writes with 4:2:0 chroma, as phones do.
pub fn camera_jpeg(width: u32, height: u32) -> TestResult<Vec<u8>> {
    jpeg(
        &camera_scene(width, height),
        85,
        false,
        Some(&camera_exif(1)),
    )
}

/// The heavier kind: q92, which jpeg-encoder writes with full-resolution (4:4:4) chroma, as
/// some cameras and editors do. Twice the planes of 4:2:0 to decode.
pub fn camera_jpeg_444(width: u32, height: u32) -> TestResult<Vec<u8>> {
    jpeg(
        &camera_scene(width, height),
        92,
        false,
        Some(&camera_exif(1)),
    )
}

/// PNG of the given colour type and depth from 8-bit samples (16-bit repeats each byte).
pub fn png(
    img: &Img,
    color: png::ColorType,
    depth16: bool,
    palette: Option<(&[u8], Option<&[u8]>)>,
) -> TestResult<Vec<u8>> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, img.width, img.height);
    enc.set_color(color);
    enc.set_depth(if depth16 {
        png::BitDepth::Sixteen
    } else {
        png::BitDepth::Eight
    });
    if let Some((plte, trns)) = palette {
        enc.set_palette(plte.to_vec());
        if let Some(t) = trns {
            enc.set_trns(t.to_vec());
        }
    }
    let mut w = enc.write_header()?;
    if depth16 {
        let wide: Vec<u8> = img.data.iter().flat_map(|&v| [v, v]).collect();
        w.write_image_data(&wide)?;
    } else {
        w.write_image_data(&img.data)?;
    }
    w.finish()?;
    Ok(out)
}

/// Upright test picture: wider than tall, mid grey, a red block top-left and a green block
/// top-right, each a quarter of the width.
pub fn marker_upright(w: u32, h: u32) -> Img {
    let (wu, hu) = (w as usize, h as usize);
    let mut data = vec![128u8; wu * hu * 3];
    for y in 0..hu / 4 {
        for x in 0..wu / 4 {
            data[(y * wu + x) * 3..(y * wu + x) * 3 + 3].copy_from_slice(&[230, 20, 20]);
            let xr = wu - 1 - x;
            data[(y * wu + xr) * 3..(y * wu + xr) * 3 + 3].copy_from_slice(&[20, 200, 20]);
        }
    }
    Img {
        width: w,
        height: h,
        channels: 3,
        data,
    }
}

/// Where display pixel (x, y) comes from in the stored image, per EXIF orientation
/// (stored is `sw`×`sh`), as defined by the TIFF/EXIF spec.
pub fn stored_coord(o: u16, x: usize, y: usize, sw: usize, sh: usize) -> (usize, usize) {
    match o {
        2 => (sw - 1 - x, y),
        3 => (sw - 1 - x, sh - 1 - y),
        4 => (x, sh - 1 - y),
        5 => (y, x),
        6 => (y, sh - 1 - x),
        7 => (sw - 1 - y, sh - 1 - x),
        8 => (sw - 1 - y, x),
        _ => (x, y),
    }
}

/// Stores `upright` the way a camera with orientation `o` would, so that a viewer applying
/// `o` shows `upright`.
pub fn store_for_orientation(upright: &Img, o: u16) -> Img {
    let (w, h) = (upright.width as usize, upright.height as usize);
    let n = usize::from(upright.channels);
    let (sw, sh) = if o >= 5 { (h, w) } else { (w, h) };
    let mut data = vec![0u8; upright.data.len()];
    for y in 0..h {
        for x in 0..w {
            let (sx, sy) = stored_coord(o, x, y, sw, sh);
            let s = (sy * sw + sx) * n;
            data[s..s + n].copy_from_slice(&upright.data[(y * w + x) * n..(y * w + x) * n + n]);
        }
    }
    Img {
        width: sw as u32,
        height: sh as u32,
        channels: upright.channels,
        data,
    }
}

/// Decodes a variant (JPEG, WebP or PNG) to RGBA for pixel assertions.
pub fn decode_variant(v: &media::Variant) -> TestResult<Img> {
    if v.mime == "image/jpeg" {
        let mut d = jpeg_decoder::Decoder::new(v.bytes.as_slice());
        let px = d.decode()?;
        let info = d.info().ok_or("no info")?;
        let rgba = match info.pixel_format {
            jpeg_decoder::PixelFormat::RGB24 => px
                .chunks_exact(3)
                .flat_map(|p| [p[0], p[1], p[2], 255])
                .collect(),
            jpeg_decoder::PixelFormat::L8 => px.iter().flat_map(|&g| [g, g, g, 255]).collect(),
            f => return Err(format!("unexpected variant pixel format {f:?}").into()),
        };
        Ok(Img {
            width: u32::from(info.width),
            height: u32::from(info.height),
            channels: 4,
            data: rgba,
        })
    } else if v.mime == "image/webp" {
        let mut d = image_webp::WebPDecoder::new(std::io::Cursor::new(&v.bytes))?;
        let (w, h) = d.dimensions();
        let mut buf = vec![0; d.output_buffer_size().ok_or("size")?];
        d.read_image(&mut buf)?;
        let rgba = if d.has_alpha() {
            buf
        } else {
            buf.chunks_exact(3)
                .flat_map(|p| [p[0], p[1], p[2], 255])
                .collect()
        };
        Ok(Img {
            width: w,
            height: h,
            channels: 4,
            data: rgba,
        })
    } else {
        let mut d = png::Decoder::new(std::io::Cursor::new(&v.bytes));
        d.set_transformations(png::Transformations::ALPHA);
        let mut r = d.read_info()?;
        let mut buf = vec![0; r.output_buffer_size().ok_or("size")?];
        let f = r.next_frame(&mut buf)?;
        buf.truncate(f.buffer_size());
        let rgba = match f.color_type {
            png::ColorType::Rgba => buf,
            png::ColorType::Rgb => buf
                .chunks_exact(3)
                .flat_map(|p| [p[0], p[1], p[2], 255])
                .collect(),
            c => return Err(format!("unexpected variant colour type {c:?}").into()),
        };
        Ok(Img {
            width: f.width,
            height: f.height,
            channels: 4,
            data: rgba,
        })
    }
}

/// Mean RGBA over a square of radius `r` around (x, y).
pub fn mean_at(img: &Img, x: u32, y: u32, r: u32) -> [u8; 4] {
    let mut sum = [0u32; 4];
    let mut n = 0;
    for yy in y.saturating_sub(r)..=(y + r).min(img.height - 1) {
        for xx in x.saturating_sub(r)..=(x + r).min(img.width - 1) {
            let at = ((yy * img.width + xx) * 4) as usize;
            for (s, &v) in sum.iter_mut().zip(&img.data[at..at + 4]) {
                *s += u32::from(v);
            }
            n += 1;
        }
    }
    sum.map(|s| (s / n) as u8)
}

/// True when `a` is within `tol` of `b` in every channel.
pub fn near(a: [u8; 4], b: [u8; 4], tol: u8) -> bool {
    a.iter().zip(b).all(|(&x, y)| x.abs_diff(y) <= tol)
}

/// True when the bytes contain an EXIF APP1 header or any of the camera's identifying strings.
pub fn has_metadata(bytes: &[u8]) -> bool {
    let needles: [&[u8]; 5] = [
        b"Exif\0\0",
        b"SERIAL-0123456789",
        b"Lumix",
        b"eXIf",
        b"EXIF",
    ];
    needles
        .iter()
        .any(|n| bytes.windows(n.len()).any(|w| w == *n))
}

/// A minimal ICC v2 RGB display profile: D50 PCS, given primaries (XYZ, D50-adapted) and one
/// gamma for all channels. Enough for qcms; used to check that non-sRGB pixels get converted.
pub fn icc_profile(red: [f64; 3], green: [f64; 3], blue: [f64; 3], gamma: f64) -> Vec<u8> {
    fn s15(v: f64) -> [u8; 4] {
        ((v * 65536.0).round() as i32).to_be_bytes()
    }
    fn xyz(v: [f64; 3]) -> Vec<u8> {
        let mut t = b"XYZ \0\0\0\0".to_vec();
        for c in v {
            t.extend_from_slice(&s15(c));
        }
        t
    }
    let curv = {
        let mut t = b"curv\0\0\0\0".to_vec();
        t.extend_from_slice(&1u32.to_be_bytes());
        t.extend_from_slice(&((gamma * 256.0).round() as u16).to_be_bytes());
        t.extend_from_slice(&[0, 0]);
        t
    };
    let desc = {
        let text = b"test RGB\0";
        let mut t = b"desc\0\0\0\0".to_vec();
        t.extend_from_slice(&(text.len() as u32).to_be_bytes());
        t.extend_from_slice(text);
        t.extend_from_slice(&[0; 4 + 4 + 2 + 1 + 67]);
        t
    };
    let d50 = [0.9642, 1.0, 0.8249];
    let tags: Vec<(&[u8; 4], Vec<u8>)> = vec![
        (b"desc", desc),
        (b"wtpt", xyz(d50)),
        (b"rXYZ", xyz(red)),
        (b"gXYZ", xyz(green)),
        (b"bXYZ", xyz(blue)),
        (b"rTRC", curv.clone()),
        (b"gTRC", curv.clone()),
        (b"bTRC", curv),
    ];
    let mut table = Vec::new();
    let mut data = Vec::new();
    let mut at = 128 + 4 + 12 * tags.len();
    for (sig, body) in &tags {
        table.extend_from_slice(*sig);
        table.extend_from_slice(&(at as u32).to_be_bytes());
        table.extend_from_slice(&(body.len() as u32).to_be_bytes());
        data.extend_from_slice(body);
        while data.len() % 4 != 0 {
            data.push(0);
        }
        at = 128 + 4 + 12 * tags.len() + data.len();
    }
    let size = 128 + 4 + table.len() + data.len();
    let mut h = vec![0u8; 128];
    h[0..4].copy_from_slice(&(size as u32).to_be_bytes());
    h[8..12].copy_from_slice(&[2, 0x10, 0, 0]); // version 2.1
    h[12..16].copy_from_slice(b"mntr");
    h[16..20].copy_from_slice(b"RGB ");
    h[20..24].copy_from_slice(b"XYZ ");
    h[36..40].copy_from_slice(b"acsp");
    h[68..72].copy_from_slice(&s15(d50[0]));
    h[72..76].copy_from_slice(&s15(d50[1]));
    h[76..80].copy_from_slice(&s15(d50[2]));
    let mut out = h;
    out.extend_from_slice(&(tags.len() as u32).to_be_bytes());
    out.extend_from_slice(&table);
    out.extend_from_slice(&data);
    out
}

/// sRGB primaries adapted to D50, as in the ICC sRGB profile.
pub const SRGB_RED: [f64; 3] = [0.4361, 0.2225, 0.0139];
pub const SRGB_GREEN: [f64; 3] = [0.3851, 0.7169, 0.0971];
pub const SRGB_BLUE: [f64; 3] = [0.1431, 0.0606, 0.7141];

/// Adds an ICC profile as APP2 `ICC_PROFILE` right after SOI.
pub fn with_icc(jpeg: &[u8], icc: &[u8]) -> Vec<u8> {
    let mut seg = b"ICC_PROFILE\0\x01\x01".to_vec();
    seg.extend_from_slice(icc);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE2]);
    out.extend_from_slice(&((seg.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&seg);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// A one-frame GIF of the camera scene in 256 grey levels (long LZW data, for truncation).
pub fn gif_scene(w: u16, h: u16) -> TestResult<Vec<u8>> {
    let scene = camera_scene(u32::from(w), u32::from(h));
    let palette: Vec<u8> = (0..=255u8).flat_map(|g| [g, g, g]).collect();
    let mut out = Vec::new();
    {
        let mut enc = gif::Encoder::new(&mut out, w, h, &palette)?;
        let frame = gif::Frame {
            width: w,
            height: h,
            buffer: scene
                .data
                .chunks_exact(3)
                .map(|p| ((u16::from(p[0]) + u16::from(p[1]) + u16::from(p[2])) / 3) as u8)
                .collect::<Vec<u8>>()
                .into(),
            ..gif::Frame::default()
        };
        enc.write_frame(&frame)?;
    }
    Ok(out)
}
