//! Camera metadata from the EXIF block, via kamadak-exif. GPS is returned separately so that
//! callers can keep it owner-only.

use exif::{In, Tag, Value};
use serde::{Deserialize, Serialize};

use crate::error::decode_err;
use crate::MediaError;

/// Camera fields shown beside a photo; never includes location.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Exif {
    pub make: Option<String>,
    pub model: Option<String>,
    pub lens: Option<String>,
    /// As photographers write it: "1/250", "2", "0.5".
    pub exposure_time: Option<String>,
    pub f_number: Option<f32>,
    pub iso: Option<u32>,
    pub focal_length_mm: Option<f32>,
    /// DateTimeOriginal as "YYYY-MM-DDTHH:MM:SS" (camera local time, no zone).
    pub taken_at: Option<String>,
    /// EXIF orientation 1–8 as found (already applied to every variant).
    pub orientation: Option<u16>,
    /// FocalLengthIn35mmFilm, when the camera wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub focal_35mm: Option<u32>,
    /// ExposureBiasValue in EV (e.g. -0.7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exposure_bias: Option<f32>,
    /// OffsetTimeOriginal ("+02:00"): the zone of `taken_at`, when the camera knew it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taken_offset: Option<String>,
}

/// Where the photo was taken; only the owner may see this.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gps {
    pub latitude: f64,
    pub longitude: f64,
    pub altitude: Option<f64>,
}

/// Parses a raw TIFF-structured EXIF block. A block whose header or first IFD cannot be read
/// at all is an error (the file is broken); damage further in (maker notes, sub-IFDs) is
/// tolerated and the fields that could be read are kept.
pub(crate) fn parse(raw: &[u8]) -> Result<(Exif, Option<Gps>), MediaError> {
    let mut reader = exif::Reader::new();
    reader.continue_on_error(true);
    let data = match reader.read_raw(raw.to_vec()) {
        Ok(data) => data,
        Err(e) => e
            .distill_partial_result(|_ignored| {})
            .map_err(|e| decode_err(format_args!("EXIF: {e}")))?,
    };
    // Nothing readable at all means the offsets point nowhere: a broken file, not a quirk.
    if data.fields().next().is_none() {
        return Err(decode_err("EXIF block has no readable fields"));
    }
    Ok((camera(&data), gps(&data)))
}

fn camera(data: &exif::Exif) -> Exif {
    let field = |tag| data.get_field(tag, In::PRIMARY).map(|f| &f.value);
    let lens = text(field(Tag::LensModel)).or_else(|| text(field(Tag::LensMake)));
    Exif {
        make: text(field(Tag::Make)),
        model: text(field(Tag::Model)),
        lens,
        exposure_time: rational(field(Tag::ExposureTime)).and_then(exposure),
        f_number: rational(field(Tag::FNumber)).map(|v| v as f32),
        iso: field(Tag::PhotographicSensitivity)
            .and_then(|v| v.get_uint(0))
            .filter(|&v| v > 0),
        focal_length_mm: rational(field(Tag::FocalLength)).map(|v| v as f32),
        taken_at: text(field(Tag::DateTimeOriginal)).and_then(|s| datetime(&s)),
        orientation: field(Tag::Orientation)
            .and_then(|v| v.get_uint(0))
            .and_then(|v| u16::try_from(v).ok())
            .filter(|v| (1..=8).contains(v)),
        focal_35mm: field(Tag::FocalLengthIn35mmFilm)
            .and_then(|v| v.get_uint(0))
            .filter(|&v| v > 0),
        exposure_bias: rational(field(Tag::ExposureBiasValue))
            .filter(|v| v.abs() <= 20.0)
            .map(|v| v as f32),
        taken_offset: text(field(Tag::OffsetTimeOriginal)).and_then(|s| offset(&s)),
    }
}

/// "+HH:MM" / "-HH:MM" as EXIF 2.31 writes it; anything else is absent.
fn offset(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let ok = b.len() == 6
        && matches!(b[0], b'+' | b'-')
        && b[1..3].iter().all(u8::is_ascii_digit)
        && b[3] == b':'
        && b[4..6].iter().all(u8::is_ascii_digit);
    ok.then(|| s.to_owned())
}

fn gps(data: &exif::Exif) -> Option<Gps> {
    let field = |tag| data.get_field(tag, In::PRIMARY).map(|f| &f.value);
    let latitude = dms(field(Tag::GPSLatitude))?;
    let longitude = dms(field(Tag::GPSLongitude))?;
    let sign = |v: Option<&Value>, negative: &str| match text(v) {
        Some(r) if r.eq_ignore_ascii_case(negative) => -1.0,
        _ => 1.0,
    };
    let latitude = latitude * sign(field(Tag::GPSLatitudeRef), "S");
    let longitude = longitude * sign(field(Tag::GPSLongitudeRef), "W");
    if !(-90.0..=90.0).contains(&latitude) || !(-180.0..=180.0).contains(&longitude) {
        return None;
    }
    let below = field(Tag::GPSAltitudeRef).and_then(|v| v.get_uint(0)) == Some(1);
    let altitude = rational(field(Tag::GPSAltitude)).map(|a| if below { -a } else { a });
    Some(Gps {
        latitude,
        longitude,
        altitude,
    })
}

/// First ASCII string, trimmed of padding and NULs; empty means absent.
fn text(v: Option<&Value>) -> Option<String> {
    let Some(Value::Ascii(parts)) = v else {
        return None;
    };
    let s = String::from_utf8_lossy(parts.first()?);
    let s = s.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    (!s.is_empty()).then(|| s.to_owned())
}

fn rational(v: Option<&Value>) -> Option<f64> {
    let x = match v? {
        Value::Rational(r) => r.first().filter(|r| r.denom != 0)?.to_f64(),
        Value::SRational(r) => r.first().filter(|r| r.denom != 0)?.to_f64(),
        _ => return None,
    };
    x.is_finite().then_some(x)
}

/// Degrees, minutes, seconds as three rationals.
fn dms(v: Option<&Value>) -> Option<f64> {
    let Value::Rational(r) = v? else { return None };
    let part = |i: usize| r.get(i).filter(|r| r.denom != 0).map(|r| r.to_f64());
    let deg = part(0)? + part(1).unwrap_or(0.0) / 60.0 + part(2).unwrap_or(0.0) / 3600.0;
    deg.is_finite().then_some(deg)
}

fn exposure(seconds: f64) -> Option<String> {
    if seconds <= 0.0 {
        return None;
    }
    if seconds < 1.0 {
        Some(format!("1/{}", (1.0 / seconds).round()))
    } else {
        let s = format!("{:.1}", seconds);
        Some(s.trim_end_matches(".0").to_owned())
    }
}

/// "YYYY:MM:DD HH:MM:SS" → "YYYY-MM-DDTHH:MM:SS"; anything else (blank dates, zeros) is absent.
fn datetime(s: &str) -> Option<String> {
    let b = s.as_bytes();
    if b.len() < 19 {
        return None;
    }
    let digits = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
    if !digits.iter().all(|&i| b[i].is_ascii_digit()) || s.starts_with("0000") {
        return None;
    }
    Some(format!(
        "{}-{}-{}T{}:{}:{}",
        &s[0..4],
        &s[5..7],
        &s[8..10],
        &s[11..13],
        &s[14..16],
        &s[17..19]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_exposure_and_dates() {
        assert_eq!(exposure(1.0 / 250.0).as_deref(), Some("1/250"));
        assert_eq!(exposure(2.0).as_deref(), Some("2"));
        assert_eq!(exposure(2.5).as_deref(), Some("2.5"));
        assert_eq!(
            datetime("2024:06:01 12:34:56").as_deref(),
            Some("2024-06-01T12:34:56")
        );
        assert_eq!(datetime("    :  :     :  :  "), None);
        assert_eq!(offset("+02:00").as_deref(), Some("+02:00"));
        assert_eq!(offset("-05:30").as_deref(), Some("-05:30"));
        assert_eq!(offset("   :  "), None);
        assert_eq!(offset("02:00"), None);
    }
}
