//! Greyscale frame → QR texts. (Placeholder: rqrr alone; the real decoder replaces it.)

use super::{Found, GrayImage};

/// The QR codes in `frame`.
pub fn decode(frame: &GrayImage) -> Vec<Found> {
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(
        frame.width() as usize,
        frame.height() as usize,
        |x, y| frame.get_pixel(x as u32, y as u32)[0],
    );
    prepared
        .detect_grids()
        .into_iter()
        .filter_map(|grid| {
            let (_, text) = grid.decode().ok()?;
            let corners = grid.bounds.map(|p| [p.x as f32, p.y as f32]);
            Some(Found { text, corners })
        })
        .collect()
}
