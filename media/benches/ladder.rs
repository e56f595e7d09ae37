//! `cargo bench -p media --bench ladder`: the full ladder + thumbhash for generated 12 MP and
//! 24 MP camera-like JPEGs on one thread, against libvips' `vipsthumbnail` making the same
//! widths in the same run (VIPS_CONCURRENCY=1). Prints times, the ratio ours/libvips and the
//! bytes of every variant beside libvips' bytes at the same quality. Not a timed test.
//!
//! Options (after `--`): `--runs N` (default 5), `--keep DIR` to leave inputs and outputs there.

#[allow(
    dead_code,
    reason = "shared test helpers; the bench needs only the generators"
)]
#[path = "../tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

type Res<T = ()> = Result<T, Box<dyn std::error::Error>>;
/// One named encoder run for the lossless comparison.
type Encode<'a> = (&'a str, Box<dyn Fn() -> Res<Vec<u8>> + 'a>);

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// One `vipsthumbnail` per width, as the old pipeline would run it. Returns total time and
/// the bytes of each output.
fn vips(input: &Path, dir: &Path, widths: &[u32], q: u8) -> Res<(Duration, Vec<usize>)> {
    let mut sizes = Vec::new();
    let start = Instant::now();
    for &w in widths {
        let out = dir.join(format!("vips-{w}.jpg"));
        let status = Command::new("vipsthumbnail")
            .env("VIPS_CONCURRENCY", "1")
            .arg(input)
            .arg("--size")
            .arg(format!("{w}x"))
            .arg("-o")
            .arg(format!(
                "{}[Q={q},strip,interlace,optimize_coding]",
                out.display()
            ))
            .status()?;
        if !status.success() {
            return Err(format!("vipsthumbnail failed for {w}").into());
        }
        sizes.push(std::fs::metadata(&out)?.len() as usize);
    }
    Ok((start.elapsed(), sizes))
}

fn main() -> Res {
    let args: Vec<String> = std::env::args().collect();
    let runs = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(5usize);
    let dir: PathBuf = match args.iter().position(|a| a == "--keep") {
        Some(i) => PathBuf::from(args.get(i + 1).ok_or("--keep DIR")?),
        None => std::env::temp_dir().join(format!("media-bench-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir)?;
    let has_vips = Command::new("vipsthumbnail")
        .arg("--version")
        .output()
        .is_ok();
    if !has_vips {
        eprintln!("vipsthumbnail not found: install libvips-tools to compare");
    }
    let spec = media::Spec::default();
    println!(
        "media ladder bench: {runs} runs each, median; one thread; widths {:?}, q{}",
        spec.widths, spec.jpeg_quality
    );
    for (name, w, h) in [("12MP", 4000u32, 3000u32), ("24MP", 6000, 4000)] {
        let bytes = common::camera_jpeg(w, h)?;
        let input = dir.join(format!("camera-{name}.jpg"));
        std::fs::write(&input, &bytes)?;
        let mut ours = Vec::new();
        let mut out = None;
        for _ in 0..runs {
            let t = Instant::now();
            let o = media::process(&bytes, &spec)?;
            ours.push(t.elapsed());
            out = Some(o);
        }
        let out = out.ok_or("no runs")?;
        for v in &out.variants {
            std::fs::write(dir.join(format!("ours-{}.{}", v.width, v.ext)), &v.bytes)?;
        }
        let ours = median(ours);
        println!(
            "\n{name} {w}x{h} input {:.1} MB: ours {:.0} ms (ladder + thumbhash + sha256 + EXIF)",
            bytes.len() as f64 / 1e6,
            ms(ours)
        );
        let widths: Vec<u32> = out.variants.iter().map(|v| v.width).collect();
        let vips_sizes = if has_vips {
            let mut times = Vec::new();
            let mut sizes = Vec::new();
            for _ in 0..runs {
                let (t, s) = vips(&input, &dir, &widths, spec.jpeg_quality)?;
                times.push(t);
                sizes = s;
            }
            let vt = median(times);
            println!(
                "{name}: vipsthumbnail x{} {:.0} ms; ratio ours/libvips = {:.2}",
                widths.len(),
                ms(vt),
                ms(ours) / ms(vt)
            );
            sizes
        } else {
            vec![0; widths.len()]
        };
        println!(
            "{:>6} {:>12} {:>14} {:>8}",
            "width", "ours bytes", "libvips bytes", "ratio"
        );
        for (v, vs) in out.variants.iter().zip(&vips_sizes) {
            println!(
                "{:>6} {:>12} {:>14} {:>8.2}",
                v.width,
                v.bytes.len(),
                vs,
                v.bytes.len() as f64 / (*vs).max(1) as f64
            );
        }
    }
    alpha_formats(runs)?;
    println!("\ninputs and outputs in {}", dir.display());
    Ok(())
}

/// The lossless choice for alpha variants: PNG (what we ship) against lossless WebP from
/// image-webp (the only pure-Rust WebP encoder), on a 2048-wide photo cut-out with a soft edge.
/// Also lossless WebP of the opaque photo, to show why it is no substitute for JPEG there.
fn alpha_formats(runs: usize) -> Res {
    let (w, h) = (2048u32, 1365u32);
    let scene = common::camera_scene(w, h);
    let mut rgba = Vec::with_capacity((w * h * 4) as usize);
    for (i, p) in scene.data.chunks_exact(3).enumerate() {
        let (x, y) = (
            (i as u32 % w) as f32 / w as f32 - 0.5,
            (i as u32 / w) as f32 / h as f32 - 0.5,
        );
        let d = (x * x + y * y).sqrt();
        let a = ((0.45 - d) * 20.0).clamp(0.0, 1.0);
        rgba.extend_from_slice(&[p[0], p[1], p[2], (a * 255.0) as u8]);
    }
    let png_enc = |data: &[u8], color| -> Res<Vec<u8>> {
        let mut out = Vec::new();
        let mut e = png::Encoder::new(&mut out, w, h);
        e.set_color(color);
        e.set_depth(png::BitDepth::Eight);
        e.set_compression(png::Compression::Balanced);
        let mut wr = e.write_header()?;
        wr.write_image_data(data)?;
        wr.finish()?;
        Ok(out)
    };
    let webp_enc = |data: &[u8], color| -> Res<Vec<u8>> {
        let mut out = Vec::new();
        image_webp::WebPEncoder::new(&mut out).encode(data, w, h, color)?;
        Ok(out)
    };
    let time = |f: &dyn Fn() -> Res<Vec<u8>>| -> Res<(Duration, usize)> {
        let mut times = Vec::new();
        let mut len = 0;
        for _ in 0..runs {
            let t = Instant::now();
            len = f()?.len();
            times.push(t.elapsed());
        }
        Ok((median(times), len))
    };
    println!("\nlossless encoders, {w}x{h}:");
    let rows: [Encode; 4] = [
        (
            "PNG  RGBA cut-out",
            Box::new(|| png_enc(&rgba, png::ColorType::Rgba)),
        ),
        (
            "WebP RGBA cut-out",
            Box::new(|| webp_enc(&rgba, image_webp::ColorType::Rgba8)),
        ),
        (
            "PNG  RGB photo",
            Box::new(|| png_enc(&scene.data, png::ColorType::Rgb)),
        ),
        (
            "WebP RGB photo",
            Box::new(|| webp_enc(&scene.data, image_webp::ColorType::Rgb8)),
        ),
    ];
    for (name, f) in rows.iter() {
        let (t, len) = time(f.as_ref())?;
        println!("{name:>18}: {len:>9} bytes {:>7.0} ms", ms(t));
    }
    Ok(())
}
