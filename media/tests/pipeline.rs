//! End-to-end tests of `media::process` on generated inputs (see `common/mod.rs`).

#[allow(dead_code, reason = "shared helpers; the bench uses others")]
mod common;

use common::*;
use media::{process, Format, MediaError, Spec};

fn widths(out: &media::Output) -> Vec<(u32, u32)> {
    out.variants.iter().map(|v| (v.width, v.height)).collect()
}

/// Every variant is clean of metadata and has the declared size and type.
fn check_variants(out: &media::Output) -> TestResult {
    for v in &out.variants {
        assert!(!has_metadata(&v.bytes), "metadata leaked into {}w", v.width);
        let img = decode_variant(v)?;
        assert_eq!((img.width, img.height), (v.width, v.height));
        match v.mime {
            "image/jpeg" => {
                assert_eq!(v.ext, "jpg");
                // SOF2: progressive.
                assert!(
                    v.bytes.windows(2).any(|w| w == [0xFF, 0xC2]),
                    "not progressive"
                );
            }
            "image/webp" => {
                assert_eq!(v.ext, "webp");
                assert!(v.bytes.windows(4).any(|w| w == b"VP8L"), "not lossless");
            }
            m => return Err(format!("unexpected mime {m}").into()),
        }
    }
    let mut sorted = out.variants.iter().map(|v| v.width).collect::<Vec<_>>();
    sorted.dedup();
    assert_eq!(sorted.len(), out.variants.len());
    assert!(sorted.windows(2).all(|w| w[0] < w[1]));
    Ok(())
}

fn camera_case(w: u32, h: u32) -> TestResult {
    let bytes = camera_jpeg(w, h)?;
    let out = process(&bytes, &Spec::default())?;
    assert_eq!(out.format, Format::Jpeg);
    assert_eq!((out.width, out.height), (w, h));
    let hh = |vw: u32| (u64::from(vw) * u64::from(h) + u64::from(w) / 2) / u64::from(w);
    assert_eq!(
        widths(&out),
        [320, 640, 1280, 2048]
            .map(|vw| (vw, hh(vw) as u32))
            .to_vec()
    );
    assert!(out.variants.iter().all(|v| v.mime == "image/jpeg"));
    check_variants(&out)?;

    use sha2::Digest;
    let digest = sha2::Sha256::digest(&bytes);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(out.sha256, hex);

    let e = &out.exif;
    assert_eq!(e.make.as_deref(), Some("Lumix"));
    assert_eq!(e.model.as_deref(), Some("DC-G9"));
    assert_eq!(e.lens.as_deref(), Some("LEICA DG 25mm F1.4"));
    assert_eq!(e.exposure_time.as_deref(), Some("1/250"));
    assert_eq!(e.f_number, Some(2.8));
    assert_eq!(e.iso, Some(400));
    assert_eq!(e.focal_length_mm, Some(25.0));
    assert_eq!(e.taken_at.as_deref(), Some("2024-06-01T12:34:56"));
    assert_eq!(e.orientation, Some(1));
    let gps = out.gps.as_ref().ok_or("GPS missing")?;
    assert!((gps.latitude - 48.858_222).abs() < 1e-5, "{gps:?}");
    assert!((gps.longitude - 2.294_5).abs() < 1e-5, "{gps:?}");
    assert_eq!(gps.altitude, Some(35.0));

    // The placeholder decodes and has the photo's shape and a sky-ish average.
    let (tw, th, _) = thumbhash::thumb_hash_to_rgba(&out.thumbhash).map_err(|_| "thumbhash")?;
    let aspect = tw as f32 / th as f32;
    assert!((aspect - w as f32 / h as f32).abs() < 0.35, "{tw}x{th}");
    assert_eq!(out.average_rgba[3], 255);
    Ok(())
}

#[test]
fn camera_12mp_with_exif_and_gps() -> TestResult {
    camera_case(4000, 3000)
}

#[test]
fn camera_24mp_with_exif_and_gps() -> TestResult {
    camera_case(6000, 4000)
}

#[test]
fn exif_and_gps_round_trip_through_serde() -> TestResult {
    let out = process(&camera_jpeg(400, 300)?, &Spec::default())?;
    let json = serde_json::to_string(&out.exif)?;
    assert!(
        json.contains("\"taken_at\":\"2024-06-01T12:34:56\""),
        "{json}"
    );
    assert!(!json.contains("SERIAL"), "{json}");
    let back: media::Exif = serde_json::from_str(&json)?;
    assert_eq!(back, out.exif);
    assert_ne!(back, media::Exif::default());
    let gps = out.gps.ok_or("no GPS")?;
    let back: media::Gps = serde_json::from_str(&serde_json::to_string(&gps)?)?;
    // serde_json's default float parsing may differ in the last bit.
    assert!((back.latitude - gps.latitude).abs() < 1e-12);
    assert!((back.longitude - gps.longitude).abs() < 1e-12);
    assert_eq!(back.altitude, gps.altitude);
    Ok(())
}

/// Where the red block of `marker_upright` sits in the *stored* image, worked out by hand from
/// the EXIF spec (TL, TR, BR, BL), independent of the pipeline's own mapping.
fn stored_red_corner(o: u16) -> &'static str {
    match o {
        1 | 5 => "TL",
        2 | 8 => "TR",
        3 | 7 => "BR",
        _ => "BL", // 4, 6
    }
}

#[test]
fn orientations_1_to_8_put_the_marker_top_left() -> TestResult {
    let upright = marker_upright(400, 300);
    let red = [230, 20, 20, 255];
    let green = [20, 200, 20, 255];
    let grey = [128, 128, 128, 255];
    for o in 1..=8u16 {
        let stored = store_for_orientation(&upright, o);
        let (sw, sh) = (stored.width, stored.height);
        // The generator agrees with the hand-made table.
        let corner = |x: u32, y: u32| {
            let at = ((y * sw + x) * 3) as usize;
            stored.data[at..at + 3] == [230, 20, 20]
        };
        let found = [
            ("TL", corner(2, 2)),
            ("TR", corner(sw - 3, 2)),
            ("BR", corner(sw - 3, sh - 3)),
            ("BL", corner(2, sh - 3)),
        ]
        .into_iter()
        .find(|c| c.1)
        .map(|c| c.0);
        assert_eq!(found, Some(stored_red_corner(o)), "orientation {o}");

        let bytes = jpeg(&stored, 95, false, Some(&orientation_exif(o)))?;
        let out = process(&bytes, &Spec::default())?;
        assert_eq!((out.width, out.height), (400, 300), "orientation {o}");
        assert_eq!(out.exif.orientation, Some(o));
        assert_eq!(
            widths(&out),
            vec![(320, 240), (400, 300)],
            "orientation {o}"
        );
        check_variants(&out)?;
        for v in &out.variants {
            let img = decode_variant(v)?;
            let (w, h) = (img.width, img.height);
            let r = w / 40;
            assert!(
                near(mean_at(&img, w / 8, h / 8, r), red, 30),
                "o{o} {w}: red"
            );
            assert!(
                near(mean_at(&img, w - w / 8, h / 8, r), green, 30),
                "o{o} {w}: green"
            );
            assert!(
                near(mean_at(&img, w / 8, h - h / 8, r), grey, 12),
                "o{o} {w}: BL"
            );
            assert!(
                near(mean_at(&img, w - w / 8, h - h / 8, r), grey, 12),
                "o{o} {w}: BR"
            );
        }
    }
    Ok(())
}

fn rgba_gradient(w: u32, h: u32) -> Img {
    let mut data = Vec::with_capacity((w * h * 4) as usize);
    for y in 0..h {
        for x in 0..w {
            data.extend_from_slice(&[200, (x * 255 / w) as u8, 40, (y * 255 / h) as u8]);
        }
    }
    Img {
        width: w,
        height: h,
        channels: 4,
        data,
    }
}

#[test]
fn png_with_alpha_becomes_lossless_webp_with_alpha() -> TestResult {
    let bytes = png(&rgba_gradient(500, 300), png::ColorType::Rgba, false, None)?;
    let out = process(&bytes, &Spec::default())?;
    assert_eq!(out.format, Format::Png);
    assert_eq!(widths(&out), vec![(320, 192), (500, 300)]);
    check_variants(&out)?;
    for v in &out.variants {
        assert_eq!((v.mime, v.ext), ("image/webp", "webp"));
        let img = decode_variant(v)?;
        // Top rows nearly transparent, bottom rows nearly opaque; colour kept.
        assert!(mean_at(&img, img.width / 2, 1, 1)[3] < 20);
        let bottom = mean_at(&img, img.width / 2, img.height - 2, 1);
        assert!(bottom[3] > 235 && bottom[0].abs_diff(200) < 8, "{bottom:?}");
    }
    assert!(out.average_rgba[3] > 90 && out.average_rgba[3] < 165);
    Ok(())
}

#[test]
fn png_16_bit_is_reduced_to_8_bit() -> TestResult {
    let img = camera_scene(700, 500);
    let bytes = png(&img, png::ColorType::Rgb, true, None)?;
    let out = process(&bytes, &Spec::default())?;
    assert_eq!(widths(&out), vec![(320, 229), (640, 457), (700, 500)]);
    assert!(out.variants.iter().all(|v| v.mime == "image/jpeg"));
    check_variants(&out)?;
    let top = decode_variant(&out.variants[2])?;
    // Sky stays sky-blue.
    let sky = mean_at(&top, 100, 40, 4);
    assert!(sky[2] > 200 && sky[0] < 120, "{sky:?}");
    Ok(())
}

#[test]
fn large_png_is_shrunk_while_decoding() -> TestResult {
    // 4200×2800 RGB: twice the 2048 variant, so rows are box-averaged as they stream in.
    let bytes = png(&camera_scene(4200, 2800), png::ColorType::Rgb, false, None)?;
    let out = process(&bytes, &Spec::default())?;
    assert_eq!((out.width, out.height), (4200, 2800));
    assert_eq!(
        widths(&out),
        vec![(320, 213), (640, 427), (1280, 853), (2048, 1365)]
    );
    check_variants(&out)?;
    let top = decode_variant(&out.variants[3])?;
    let sky = mean_at(&top, 200, 80, 4);
    assert!(sky[2] > 200 && sky[0] < 120, "{sky:?}");
    let brick = mean_at(&top, 2048 * 3 / 10, 1365 * 6 / 10, 6);
    assert!(brick[0] > 150 && brick[2] < 90, "{brick:?}");

    // RGBA: 3-px stripes of transparent black and opaque white. Averaging must weight by
    // alpha: the result is white at half alpha, never grey.
    let (w, h) = (4200u32, 2100u32);
    let mut data = Vec::with_capacity((w * h * 4) as usize);
    for _ in 0..h {
        for x in 0..w {
            data.extend_from_slice(if (x / 3) % 2 == 0 {
                &[0, 0, 0, 0]
            } else {
                &[255; 4]
            });
        }
    }
    let img = Img {
        width: w,
        height: h,
        channels: 4,
        data,
    };
    let out = process(
        &png(&img, png::ColorType::Rgba, false, None)?,
        &Spec::default(),
    )?;
    assert!(out.variants.iter().all(|v| v.mime == "image/webp"));
    let top = decode_variant(&out.variants[3])?;
    let p = mean_at(&top, 1000, 500, 10);
    assert!(p[3] > 100 && p[3] < 155, "{p:?}");
    for y in (0..top.height).step_by(97) {
        for x in (0..top.width).step_by(89) {
            let at = ((y * top.width + x) * 4) as usize;
            if top.data[at + 3] > 16 {
                assert!(
                    top.data[at] > 240,
                    "dark fringe at {x},{y}: {:?}",
                    &top.data[at..at + 4]
                );
            }
        }
    }
    Ok(())
}

#[test]
fn palette_png_opaque_and_transparent() -> TestResult {
    let (w, h) = (400, 200);
    let idx: Vec<u8> = (0..w * h)
        .map(|i| if i % w < w / 2 { 0 } else { 1 })
        .collect();
    let img = Img {
        width: w,
        height: h,
        channels: 1,
        data: idx,
    };
    let plte = [255, 0, 0, 0, 0, 255];
    let opaque = process(
        &png(&img, png::ColorType::Indexed, false, Some((&plte, None)))?,
        &Spec::default(),
    )?;
    assert!(opaque.variants.iter().all(|v| v.mime == "image/jpeg"));
    check_variants(&opaque)?;
    let top = decode_variant(&opaque.variants[1])?;
    assert!(near(mean_at(&top, 50, 100, 3), [255, 0, 0, 255], 25));
    assert!(near(mean_at(&top, 350, 100, 3), [0, 0, 255, 255], 25));

    let transparent = process(
        &png(
            &img,
            png::ColorType::Indexed,
            false,
            Some((&plte, Some(&[255, 0]))),
        )?,
        &Spec::default(),
    )?;
    assert!(transparent.variants.iter().all(|v| v.mime == "image/webp"));
    let top = decode_variant(&transparent.variants[1])?;
    assert_eq!(mean_at(&top, 350, 100, 3)[3], 0);
    assert_eq!(mean_at(&top, 50, 100, 3)[3], 255);
    Ok(())
}

#[test]
fn greyscale_jpeg_and_png() -> TestResult {
    let (w, h) = (640, 480);
    let data: Vec<u8> = (0..w * h).map(|i| ((i % w) * 255 / w) as u8).collect();
    let img = Img {
        width: w,
        height: h,
        channels: 1,
        data,
    };
    for bytes in [
        jpeg(&img, 90, false, None)?,
        png(&img, png::ColorType::Grayscale, false, None)?,
    ] {
        let out = process(&bytes, &Spec::default())?;
        assert_eq!(widths(&out), vec![(320, 240), (640, 480)]);
        check_variants(&out)?;
        let top = decode_variant(&out.variants[1])?;
        let p = mean_at(&top, 320, 240, 2);
        assert!(p[0].abs_diff(p[1]) < 4 && p[1].abs_diff(p[2]) < 4, "{p:?}");
        assert!(p[0].abs_diff(127) < 8, "{p:?}");
    }
    Ok(())
}

#[test]
fn cmyk_jpeg_is_converted_to_rgb() -> TestResult {
    // Left half pure magenta+yellow ink (red), right half cyan ink.
    let (w, h) = (400, 200);
    let mut data = Vec::new();
    for _ in 0..h {
        for x in 0..w {
            data.extend_from_slice(if x < w / 2 {
                &[0, 255, 255, 0]
            } else {
                &[255, 0, 0, 0]
            });
        }
    }
    let img = Img {
        width: w,
        height: h,
        channels: 4,
        data,
    };
    let out = process(&jpeg(&img, 95, false, None)?, &Spec::default())?;
    check_variants(&out)?;
    let top = decode_variant(&out.variants[1])?;
    assert!(near(mean_at(&top, 100, 100, 3), [255, 0, 0, 255], 20));
    assert!(near(mean_at(&top, 300, 100, 3), [0, 255, 255, 255], 20));
    Ok(())
}

#[test]
fn progressive_jpeg_input() -> TestResult {
    let bytes = jpeg(&camera_scene(1500, 1000), 85, true, Some(&camera_exif(6)))?;
    let out = process(&bytes, &Spec::default())?;
    assert_eq!((out.width, out.height), (1000, 1500));
    assert_eq!(widths(&out), vec![(320, 480), (640, 960), (1000, 1500)]);
    check_variants(&out)?;
    Ok(())
}

#[test]
fn non_srgb_icc_is_converted() -> TestResult {
    // A profile whose red and blue primaries are swapped: stored "red" really means blue.
    let swapped = icc_profile(SRGB_BLUE, SRGB_GREEN, SRGB_RED, 2.2);
    let img = marker_upright(400, 300);
    let bytes = with_icc(&jpeg(&img, 95, false, None)?, &swapped);
    let out = process(&bytes, &Spec::default())?;
    let top = decode_variant(&out.variants[1])?;
    let p = mean_at(&top, 50, 37, 3);
    assert!(
        p[2] > 150 && p[0] < 90,
        "red block should now be blue: {p:?}"
    );
    assert!(out.variants.iter().all(|v| !has_icc(&v.bytes)));

    // An sRGB-equivalent profile leaves pixels alone.
    let srgbish = icc_profile(SRGB_RED, SRGB_GREEN, SRGB_BLUE, 2.2);
    let out = process(
        &with_icc(&jpeg(&img, 95, false, None)?, &srgbish),
        &Spec::default(),
    )?;
    let p = mean_at(&decode_variant(&out.variants[1])?, 50, 37, 3);
    assert!(p[0] > 180 && p[2] < 70, "{p:?}");

    // A broken profile is ignored, not trusted and not fatal.
    let out = process(
        &with_icc(&jpeg(&img, 95, false, None)?, b"garbage profile"),
        &Spec::default(),
    )?;
    assert_eq!(out.variants.len(), 2);
    Ok(())
}

fn has_icc(bytes: &[u8]) -> bool {
    bytes.windows(11).any(|w| w == b"ICC_PROFILE") || bytes.windows(4).any(|w| w == b"iCCP")
}

#[test]
fn webp_lossless_lossy_and_alpha() -> TestResult {
    // Lossless, made here with image-webp's encoder, with EXIF orientation 6.
    let upright = marker_upright(400, 300);
    let stored = store_for_orientation(&upright, 6);
    let mut bytes = Vec::new();
    let mut enc = image_webp::WebPEncoder::new(&mut bytes);
    enc.set_exif_metadata(camera_exif(6));
    enc.encode(
        &stored.data,
        stored.width,
        stored.height,
        image_webp::ColorType::Rgb8,
    )?;
    let out = process(&bytes, &Spec::default())?;
    assert_eq!(out.format, Format::Webp);
    assert_eq!((out.width, out.height), (400, 300));
    assert_eq!(out.exif.make.as_deref(), Some("Lumix"));
    assert!(out.gps.is_some());
    check_variants(&out)?;
    let top = decode_variant(&out.variants[1])?;
    assert!(near(mean_at(&top, 50, 37, 3), [230, 20, 20, 255], 20));

    // Lossless with alpha.
    let rgba = rgba_gradient(300, 200);
    let mut bytes = Vec::new();
    image_webp::WebPEncoder::new(&mut bytes).encode(
        &rgba.data,
        300,
        200,
        image_webp::ColorType::Rgba8,
    )?;
    let out = process(&bytes, &Spec::default())?;
    assert!(out.variants.iter().all(|v| v.mime == "image/webp"));

    // Lossy (VP8) and lossy with alpha (VP8X + ALPH), made once with libvips.
    let out = process(include_bytes!("fixtures/lossy.webp"), &Spec::default())?;
    assert_eq!(widths(&out), vec![(64, 48)]);
    let img = decode_variant(&out.variants[0])?;
    assert!(near(mean_at(&img, 6, 4, 2), [230, 20, 20, 255], 30));
    assert!(near(mean_at(&img, 57, 4, 2), [20, 200, 20, 255], 30));
    let out = process(
        include_bytes!("fixtures/lossy_alpha.webp"),
        &Spec::default(),
    )?;
    assert_eq!(out.variants[0].mime, "image/webp");
    let img = decode_variant(&out.variants[0])?;
    assert_eq!(mean_at(&img, 32, 40, 2)[3], 0);
    assert!(mean_at(&img, 32, 10, 2)[3] > 250);
    Ok(())
}

#[test]
fn animated_gif_uses_first_frame() -> TestResult {
    let (w, h) = (120u16, 80u16);
    let mut bytes = Vec::new();
    {
        let palette = [255, 0, 0, 0, 0, 255, 0, 255, 0];
        let mut enc = gif::Encoder::new(&mut bytes, w, h, &palette)?;
        enc.set_repeat(gif::Repeat::Infinite)?;
        for colour in [0u8, 1] {
            let mut frame = gif::Frame {
                width: w,
                height: h,
                delay: 10,
                ..gif::Frame::default()
            };
            // Frame 1: red with a transparent bottom-right quarter; frame 2: all blue.
            let px: Vec<u8> = (0..usize::from(w) * usize::from(h))
                .map(|i| {
                    let (x, y) = (i % usize::from(w), i / usize::from(w));
                    if colour == 0 && x >= 60 && y >= 40 {
                        2
                    } else {
                        colour
                    }
                })
                .collect();
            frame.buffer = px.into();
            frame.transparent = (colour == 0).then_some(2);
            enc.write_frame(&frame)?;
        }
    }
    let out = process(&bytes, &Spec::default())?;
    assert_eq!(out.format, Format::Gif);
    assert_eq!(widths(&out), vec![(120, 80)]);
    assert_eq!(out.variants[0].mime, "image/webp");
    let img = decode_variant(&out.variants[0])?;
    assert!(near(mean_at(&img, 10, 10, 2), [255, 0, 0, 255], 2));
    assert_eq!(mean_at(&img, 100, 70, 2)[3], 0);
    Ok(())
}

/// Fuzzer find: a GIF whose first frame sits to the right of the logical screen.
#[test]
fn gif_frame_outside_the_screen() -> TestResult {
    let mut bytes = Vec::new();
    {
        let mut enc = gif::Encoder::new(&mut bytes, 16, 12, &[255, 0, 0, 0, 0, 255])?;
        let frame = gif::Frame {
            left: 100,
            top: 3,
            width: 8,
            height: 8,
            buffer: vec![0u8; 64].into(),
            ..gif::Frame::default()
        };
        enc.write_frame(&frame)?;
    }
    let out = process(&bytes, &Spec::default())?;
    assert_eq!(widths(&out), vec![(16, 12)]);
    assert_eq!(out.average_rgba[3], 0);
    // The original fuzzer input, kept in the seed corpus.
    let _ = process(
        include_bytes!("../fuzz/seeds/crash-gif-frame-offscreen"),
        &Spec::default(),
    );
    Ok(())
}

#[test]
fn demo_like_small_images_are_not_upscaled() -> TestResult {
    let out = process(
        &jpeg(&camera_scene(200, 100), 90, false, None)?,
        &Spec::default(),
    )?;
    assert_eq!(widths(&out), vec![(200, 100)]);
    let out = process(
        &jpeg(&camera_scene(1, 1), 90, false, None)?,
        &Spec::default(),
    )?;
    assert_eq!(widths(&out), vec![(1, 1)]);
    Ok(())
}

// ---- broken and hostile inputs: always Err, never a panic ----

fn expect_err(bytes: &[u8], what: &str) -> MediaError {
    match process(bytes, &Spec::default()) {
        Ok(_) => panic!("{what}: expected an error"),
        Err(e) => {
            assert!(!e.user_message().is_empty());
            e
        }
    }
}

#[test]
fn truncated_files_fail() -> TestResult {
    let rgba = rgba_gradient(300, 200);
    let mut webp = Vec::new();
    image_webp::WebPEncoder::new(&mut webp).encode(
        &rgba.data,
        300,
        200,
        image_webp::ColorType::Rgba8,
    )?;
    let inputs = [
        ("jpeg", camera_jpeg(800, 600)?),
        (
            "progressive",
            jpeg(&camera_scene(800, 600), 80, true, None)?,
        ),
        (
            "png",
            png(&camera_scene(300, 200), png::ColorType::Rgb, false, None)?,
        ),
        ("webp", webp),
        ("lossy webp", include_bytes!("fixtures/lossy.webp").to_vec()),
        ("gif", gif_scene(300, 200)?),
    ];
    for (name, full) in inputs {
        for cut in [full.len() / 3, full.len() / 2, full.len() * 9 / 10] {
            expect_err(&full[..cut], name);
        }
        // Every prefix of the first kilobyte also fails cleanly.
        for cut in (0..full.len().min(1024)).step_by(7) {
            let _ = process(&full[..cut], &Spec::default());
        }
    }
    Ok(())
}

#[test]
fn garbage_after_header_fails() -> TestResult {
    let mut seed = 7u32;
    let mut noise = || {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        (seed >> 16) as u8
    };
    for (name, full) in [
        ("jpeg", camera_jpeg(640, 480)?),
        (
            "png",
            png(&camera_scene(300, 200), png::ColorType::Rgb, false, None)?,
        ),
        ("webp", include_bytes!("fixtures/lossy.webp").to_vec()),
        ("gif", gif_scene(300, 200)?),
    ] {
        let keep = match name {
            "jpeg" => full.len() / 20,
            "png" => 33 + 20,
            // header, global palette, image descriptor, LZW minimum code size
            "gif" => 13 + 768 + 10 + 1,
            _ => 30,
        };
        let mut bytes = full[..keep].to_vec();
        bytes.extend((0..20_000).map(|_| noise()));
        expect_err(&bytes, name);
    }
    Ok(())
}

#[test]
fn pixel_flood_headers_are_refused_before_decoding() -> TestResult {
    // JPEG: a real header with the SOF size patched to 60000×60000.
    let mut jpg = jpeg(&camera_scene(64, 64), 80, false, None)?;
    let sof = jpg
        .windows(2)
        .position(|w| w == [0xFF, 0xC0])
        .ok_or("no SOF")?;
    jpg[sof + 5..sof + 9].copy_from_slice(&[0xEA, 0x60, 0xEA, 0x60]);
    assert!(matches!(
        expect_err(&jpg, "jpeg flood"),
        MediaError::TooManyPixels {
            width: 60000,
            height: 60000
        }
    ));
    // 8000×8000 = 64 MP: under the side limit, over the pixel limit.
    jpg[sof + 5..sof + 9].copy_from_slice(&[0x1F, 0x40, 0x1F, 0x40]);
    assert!(matches!(
        expect_err(&jpg, "jpeg 64MP"),
        MediaError::TooManyPixels { .. }
    ));

    // PNG: IHDR claims 100000×100000 (CRC left wrong: the check happens first anyway).
    let mut p = png(&camera_scene(8, 8), png::ColorType::Rgb, false, None)?;
    p[16..24].copy_from_slice(&[0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0]);
    assert!(matches!(
        expect_err(&p, "png flood"),
        MediaError::TooManyPixels { .. }
    ));
    // A long thin one: 30000×10.
    p[16..24].copy_from_slice(&[0, 0, 0x75, 0x30, 0, 0, 0, 10]);
    assert!(matches!(
        expect_err(&p, "png side"),
        MediaError::TooManyPixels { .. }
    ));

    // GIF: 65535×65535 screen.
    let mut g = b"GIF89a\xff\xff\xff\xff\x00\x00\x00".to_vec();
    g.extend_from_slice(b",\0\0\0\0\xff\xff\xff\xff\0\x02\x02D\x01\0;");
    assert!(matches!(
        expect_err(&g, "gif flood"),
        MediaError::TooManyPixels { .. }
    ));

    // WebP VP8X canvas 16384×16384.
    let mut w = b"RIFF\x16\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0".to_vec();
    w.extend_from_slice(&[0xFF, 0x3F, 0x00, 0xFF, 0x3F, 0x00]);
    assert!(matches!(
        expect_err(&w, "webp flood"),
        MediaError::TooManyPixels { .. }
    ));

    // GIF whose screen is small but whose first frame is huge: bounded by the decoder's limit.
    let mut g = b"GIF89a\x10\x00\x10\x00\x00\x00\x00".to_vec();
    g.extend_from_slice(b",\0\0\0\0\xff\xff\xff\xff\0\x02\x02D\x01\0;");
    expect_err(&g, "gif frame flood");

    // Over the byte cap.
    let spec = Spec {
        max_bytes: 1000,
        ..Spec::default()
    };
    assert!(matches!(
        process(&camera_jpeg(200, 200)?, &spec),
        Err(MediaError::TooLarge { max: 1000, .. })
    ));
    Ok(())
}

/// Damaged EXIF costs only the metadata: the picture is still processed (with whatever
/// fields could be read, or none).
#[test]
fn corrupt_exif_keeps_the_picture() -> TestResult {
    let img = camera_scene(64, 48);
    let mut cases = Vec::new();
    // IFD0 offset far outside the block.
    let mut t = camera_exif(1);
    t[4..8].copy_from_slice(&0xFFFF_FF00u32.to_le_bytes());
    cases.push(("ifd0 offset", t));
    // Byte-order mark destroyed.
    let mut t = camera_exif(1);
    t[0..2].copy_from_slice(b"XX");
    cases.push(("byte order", t));
    // Entry count promising more entries than exist.
    let mut t = camera_exif(1);
    t[8..10].copy_from_slice(&0xFFFFu16.to_le_bytes());
    cases.push(("entry count", t));
    // Every IFD0 entry's value count pointing far past the segment.
    let mut t = camera_exif(1);
    let entries = usize::from(u16::from_le_bytes([t[8], t[9]]));
    for e in 0..entries {
        let at = 10 + 12 * e + 4;
        t[at..at + 4].copy_from_slice(&0x7FFF_FFF0u32.to_le_bytes());
    }
    cases.push(("tag counts", t));
    for (what, t) in cases {
        let out = process(&jpeg(&img, 80, false, Some(&t))?, &Spec::default())
            .map_err(|e| format!("{what}: {e}"))?;
        assert_eq!((out.width, out.height), (64, 48), "{what}");
        assert!(!out.variants.is_empty(), "{what}");
        check_variants(&out)?;
    }
    Ok(())
}

#[test]
fn not_an_image() {
    for bytes in [
        &b""[..],
        b"hello world",
        b"%PDF-1.7",
        b"\xFF\xD8",
        b"\x89PNG\r\n\x1a\n",
    ] {
        let e = expect_err(bytes, "junk");
        assert!(
            matches!(e, MediaError::Unsupported | MediaError::Decode(_)),
            "{e:?}"
        );
    }
    assert_eq!(
        MediaError::Unsupported.user_message(),
        "This file is not a supported image (JPEG, PNG, WebP or GIF)."
    );
}

#[test]
fn watermark_only_on_wide_variants_and_legible_on_light_and_dark() -> TestResult {
    for (name, level) in [("dark", 10u8), ("mid", 128), ("light", 245)] {
        let img = Img {
            width: 1000,
            height: 750,
            channels: 3,
            data: vec![level; 1000 * 750 * 3],
        };
        let bytes = jpeg(&img, 95, false, None)?;
        let plain = process(&bytes, &Spec::default())?;
        let spec = Spec {
            watermark: Some("© Ana Lumen".to_owned()),
            ..Spec::default()
        };
        let marked = process(&bytes, &spec)?;
        assert_eq!(widths(&plain), widths(&marked));
        // 320 px: untouched.
        assert_eq!(plain.variants[0].bytes, marked.variants[0].bytes, "{name}");
        for v in &marked.variants[1..] {
            let px = decode_variant(v)?;
            // Bottom-right band holds both near-white glyphs and a dark outline.
            let (x0, y0) = (px.width * 3 / 5, px.height * 9 / 10);
            let (mut bright, mut dark) = (0, 0);
            for y in y0..px.height {
                for x in x0..px.width {
                    let at = ((y * px.width + x) * 4) as usize;
                    let l = px.data[at];
                    bright += usize::from(l > 225);
                    dark += usize::from(l < 90);
                }
            }
            assert!(bright > 50, "{name} {}w: no bright glyph pixels", v.width);
            if level > 70 {
                assert!(dark > 50, "{name} {}w: no dark outline", v.width);
            }
            // Top-left untouched.
            assert!(near(mean_at(&px, 20, 20, 3), [level, level, level, 255], 3));
        }
    }
    Ok(())
}
