//! `media::read_header`: the upload-time check of what a file's first bytes declare,
//! per format, against the pipeline's pixel limits.

#[allow(dead_code, reason = "shared helpers; these tests use a few")]
mod common;

use common::*;
use media::{read_header, Format, Header, MediaError, Spec};

const HEAD: usize = 64 * 1024;

fn head(bytes: &[u8]) -> &[u8] {
    &bytes[..bytes.len().min(HEAD)]
}

fn header(bytes: &[u8]) -> Result<Option<Header>, MediaError> {
    read_header(head(bytes), &Spec::default())
}

fn too_many(bytes: &[u8], width: u32, height: u32) {
    match header(bytes) {
        Err(MediaError::TooManyPixels {
            width: w,
            height: h,
        }) => {
            assert_eq!((w, h), (width, height));
        }
        other => panic!("expected a pixel refusal, got {other:?}"),
    }
}

fn ok(bytes: &[u8], format: Format, width: u32, height: u32) {
    assert_eq!(
        header(bytes).ok().flatten(),
        Some(Header {
            format,
            width,
            height
        })
    );
}

/// A minimal JPEG head: SOI, an APPn segment of `app` bytes, then SOF0 declaring the size.
fn jpeg_head(width: u16, height: u16, app: usize) -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8, 0xFF, 0xE1];
    b.extend_from_slice(&((app + 2) as u16).to_be_bytes());
    b.extend(std::iter::repeat_n(0u8, app));
    b.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08]);
    b.extend_from_slice(&height.to_be_bytes());
    b.extend_from_slice(&width.to_be_bytes());
    b.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
    b
}

fn png_head(width: u32, height: u32) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    b.extend_from_slice(&width.to_be_bytes());
    b.extend_from_slice(&height.to_be_bytes());
    b.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
    b
}

/// RIFF/WEBP around one chunk of the given kind and payload.
fn webp_head(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
    let mut b = b"RIFF".to_vec();
    b.extend_from_slice(&(4 + 8 + payload.len() as u32).to_le_bytes());
    b.extend_from_slice(b"WEBP");
    b.extend_from_slice(kind);
    b.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    b.extend_from_slice(payload);
    b
}

#[test]
fn jpeg_reads_the_frame_header() -> TestResult {
    ok(&camera_jpeg(640, 480)?, Format::Jpeg, 640, 480);
    // With a camera's EXIF block before the frame.
    let exif = jpeg(&camera_scene(300, 200), 80, true, Some(&camera_exif(6)))?;
    ok(&exif, Format::Jpeg, 300, 200);
    too_many(&jpeg_head(50_000, 50_000, 100), 50_000, 50_000);
    // 6000 × 6000 = 36 MP: under the side limit, over the pixel limit.
    too_many(&jpeg_head(6000, 6000, 100), 6000, 6000);
    ok(&jpeg_head(6000, 4000, 100), Format::Jpeg, 6000, 4000);
    ok(&jpeg_head(6000, 4000, 60_000), Format::Jpeg, 6000, 4000);
    // Metadata segments running past the head: undecided here, the media job decides.
    let mut long = jpeg_head(6000, 6000, 60_000);
    long.splice(
        4..4,
        [0xFF, 0xE2, 0xFF, 0xFF].into_iter().chain(vec![0; 65_533]),
    );
    assert_eq!(header(&long)?, None);
    assert!(matches!(
        header(&jpeg_head(0, 10, 10)),
        Err(MediaError::Decode(_))
    ));
    Ok(())
}

#[test]
fn png_reads_ihdr() -> TestResult {
    let img = camera_scene(120, 80);
    ok(
        &png(&img, png::ColorType::Rgb, false, None)?,
        Format::Png,
        120,
        80,
    );
    too_many(&png_head(50_000, 50_000), 50_000, 50_000);
    too_many(&png_head(30_000, 10), 30_000, 10);
    ok(&png_head(5000, 5000), Format::Png, 5000, 5000);
    let mut not_ihdr = png_head(10, 10);
    not_ihdr[12..16].copy_from_slice(b"IDAT");
    assert_eq!(header(&not_ihdr)?, None);
    Ok(())
}

#[test]
fn webp_reads_each_kind_of_first_chunk() -> TestResult {
    // Lossy (VP8): frame tag, start code, 14-bit sizes.
    let mut vp8 = vec![0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a];
    vp8.extend_from_slice(&1000u16.to_le_bytes());
    vp8.extend_from_slice(&700u16.to_le_bytes());
    ok(&webp_head(b"VP8 ", &vp8), Format::Webp, 1000, 700);
    let mut vp8 = vec![0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a];
    vp8.extend_from_slice(&16_383u16.to_le_bytes());
    vp8.extend_from_slice(&16_383u16.to_le_bytes());
    too_many(&webp_head(b"VP8 ", &vp8), 16_383, 16_383);
    let bad = webp_head(b"VP8 ", &[0x10, 0x02, 0x00, 1, 2, 3, 0, 0, 0, 0]);
    assert!(matches!(header(&bad), Err(MediaError::Decode(_))));
    // Lossless (VP8L): signature then (w-1) | (h-1) << 14.
    let bits = 16_383u32 | (16_383 << 14);
    let mut vp8l = vec![0x2F];
    vp8l.extend_from_slice(&bits.to_le_bytes());
    too_many(&webp_head(b"VP8L", &vp8l), 16_384, 16_384);
    let bits = 399u32 | (299 << 14);
    let mut vp8l = vec![0x2F];
    vp8l.extend_from_slice(&bits.to_le_bytes());
    ok(&webp_head(b"VP8L", &vp8l), Format::Webp, 400, 300);
    // Extended (VP8X): 24-bit canvas sizes minus one.
    let vp8x = [0, 0, 0, 0, 0xFF, 0x3F, 0x00, 0xFF, 0x3F, 0x00];
    too_many(&webp_head(b"VP8X", &vp8x), 16_384, 16_384);
    let vp8x = [0, 0, 0, 0, 0x7F, 0x07, 0x00, 0xFF, 0x04, 0x00];
    ok(&webp_head(b"VP8X", &vp8x), Format::Webp, 1920, 1280);
    // A real file from the fixtures.
    let fixture = include_bytes!("fixtures/lossy.webp");
    assert!(matches!(
        header(fixture)?,
        Some(Header {
            format: Format::Webp,
            ..
        })
    ));
    assert!(matches!(
        header(&webp_head(b"ALPH", &[0; 10])),
        Err(MediaError::Decode(_))
    ));
    Ok(())
}

#[test]
fn gif_reads_the_logical_screen() -> TestResult {
    ok(&gif_scene(64, 40)?, Format::Gif, 64, 40);
    too_many(b"GIF89a\xff\xff\xff\xff\x00\x00\x00", 65_535, 65_535);
    too_many(b"GIF87a\xff\xff\x01\x00\x00\x00\x00", 65_535, 1);
    assert_eq!(header(b"GIF89a\x01")?, None);
    Ok(())
}

#[test]
fn heic_and_junk_are_refused_with_a_reason() {
    for brand in [&b"heic"[..], b"heix", b"mif1"] {
        let mut b = b"\0\0\0\x18ftyp".to_vec();
        b.extend_from_slice(brand);
        b.extend_from_slice(b"\0\0\0\0mif1heic");
        let e = header(&b).err();
        assert!(matches!(e, Some(MediaError::Heic)), "{e:?}");
        assert!(e.is_some_and(|e| e.user_message().contains("Most Compatible")));
    }
    for junk in [&b""[..], b"hello world", b"%PDF-1.7", b"\0\0\0\x18ftypavif"] {
        assert!(matches!(header(junk), Err(MediaError::Unsupported)));
    }
}

/// The header check never panics, whatever the bytes: every prefix of real files, and
/// every byte of a head flipped.
#[test]
fn never_panics_on_prefixes_or_flipped_bytes() -> TestResult {
    let files = [
        camera_jpeg(64, 48)?,
        png(&camera_scene(64, 48), png::ColorType::Rgb, false, None)?,
        gif_scene(16, 16)?,
        include_bytes!("fixtures/lossy.webp").to_vec(),
    ];
    for f in &files {
        for n in 0..f.len().min(400) {
            let _ = header(&f[..n]);
        }
        for i in 0..f.len().min(64) {
            let mut g = f.clone();
            g[i] ^= 0xFF;
            let _ = header(&g);
        }
    }
    Ok(())
}
