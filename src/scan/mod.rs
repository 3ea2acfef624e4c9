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

/// What to do when the clipboard holds no usable picture.
const COPY_AS_PICTURE: &str = "Copy the QR code as a picture (for example take a screenshot of it \
                               to the clipboard), then paste again";

/// Why a picture file cannot be used. Typed so that the front ends can word it in the user's
/// language; `Display` is the English for logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FileProblem {
    #[error("no such file")]
    NotFound,
    #[error("permission denied")]
    PermissionDenied,
    /// Another I/O error, in the operating system's words.
    #[error("{0}")]
    Io(String),
    #[error("it is a folder, not a picture")]
    Folder,
    #[error(
        "the file is {megabytes} MB; pictures of QR codes are far smaller (the limit is \
         {limit_megabytes} MB)"
    )]
    TooBig {
        megabytes: u64,
        limit_megabytes: u64,
    },
    #[error("the file is empty")]
    Empty,
    #[error("the picture is empty ({width}×{height} pixels)")]
    NoPixels { width: u32, height: u32 },
    #[error("it is a PDF document, not a picture: open it and take a screenshot of the QR code")]
    Pdf,
    #[error("HEIC/AVIF photos are not supported: export the photo as JPEG or PNG")]
    Heic,
    #[error(
        "SVG drawings are not supported: take a screenshot of the QR code, or export it as PNG"
    )]
    Svg,
    /// A text file holding an `otpauth://` link.
    #[error("it is a text file holding a QR code's text, not a picture of a QR code")]
    QrText,
    #[error("it is not a picture Kunci can read (PNG, JPEG, WebP or BMP)")]
    NotAPicture,
    /// A picture format Kunci does not read (`kind` such as "GIF").
    #[error(
        "{kind} pictures are not supported; Kunci reads PNG, JPEG, WebP and BMP (take a \
         screenshot of the QR code, or save the picture as PNG)"
    )]
    UnsupportedFormat { kind: String },
    #[error("the {kind} file is incomplete (cut off before its end)")]
    Incomplete { kind: String },
    /// `detail` is the decoder's own (English) words.
    #[error("the {kind} file is damaged or incomplete ({detail})")]
    Damaged { kind: String, detail: String },
    #[error("this kind of {kind} picture is not supported ({detail})")]
    UnsupportedVariant { kind: String, detail: String },
    #[error("the {kind} picture is too large to decode")]
    TooLargeToDecode { kind: String },
    #[error("cannot decode the {kind} picture ({detail})")]
    Undecodable { kind: String, detail: String },
}

/// Why the clipboard gave no picture.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClipboardProblem {
    /// The clipboard cannot be opened (`detail` is the system's words).
    #[error("the clipboard cannot be read ({0})")]
    Unreadable(String),
    #[error("the picture on the clipboard is empty ({width}×{height} pixels)")]
    EmptyPicture { width: u32, height: u32 },
    #[error(
        "the picture on the clipboard is malformed ({bytes} bytes for {width}×{height} pixels)"
    )]
    Malformed {
        bytes: usize,
        width: u32,
        height: u32,
    },
    #[error(
        "the picture on the clipboard is in a format Kunci cannot read (saving it as a PNG file \
         and opening that works)"
    )]
    UnknownFormat,
    /// A copied picture file that cannot be read.
    #[error("the clipboard holds the file {path}, which cannot be used: {reason}")]
    BadFile { path: String, reason: FileProblem },
    #[error("it holds text. {}", COPY_AS_PICTURE)]
    Text,
    #[error("it is empty. {}", COPY_AS_PICTURE)]
    Nothing,
    /// Reading failed another way (`0` is the system's words).
    #[error("the clipboard cannot be read ({detail}). {}", COPY_AS_PICTURE)]
    Failed { detail: String },
}

/// Why a frame source could not give a frame. The messages say what to do.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("cannot read {path}: {reason}")]
    Unreadable { path: String, reason: FileProblem },
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
    NoClipboardImage(ClipboardProblem),
    /// A finite frame source (a list of files) has delivered all its frames.
    #[error("no more frames")]
    NoMoreFrames,
}
