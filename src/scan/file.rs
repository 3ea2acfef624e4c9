//! Image files → greyscale frames.
//!
//! PNG, JPEG, WebP and BMP, in every pixel format a user may hand us: 1-, 2-, 4-, 8- and 16-bit
//! PNG, grey, grey+alpha, palette, RGB(A), CMYK JPEG. The format is guessed from the bytes, never
//! from the file name. Transparent pixels are put over white, so a QR code drawn on a transparent
//! background does not turn black-on-black. EXIF orientation is applied (a mirrored QR code cannot
//! be read).
//!
//! Decompression bombs are refused by the dimensions in the file's header, before a single pixel
//! is decoded; the decoder also runs under an allocation limit. Empty, corrupt, truncated and
//! non-image files give a [`ScanError`] that says what is wrong, never a panic.

use std::io::{Cursor, Read};
use std::path::Path;

use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};

use super::{FileProblem, GrayImage, ScanError};

/// Largest accepted width or height, in pixels. Screenshots of several 8K monitors side by side
/// stay under it; decompression bombs do not.
pub const MAX_SIDE: u32 = 16384;

/// Most memory the image decoder may allocate for one picture (a 16384×16384 RGBA picture).
pub const MAX_DECODE_BYTES: u64 = 1 << 30;

/// Largest file read into memory. Pictures of QR codes are far smaller.
pub const MAX_FILE_BYTES: u64 = 256 << 20;

/// Reads the picture at `path` and turns it into greyscale.
pub fn load(path: &Path) -> Result<GrayImage, ScanError> {
    let name = path.display().to_string();
    let unreadable = |reason: FileProblem| ScanError::Unreadable {
        path: name.clone(),
        reason,
    };
    let meta = std::fs::metadata(path).map_err(|e| unreadable(io_reason(&e)))?;
    if meta.is_dir() {
        return Err(unreadable(FileProblem::Folder));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(unreadable(too_big_file(meta.len())));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| unreadable(io_reason(&e)))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(unreadable(too_big_file(bytes.len() as u64)));
    }
    load_bytes(&bytes, &name)
}

/// Decodes a picture held in memory (a dropped file, a portal screenshot, a camera's JPEG frame)
/// and turns it into greyscale. `name` only appears in error messages.
pub fn load_bytes(bytes: &[u8], name: &str) -> Result<GrayImage, ScanError> {
    let unreadable = |reason: FileProblem| ScanError::Unreadable {
        path: name.to_owned(),
        reason,
    };
    if bytes.is_empty() {
        return Err(unreadable(FileProblem::Empty));
    }
    let Ok(format) = image::guess_format(bytes) else {
        return Err(unreadable(not_a_picture(bytes)));
    };
    if !matches!(
        format,
        ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP | ImageFormat::Bmp
    ) {
        return Err(unreadable(FileProblem::UnsupportedFormat {
            kind: format_name(format),
        }));
    }

    // The bomb check: dimensions straight from the header, before the decoder is even built.
    let header = header_dimensions(format, bytes);
    if let Some((width, height)) = header {
        check_dimensions(width, height, name)?;
    }

    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let decode_error = |e: ImageError| match (&e, header) {
        (ImageError::Limits(_), Some((width, height))) => ScanError::TooLarge {
            width,
            height,
            limit: MAX_SIDE,
        },
        _ => unreadable(image_error_reason(format, &e)),
    };
    let mut decoder = reader.into_decoder().map_err(decode_error)?;
    // Again from the decoder (headers it reads that our quick parser does not), still before
    // any pixel is decoded.
    let (width, height) = decoder.dimensions();
    check_dimensions(width, height, name)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(decode_error)?;
    image.apply_orientation(orientation);
    Ok(to_gray(image))
}

/// Any decoded picture → greyscale (Rec. 601 luma), transparent parts over white. A picture whose
/// alpha is zero everywhere is taken as opaque (some screenshot tools leave alpha unset).
pub fn to_gray(image: DynamicImage) -> GrayImage {
    let (width, height) = (image.width(), image.height());
    match image {
        DynamicImage::ImageLuma8(grey) => grey,
        DynamicImage::ImageLumaA8(buf) => convert(width, height, buf.as_raw(), 2, |p, alpha| {
            over_white(p[0], if alpha { p[1] } else { 255 })
        }),
        DynamicImage::ImageRgb8(buf) => convert(width, height, buf.as_raw(), 3, |p, _| {
            luma(p[0], p[1], p[2])
        }),
        DynamicImage::ImageRgba8(buf) => rgba_pixels_to_gray(width, height, buf.as_raw()),
        DynamicImage::ImageLuma16(buf) => {
            convert(width, height, buf.as_raw(), 1, |p, _| (p[0] >> 8) as u8)
        }
        DynamicImage::ImageLumaA16(buf) => convert(width, height, buf.as_raw(), 2, |p, alpha| {
            over_white16(p[0], if alpha { p[1] } else { u16::MAX })
        }),
        DynamicImage::ImageRgb16(buf) => convert(width, height, buf.as_raw(), 3, |p, _| {
            (luma16(p[0], p[1], p[2]) >> 8) as u8
        }),
        DynamicImage::ImageRgba16(buf) => convert(width, height, buf.as_raw(), 4, |p, alpha| {
            over_white16(
                luma16(p[0], p[1], p[2]),
                if alpha { p[3] } else { u16::MAX },
            )
        }),
        other => {
            let rgba = other.to_rgba8();
            rgba_pixels_to_gray(width, height, rgba.as_raw())
        }
    }
}

/// Packed 8-bit RGBA (clipboard images, xcap captures) → greyscale, as [`to_gray`] does.
/// `None` when `rgba` does not hold exactly `width × height` pixels.
pub fn rgba_to_gray(width: u32, height: u32, rgba: &[u8]) -> Option<GrayImage> {
    let pixels = u64::from(width) * u64::from(height);
    if rgba.len() as u64 != pixels * 4 {
        return None;
    }
    Some(rgba_pixels_to_gray(width, height, rgba))
}

fn rgba_pixels_to_gray(width: u32, height: u32, rgba: &[u8]) -> GrayImage {
    convert(width, height, rgba, 4, |p, alpha| {
        over_white(luma(p[0], p[1], p[2]), if alpha { p[3] } else { 255 })
    })
}

/// Fills a `width × height` grey picture from `channels`-sample pixels of `raw`; `pixel` gets
/// one pixel and whether its last channel is a meaningful alpha (false when alpha is zero
/// everywhere, or when there is no alpha channel).
fn convert<T: Copy + Default + PartialEq>(
    width: u32,
    height: u32,
    raw: &[T],
    channels: usize,
    pixel: impl Fn(&[T], bool) -> u8,
) -> GrayImage {
    let alpha = matches!(channels, 2 | 4)
        && raw
            .chunks_exact(channels)
            .any(|p| p[channels - 1] != T::default());
    let mut out = GrayImage::new(width, height);
    for (dst, src) in out.iter_mut().zip(raw.chunks_exact(channels)) {
        *dst = pixel(src, alpha);
    }
    out
}

/// Rec. 601 luma of 8-bit RGB.
fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((19595 * u32::from(r) + 38470 * u32::from(g) + 7471 * u32::from(b) + 32768) >> 16) as u8
}

/// Rec. 601 luma of 16-bit RGB.
fn luma16(r: u16, g: u16, b: u16) -> u16 {
    ((19595 * u64::from(r) + 38470 * u64::from(g) + 7471 * u64::from(b) + 32768) >> 16) as u16
}

/// A grey value with opacity `alpha`, over white.
fn over_white(grey: u8, alpha: u8) -> u8 {
    let (g, a) = (u32::from(grey), u32::from(alpha));
    ((g * a + 255 * (255 - a) + 127) / 255) as u8
}

/// A 16-bit grey value with 16-bit opacity over white, as 8 bits.
fn over_white16(grey: u16, alpha: u16) -> u8 {
    let (g, a, max) = (u64::from(grey), u64::from(alpha), u64::from(u16::MAX));
    (((g * a + max * (max - a) + max / 2) / max) >> 8) as u8
}

fn check_dimensions(width: u32, height: u32, name: &str) -> Result<(), ScanError> {
    if width == 0 || height == 0 {
        return Err(ScanError::Unreadable {
            path: name.to_owned(),
            reason: FileProblem::NoPixels { width, height },
        });
    }
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(ScanError::TooLarge {
            width,
            height,
            limit: MAX_SIDE,
        });
    }
    Ok(())
}

/// Width and height as the file's header states them, without decoding anything. `None` when
/// the header is too short or not understood (the decoder then reports the problem).
fn header_dimensions(format: ImageFormat, b: &[u8]) -> Option<(u32, u32)> {
    let be32 = |at: usize| Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?));
    let le32 = |at: usize| Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?));
    let le16 = |at: usize| {
        Some(u32::from(u16::from_le_bytes(
            b.get(at..at + 2)?.try_into().ok()?,
        )))
    };
    let be16 = |at: usize| {
        Some(u32::from(u16::from_be_bytes(
            b.get(at..at + 2)?.try_into().ok()?,
        )))
    };
    let le24 = |at: usize| {
        let v = b.get(at..at + 3)?;
        Some(u32::from(v[0]) | u32::from(v[1]) << 8 | u32::from(v[2]) << 16)
    };
    match format {
        // Signature, then the IHDR chunk: length, "IHDR", width, height (big-endian).
        ImageFormat::Png => {
            (b.get(12..16)? == b"IHDR").then_some(())?;
            Some((be32(16)?, be32(20)?))
        }
        // "BM", file header (14 bytes), then a DIB header whose size tells its layout; a
        // negative height means top-down rows.
        ImageFormat::Bmp => match le32(14)? {
            12 => Some((le16(18)?, le16(20)?)),
            size if size >= 16 => Some((
                (le32(18)? as i32).unsigned_abs(),
                (le32(22)? as i32).unsigned_abs(),
            )),
            _ => None,
        },
        // RIFF container: the first chunk is the lossy (VP8 ), lossless (VP8L) or extended (VP8X)
        // header.
        ImageFormat::WebP => match b.get(12..16)? {
            b"VP8X" => Some((le24(24)? + 1, le24(27)? + 1)),
            b"VP8L" => {
                let bits = le32(21)?;
                Some(((bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1))
            }
            b"VP8 " => Some((le16(26)? & 0x3fff, le16(28)? & 0x3fff)),
            _ => None,
        },
        // Markers after SOI until a start-of-frame: precision, height, width.
        ImageFormat::Jpeg => {
            let mut at = 2;
            loop {
                while *b.get(at)? != 0xff {
                    at += 1;
                }
                while *b.get(at)? == 0xff {
                    at += 1;
                }
                let marker = *b.get(at)?;
                at += 1;
                match marker {
                    0xc0..=0xcf if !matches!(marker, 0xc4 | 0xc8 | 0xcc) => {
                        return Some((be16(at + 5)?, be16(at + 3)?));
                    }
                    0xd9 | 0xda => return None,
                    0x01 | 0xd0..=0xd8 => {}
                    _ => at += usize::try_from(be16(at)?).ok()?,
                }
            }
        }
        _ => None,
    }
}

fn format_name(format: ImageFormat) -> String {
    format
        .extensions_str()
        .first()
        .map_or_else(|| format!("{format:?}"), |ext| ext.to_uppercase())
}

/// What a file that is not a picture we read probably is, and what to do instead.
fn not_a_picture(bytes: &[u8]) -> FileProblem {
    let head = &bytes[..bytes.len().min(512)];
    let starts = |prefix: &[u8]| head.starts_with(prefix);
    let text = String::from_utf8_lossy(head)
        .trim_start()
        .to_ascii_lowercase();
    if starts(b"%PDF") {
        FileProblem::Pdf
    } else if head.get(4..8) == Some(b"ftyp")
        && matches!(
            head.get(8..12),
            Some(b"heic" | b"heix" | b"mif1" | b"msf1" | b"avif")
        )
    {
        FileProblem::Heic
    } else if text.starts_with("<svg") || (text.starts_with("<?xml") && text.contains("<svg")) {
        FileProblem::Svg
    } else if text.starts_with("otpauth") {
        FileProblem::QrText
    } else {
        FileProblem::NotAPicture
    }
}

fn image_error_reason(format: ImageFormat, e: &ImageError) -> FileProblem {
    let kind = format_name(format);
    match e {
        ImageError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            FileProblem::Incomplete { kind }
        }
        ImageError::Decoding(detail) => FileProblem::Damaged {
            kind,
            detail: detail.to_string(),
        },
        ImageError::Unsupported(detail) => FileProblem::UnsupportedVariant {
            kind,
            detail: detail.to_string(),
        },
        ImageError::Limits(_) => FileProblem::TooLargeToDecode { kind },
        other => FileProblem::Undecodable {
            kind,
            detail: other.to_string(),
        },
    }
}

fn io_reason(e: &std::io::Error) -> FileProblem {
    match e.kind() {
        std::io::ErrorKind::NotFound => FileProblem::NotFound,
        std::io::ErrorKind::PermissionDenied => FileProblem::PermissionDenied,
        _ => FileProblem::Io(e.to_string()),
    }
}

fn too_big_file(len: u64) -> FileProblem {
    FileProblem::TooBig {
        megabytes: len >> 20,
        limit_megabytes: MAX_FILE_BYTES >> 20,
    }
}
