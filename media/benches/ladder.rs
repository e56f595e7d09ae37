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
    println!("\ninputs and outputs in {}", dir.display());
    Ok(())
}
