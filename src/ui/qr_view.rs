//! A QR code drawn on screen from its modules: dark squares on a white square with the quiet
//! zone around them, whatever the theme (readers need dark on light).

use egui::{Color32, Rect, Sense, Ui, Vec2, WidgetInfo, pos2, vec2};
use qrcode::{Color, EcLevel, QrCode};
use zeroize::Zeroize;

/// Modules of white around the code: the four the QR standard asks for.
const QUIET_ZONE: usize = 4;

/// The modules of one QR code. They spell the text they encode: wiped on drop.
pub struct QrView {
    width: usize,
    /// Row by row, `true` for a dark module.
    dark: Vec<bool>,
}

impl QrView {
    /// The code for `text`, or `None` when it is too long for any QR code. Medium error
    /// correction: a photo of a screen needs some, and low-density codes read more easily.
    pub fn new(text: &str) -> Option<Self> {
        let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
        let dark = code.to_colors().iter().map(|c| *c == Color::Dark).collect();
        Some(QrView {
            width: code.width(),
            dark,
        })
    }

    fn is_dark(&self, x: usize, y: usize) -> bool {
        self.dark[y * self.width + x]
    }

    /// A grey picture of the code, `scale` pixels per module, quiet zone included: what the
    /// tests hand to the decoders.
    #[cfg(test)]
    pub fn to_image(&self, scale: u32) -> image::GrayImage {
        let side = (self.width + 2 * QUIET_ZONE) as u32 * scale;
        image::GrayImage::from_fn(side, side, |px, py| {
            let (x, y) = ((px / scale) as usize, (py / scale) as usize);
            let inside = (QUIET_ZONE..QUIET_ZONE + self.width).contains(&x)
                && (QUIET_ZONE..QUIET_ZONE + self.width).contains(&y);
            let dark = inside && self.is_dark(x - QUIET_ZONE, y - QUIET_ZONE);
            image::Luma([if dark { 0 } else { 255 }])
        })
    }

    /// Draws the code as large as `max_side` points allows, in whole pixels per module so
    /// that no module is blurred into its neighbour. `label` names it for screen readers.
    pub fn ui(&self, ui: &mut Ui, max_side: f32, label: &str) {
        let modules = (self.width + 2 * QUIET_ZONE) as f32;
        let ppp = ui.ctx().pixels_per_point();
        let side_px = (max_side.min(ui.available_width()) * ppp).max(modules);
        let module = (side_px / modules).floor().max(1.0) / ppp;
        let side = module * modules;
        let (rect, response) = ui.allocate_exact_size(Vec2::splat(side), Sense::hover());
        response.widget_info(|| WidgetInfo::labeled(egui::Role::Image, true, label));
        let painter = ui.painter_at(rect);
        painter.rect_filled(rect, 0.0, Color32::WHITE);
        let origin = rect.min + Vec2::splat(module * QUIET_ZONE as f32);
        // One rectangle per run of dark modules in a row: a tenth of the shapes of one each.
        for y in 0..self.width {
            let mut x = 0;
            while x < self.width {
                if !self.is_dark(x, y) {
                    x += 1;
                    continue;
                }
                let start = x;
                while x < self.width && self.is_dark(x, y) {
                    x += 1;
                }
                let min = origin + vec2(start as f32 * module, y as f32 * module);
                let run = Rect::from_min_max(
                    pos2(min.x, min.y),
                    pos2(min.x + (x - start) as f32 * module, min.y + module),
                );
                painter.rect_filled(run, 0.0, Color32::BLACK);
            }
        }
    }
}

impl Drop for QrView {
    fn drop(&mut self) {
        self.dark.zeroize();
    }
}
