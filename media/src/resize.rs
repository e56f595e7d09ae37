//! Resampling with fast_image_resize (SIMD on x86 and on wasm32 with simd128).

use fast_image_resize::images::Image;
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};

use crate::error::encode_err;
use crate::{MediaError, Pixels};

pub(crate) fn resize(
    resizer: &mut Resizer,
    src: &Pixels,
    width: u32,
    height: u32,
) -> Result<Pixels, MediaError> {
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
    resizer.resize(&view, &mut dst, &opts).map_err(encode_err)?;
    Ok(Pixels {
        width,
        height,
        channels: src.channels,
        data: dst.into_vec(),
    })
}
