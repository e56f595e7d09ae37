//! Smoke test on the real photos in /work/shared/demo-photos (skipped where absent).

use std::path::Path;

#[test]
fn demo_photos_process() -> Result<(), Box<dyn std::error::Error>> {
    let dir = Path::new("/work/shared/demo-photos");
    if !dir.is_dir() {
        eprintln!("skipped: {} not present", dir.display());
        return Ok(());
    }
    let mut seen = 0;
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !matches!(ext, "jpg" | "jpeg" | "png") {
            continue;
        }
        let bytes = std::fs::read(&path)?;
        let out = media::process(&bytes, &media::Spec::default())
            .map_err(|e| format!("{}: {e}", path.display()))?;
        assert!(!out.variants.is_empty());
        assert_eq!(out.sha256.len(), 64);
        for v in &out.variants {
            assert!(v.width <= out.width && v.width <= 2048);
            assert!(!v.bytes.is_empty());
        }
        eprintln!(
            "{}: {}x{} {:?} variants {:?}",
            path.display(),
            out.width,
            out.height,
            out.format,
            out.variants
                .iter()
                .map(|v| (v.width, v.height, v.ext, v.bytes.len()))
                .collect::<Vec<_>>()
        );
        seen += 1;
    }
    assert!(seen > 0);
    Ok(())
}
