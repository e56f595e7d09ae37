//! Writes the variants of one input file next to it, for eyeballing: `cargo run -p media
//! --example dump -- IN [WATERMARK]` → IN.<width>.<ext>.
use std::error::Error;

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: dump IN [WATERMARK]")?;
    let spec = media::Spec {
        watermark: args.next(),
        ..media::Spec::default()
    };
    let out = media::process(&std::fs::read(&path)?, &spec)?;
    println!(
        "{:?} {}x{} exif={:?} gps={:?} avg={:?}",
        out.format, out.width, out.height, out.exif, out.gps, out.average_rgba
    );
    for v in &out.variants {
        let name = format!("{path}.{}.{}", v.width, v.ext);
        std::fs::write(&name, &v.bytes)?;
        println!("{name}: {}x{} {} bytes", v.width, v.height, v.bytes.len());
    }
    Ok(())
}
