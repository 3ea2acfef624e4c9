//! The countdown ring: how much of the current code's period is left.

use egui::{Color32, Pos2, Response, Sense, Shape, Stroke, Ui, Vec2, Widget, WidgetInfo};

use crate::i18n::Language;

/// A ring that empties as the code's period runs out; red in the last seconds.
pub struct Countdown {
    seconds_left: u64,
    period: u64,
    size: f32,
    lang: Language,
}

impl Countdown {
    pub fn new(seconds_left: u64, period: u64) -> Self {
        Countdown {
            seconds_left,
            period: period.max(1),
            size: 28.0,
            lang: Language::English,
        }
    }

    /// The language of the ring's accessible label and hover text.
    pub fn language(mut self, lang: Language) -> Self {
        self.lang = lang;
        self
    }
}

impl Widget for Countdown {
    fn ui(self, ui: &mut Ui) -> Response {
        let Countdown {
            seconds_left,
            period,
            size,
            lang,
        } = self;
        let (rect, response) = ui.allocate_exact_size(Vec2::splat(size), Sense::hover());
        let label = tr!(lang, "ui.countdown.seconds_left", seconds = seconds_left);
        response.widget_info(|| WidgetInfo::labeled(egui::Role::ProgressIndicator, true, &label));
        if ui.is_rect_visible(rect) {
            let visuals = ui.visuals();
            let urgent = seconds_left <= 5;
            let color = if urgent {
                Color32::from_rgb(0xd0, 0x3a, 0x2f)
            } else {
                visuals.selection.bg_fill
            };
            let center = rect.center();
            let radius = size / 2.0 - 3.0;
            let painter = ui.painter();
            painter.circle_stroke(
                center,
                radius,
                Stroke::new(3.0, visuals.widgets.noninteractive.bg_stroke.color),
            );
            let fraction = seconds_left as f32 / period as f32;
            // 48 steps for the whole ring, as many for a part of it as its share: the same arc
            // in fewer triangles for a software rasterizer.
            let steps = ((48.0 * fraction).ceil() as usize).max(1);
            let points: Vec<Pos2> = (0..=steps)
                .map(|i| {
                    let angle = -std::f32::consts::FRAC_PI_2
                        + std::f32::consts::TAU * fraction * i as f32 / steps as f32;
                    center + radius * Vec2::angled(angle)
                })
                .collect();
            painter.add(Shape::line(points, Stroke::new(3.0, color)));
            painter.text(
                center,
                egui::Align2::CENTER_CENTER,
                seconds_left.to_string(),
                egui::FontId::proportional(10.0),
                visuals.text_color(),
            );
        }
        response.on_hover_text(label)
    }
}
