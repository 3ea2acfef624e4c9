//! The clipboard's picture (a pasted screenshot) → a greyscale frame.
//!
//! Through arboard's image support: PNG or DIB on Windows, NSImage on macOS, `image/png` on X11
//! and Wayland. When the clipboard holds a copied picture *file* rather than picture data (a file
//! copied in a file manager), that file is read instead.

use super::{ClipboardProblem, GrayImage, ScanError, file};

/// The picture on the clipboard, in greyscale, transparent parts over white.
pub fn image() -> Result<GrayImage, ScanError> {
    let mut clipboard = arboard::Clipboard::new()
        .map_err(|e| ScanError::NoClipboardImage(ClipboardProblem::Unreadable(e.to_string())))?;
    match clipboard.get_image() {
        Ok(data) => {
            let (width, height) = (
                u32::try_from(data.width).unwrap_or(u32::MAX),
                u32::try_from(data.height).unwrap_or(u32::MAX),
            );
            if width == 0 || height == 0 {
                return Err(ScanError::NoClipboardImage(
                    ClipboardProblem::EmptyPicture { width, height },
                ));
            }
            if width > file::MAX_SIDE || height > file::MAX_SIDE {
                return Err(ScanError::TooLarge {
                    width,
                    height,
                    limit: file::MAX_SIDE,
                });
            }
            file::rgba_to_gray(width, height, &data.bytes).ok_or_else(|| {
                ScanError::NoClipboardImage(ClipboardProblem::Malformed {
                    bytes: data.bytes.len(),
                    width,
                    height,
                })
            })
        }
        Err(arboard::Error::ConversionFailure) => {
            Err(ScanError::NoClipboardImage(ClipboardProblem::UnknownFormat))
        }
        // No picture data, or an owner that answered the picture request with something else
        // (xclip holding text does).
        Err(e) => picture_file(&mut clipboard, &e),
    }
}

/// No picture data: maybe a copied picture file, maybe text.
fn picture_file(
    clipboard: &mut arboard::Clipboard,
    image_error: &arboard::Error,
) -> Result<GrayImage, ScanError> {
    if let Ok(files) = clipboard.get().file_list()
        && let Some(first) = files.first()
    {
        return file::load(first).map_err(|e| match e {
            ScanError::Unreadable { path, reason } => {
                ScanError::NoClipboardImage(ClipboardProblem::BadFile { path, reason })
            }
            other => other,
        });
    }
    let holds_text = clipboard.get_text().is_ok_and(|t| !t.trim().is_empty());
    Err(ScanError::NoClipboardImage(if holds_text {
        ClipboardProblem::Text
    } else if matches!(image_error, arboard::Error::ContentNotAvailable) {
        ClipboardProblem::Nothing
    } else {
        ClipboardProblem::Failed {
            detail: image_error.to_string(),
        }
    }))
}
