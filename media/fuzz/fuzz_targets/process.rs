//! Fuzzes the untrusted entry point: any bytes must give Ok or Err, never a panic, hang or
//! unbounded allocation.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Small limits keep each run fast; the code paths are the same as with the defaults.
    let spec = media::Spec {
        widths: vec![8, 40, 200],
        max_pixels: 1_000_000,
        max_side: 4096,
        max_bytes: 1 << 20,
        max_decode_bytes: 4 << 20,
        jpeg_quality: 80,
        watermark: Some("fuzz".to_owned()),
    };
    let _ = media::process(data, &spec);
});
