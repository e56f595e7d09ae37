//! Resampling with fast_image_resize (SIMD on x86 and on wasm32 with simd128).

use fast_image_resize::images::Image;
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};

use crate::error::encode_err;
use crate::{MediaError, Pixels};

/// A fresh `Resizer` per call: its scratch buffers are freed with it rather than kept at the
/// size of the largest resize for the rest of the job.
pub(crate) fn resize(src: &Pixels, width: u32, height: u32) -> Result<Pixels, MediaError> {
    let pt = if src.channels == 4 {
        PixelType::U8x4
    } else {
        PixelType::U8x3
    };
    // Borrow the source without copying it.
    let view = fast_image_resize::images::ImageRef::new(src.width, src.height, &src.data, pt)
        .map_err(encode_err)?;
    let mut dst = Image::new(width, height, pt);
    // Lanczos3 keeps downscaled photos sharp; alpha is premultiplied internally so edges stay clean.
    let opts = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    Resizer::new()
        .resize(&view, &mut dst, &opts)
        .map_err(encode_err)?;
    Ok(Pixels {
        width,
        height,
        channels: src.channels,
        data: dst.into_vec(),
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
        return Err(crate::error::decode_err(
            "JPEG plane geometry is inconsistent",
        ));
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
    let view = fast_image_resize::images::ImageRef::new(sw, sh, &plane, PixelType::U8)
        .map_err(encode_err)?;
    let mut dst = Image::new(tw, th, PixelType::U8);
    let opts = ResizeOptions::new()
        .resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3))
        .crop(0.0, 0.0, width as f64, height as f64);
    Resizer::new()
        .resize(&view, &mut dst, &opts)
        .map_err(encode_err)?;
    Ok(dst.into_vec())
}
