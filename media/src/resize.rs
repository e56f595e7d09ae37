//! Resampling with fast_image_resize (SIMD on x86 and on wasm32 with simd128).
//!
//! Only the typed entry point is used: the untyped `Resizer::resize` instantiates every pixel
//! format, which drags a 512 KB u16-alpha table and ~150 KB of code into the Worker's wasm.

use fast_image_resize::images::{TypedImage, TypedImageRef};
use fast_image_resize::pixels::{U8x3, U8x4, U8};
use fast_image_resize::{FilterType, PixelTrait, ResizeAlg, ResizeOptions, Resizer};

use crate::error::{decode_err, encode_err};
use crate::{MediaError, Pixels};

/// Lanczos3 keeps downscaled photos sharp; for RGBA, fast_image_resize premultiplies alpha
/// internally, so transparent edges do not bleed dark fringes.
fn options() -> ResizeOptions {
    ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3))
}

/// Resizes `src` (`sw`×`sh` pixels of `P`, tightly packed) into a new `dw`×`dh` buffer, reading
/// only the `crop` rectangle of the source. A fresh `Resizer` per call frees its scratch
/// buffers with it instead of keeping them at the largest size for the rest of the job.
fn typed<P: PixelTrait>(
    src: &[u8],
    (sw, sh): (u32, u32),
    (dw, dh): (u32, u32),
    crop: Option<(f64, f64)>,
) -> Result<Vec<u8>, MediaError> {
    let view = TypedImageRef::<P>::from_buffer(sw, sh, src).map_err(encode_err)?;
    let bpp = std::mem::size_of::<P>();
    let mut out = vec![0u8; dw as usize * dh as usize * bpp];
    let mut dst = TypedImage::<P>::from_buffer(dw, dh, &mut out).map_err(encode_err)?;
    let mut opts = options();
    if let Some((w, h)) = crop {
        opts = opts.crop(0.0, 0.0, w, h);
    }
    Resizer::new()
        .resize_typed(&view, &mut dst, &opts)
        .map_err(encode_err)?;
    Ok(out)
}

pub(crate) fn resize(src: &Pixels, width: u32, height: u32) -> Result<Pixels, MediaError> {
    let dims = (src.width, src.height);
    let data = if src.channels == 4 {
        typed::<U8x4>(&src.data, dims, (width, height), None)?
    } else {
        typed::<U8x3>(&src.data, dims, (width, height), None)?
    };
    Ok(Pixels {
        width,
        height,
        channels: src.channels,
        data,
    })
}

/// Resizes one 8-bit plane with row `stride` (≥ `width`) to `tw`×`th`, consuming it.
pub(crate) fn resize_plane(
    plane: Vec<u8>,
    stride: usize,
    width: usize,
    height: usize,
    tw: u32,
    th: u32,
) -> Result<Vec<u8>, MediaError> {
    let rows = plane.len() / stride.max(1);
    if width == 0 || height == 0 || stride < width || rows < height {
        return Err(decode_err("JPEG plane geometry is inconsistent"));
    }
    if (width, height) == (tw as usize, th as usize) {
        if stride == width {
            let mut plane = plane;
            plane.truncate(width * height);
            return Ok(plane);
        }
        return Ok(plane
            .chunks_exact(stride)
            .take(height)
            .flat_map(|row| &row[..width])
            .copied()
            .collect());
    }
    let (sw, sh) = (
        u32::try_from(stride).map_err(encode_err)?,
        u32::try_from(rows).map_err(encode_err)?,
    );
    typed::<U8>(
        &plane[..stride * rows],
        (sw, sh),
        (tw, th),
        Some((width as f64, height as f64)),
    )
}
