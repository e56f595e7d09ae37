//! Peak heap use of `process` for camera-sized JPEGs, measured with a counting allocator.
//! The budget is the Worker's: every accepted original within `BUDGET`, including the
//! original's bytes (which the consumer holds too); what would not fit is refused first.

#[allow(
    dead_code,
    reason = "shared helpers; this binary needs only the JPEG generator"
)]
mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use common::TestResult;

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = CURRENT.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: forwards every call to the system allocator unchanged; only counts bytes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                CURRENT.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

const MB: usize = 1 << 20;

/// Peak bytes live during `process`, counting the input (already allocated) as live.
fn peak_of(bytes: &[u8]) -> TestResult<usize> {
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let out = media::process(bytes, &media::Spec::default())?;
    let peak = PEAK.load(Ordering::Relaxed);
    assert_eq!(out.variants.len(), 4);
    drop(out);
    // `base` already includes `bytes`; everything else was allocated by the call.
    Ok(peak - base + bytes.len())
}

/// Tests in this binary take turns, so no other test's allocations are counted.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// What `process` may hold at once for any accepted original: the largest original, the
/// decode budget, and the resized image and encoders on top. The Worker's media job adds its
/// baseline and the JS heap to this (`make bench` measures the whole isolate).
const BUDGET: usize = 16 * MB + 40 * MB + 12 * MB;

/// Refused by the decode budget before any plane exists; returns the peak bytes allocated.
fn refused_peak(bytes: &[u8]) -> TestResult<usize> {
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let refused = media::process(bytes, &media::Spec::default());
    let peak = PEAK.load(Ordering::Relaxed) - base;
    assert!(
        matches!(refused, Err(media::MediaError::TooManyPixels { .. })),
        "{:?}",
        refused.map(|o| (o.width, o.height))
    );
    Ok(peak)
}

#[test]
fn camera_jpegs_fit_the_worker_memory_budget() -> TestResult {
    let _serial = SERIAL.lock().map_err(|_| "lock")?;
    for (w, h, chroma, bytes) in [
        (4000u32, 3000u32, "4:2:0", common::camera_jpeg(4000, 3000)?),
        (4000, 3000, "4:4:4", common::camera_jpeg_444(4000, 3000)?),
        (6000, 4000, "4:2:0", common::camera_jpeg(6000, 4000)?),
    ] {
        let peak = peak_of(&bytes)?;
        eprintln!(
            "{} MP {chroma} JPEG ({:.1} MB): peak {:.1} MB (budget {} MB)",
            w * h / 1_000_000,
            bytes.len() as f64 / MB as f64,
            peak as f64 / MB as f64,
            BUDGET / MB
        );
        assert!(peak <= BUDGET, "{w}x{h} {chroma}: peak {peak} > {BUDGET}");
    }
    // 24 MP at 4:4:4 would need 72 MB of planes: refused before any is allocated.
    let peak = refused_peak(&common::camera_jpeg_444(6000, 4000)?)?;
    eprintln!(
        "24 MP 4:4:4: refused, peak {:.1} MB",
        peak as f64 / MB as f64
    );
    assert!(peak < 4 * MB);
    Ok(())
}

/// Progressive originals are the exception: the decoder must keep every DCT coefficient
/// until the last scan (5× the planes). Up to ~5.6 MP (4:2:0) they stay within the decode
/// budget; larger ones are refused before any coefficient buffer exists.
#[test]
fn progressive_jpegs_fit_or_are_refused() -> TestResult {
    let _serial = SERIAL.lock().map_err(|_| "lock")?;
    let bytes = common::jpeg(&common::camera_scene(2600, 1950), 85, true, None)?;
    let peak = peak_of(&bytes)?;
    eprintln!(
        "5 MP progressive 4:2:0 JPEG ({:.1} MB): peak {:.1} MB",
        bytes.len() as f64 / MB as f64,
        peak as f64 / MB as f64
    );
    assert!(peak <= BUDGET, "5 MP progressive: peak {peak}");

    let bytes = common::jpeg(&common::camera_scene(4000, 3000), 85, true, None)?;
    let peak = refused_peak(&bytes)?;
    eprintln!(
        "12 MP progressive: refused, peak {:.1} MB",
        peak as f64 / MB as f64
    );
    assert!(peak < 4 * MB);
    Ok(())
}

/// PNGs at least twice the largest variant are box-shrunk while decoding, so a 15 MP PNG never
/// exists at full size in memory (46 MB as RGB, over the decode budget).
#[test]
fn large_png_is_shrunk_on_load() -> TestResult {
    let _serial = SERIAL.lock().map_err(|_| "lock")?;
    let bytes = common::png(
        &common::camera_scene(4800, 3200),
        png::ColorType::Rgb,
        false,
        None,
    )?;
    let peak = peak_of(&bytes)?;
    eprintln!(
        "15 MP RGB PNG ({:.1} MB): peak {:.1} MB",
        bytes.len() as f64 / MB as f64,
        peak as f64 / MB as f64
    );
    assert!(peak <= bytes.len() + 48 * MB, "peak {peak}");
    Ok(())
}
