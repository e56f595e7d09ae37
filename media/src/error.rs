//! The one error type of the pipeline, with a sentence a user can read.

/// Why an original could not be turned into variants.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// The bytes are not JPEG, PNG, WebP or GIF.
    #[error("unsupported image format")]
    Unsupported,
    /// A HEIC/HEIF photo (what iPhones take by default), which Lumen cannot decode yet.
    #[error("HEIC image")]
    Heic,
    /// The original is over the configured byte cap.
    #[error("file too large: {bytes} bytes (max {max})")]
    TooLarge { bytes: usize, max: usize },
    /// The header declares more pixels or a longer side than allowed.
    #[error("image too large: {width}x{height} pixels")]
    TooManyPixels { width: u32, height: u32 },
    /// The bytes are damaged, truncated or inconsistent.
    #[error("decode failed: {0}")]
    Decode(String),
    /// Making a variant failed (should not happen for valid input).
    #[error("encode failed: {0}")]
    Encode(String),
}

impl MediaError {
    /// A sentence for the uploader; never contains internal detail.
    pub fn user_message(&self) -> String {
        match self {
            MediaError::Unsupported => {
                "This file is not a supported image (JPEG, PNG, WebP or GIF).".to_owned()
            }
            MediaError::Heic => "This is a HEIC photo, which Lumen cannot read yet. On an iPhone, \
                 set Camera → Formats → Most Compatible, or share the photo as JPEG."
                .to_owned(),
            MediaError::TooLarge { bytes, max } => format!(
                "This file is too large ({:.1} MB); the limit is {:.0} MB.",
                *bytes as f64 / 1_048_576.0,
                *max as f64 / 1_048_576.0
            ),
            MediaError::TooManyPixels { width, height } => {
                format!("This image is too large to process ({width} × {height} pixels).")
            }
            MediaError::Decode(_) => {
                "This image could not be read; the file may be damaged or incomplete.".to_owned()
            }
            MediaError::Encode(_) => {
                "Something went wrong while preparing this image. Please try again.".to_owned()
            }
        }
    }
}

pub(crate) fn decode_err(what: impl std::fmt::Display) -> MediaError {
    MediaError::Decode(what.to_string())
}

pub(crate) fn encode_err(what: impl std::fmt::Display) -> MediaError {
    MediaError::Encode(what.to_string())
}
