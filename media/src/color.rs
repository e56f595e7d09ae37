//! Colour management: variants are sRGB and carry no profile, so pixels decoded from an
//! original with another RGB profile (Display P3, Adobe RGB, ProPhoto…) are converted with qcms
//! (Firefox's ICC engine, pure Rust). sRGB-tagged and untagged originals are left as they are;
//! a profile that qcms cannot use (broken, grey, CMYK) is ignored rather than trusted.

use qcms::{DataType, Intent, Profile, Transform};

use crate::Pixels;

/// A conversion to sRGB for pixels with `channels` (3 or 4), or None when none is needed.
pub(crate) fn to_srgb(icc: Option<&[u8]>, channels: u8) -> Option<Transform> {
    let input = Profile::new_from_slice(icc?, false)?;
    if input.is_sRGB() {
        return None;
    }
    let mut srgb = Profile::new_sRGB();
    srgb.precache_output_transform();
    let ty = if channels == 4 {
        DataType::RGBA8
    } else {
        DataType::RGB8
    };
    Transform::new(&input, &srgb, ty, Intent::Perceptual)
}

pub(crate) fn apply(t: &Transform, px: &mut Pixels) {
    t.apply(&mut px.data);
}
