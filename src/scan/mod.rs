//! QR enrolment: frames from a source (screen, webcam, image file, clipboard), QR codes found
//! in them, and what their text means for Kunci.
//!
//! - [`decode`]: greyscale frame → QR texts (pure, no I/O);
//! - [`payload`]: QR text → an account, a Google Authenticator export, or something else;
//! - [`file`], [`screen`], [`clipboard`], [`webcam`]: where frames come from, each with a
//!   clear error when it is not available;
//! - [`scanner`]: a live source (a webcam) decoded on its own thread, dropping stale frames.

pub mod clipboard;
pub mod decode;
pub mod file;
pub mod payload;
pub mod scanner;
pub mod screen;
pub mod webcam;

pub use image::GrayImage;

/// A QR code found in a frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// The decoded text.
    pub text: String,
    /// The code's corners in frame pixels (top-left, top-right, bottom-right, bottom-left),
    /// for outlining it in a preview; all zero when the decoder does not report them.
    pub corners: [[f32; 2]; 4],
}

/// Why a frame source could not give a frame. The messages say what to do.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("cannot read {path}: {reason}")]
    Unreadable { path: String, reason: String },
    #[error(
        "the image is {width}×{height} pixels, too large to be a screenshot or photo of a QR \
         code (the limit is {limit} pixels per side)"
    )]
    TooLarge { width: u32, height: u32, limit: u32 },
    #[error(
        "cannot capture the screen: {0}. Take a screenshot and open or paste it instead, or \
         type the setup key shown under the QR code"
    )]
    NoScreen(String),
    #[error(
        "no camera: {0}. Check that the camera is connected and not in use by another program, \
         or scan the screen or a picture instead"
    )]
    NoCamera(String),
    #[error(
        "the clipboard holds no image: {0}. Copy a screenshot of the QR code first (e.g. with \
         Print Screen), or open a picture"
    )]
    NoClipboardImage(String),
    /// A finite frame source (a list of files) has delivered all its frames.
    #[error("no more frames")]
    NoMoreFrames,
}
