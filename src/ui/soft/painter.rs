//! A frame's shapes made pixels, again only where they changed since the last frame.

use egui::epaint::ClippedShape;
use egui::{Context, TextureId, TexturesDelta};

use super::dirty;
use super::raster::{self, Canvas, PixelRect};
use super::texture::Textures;

/// What a frame's pixels depend on besides its shapes and textures.
#[derive(Clone, Copy, PartialEq)]
pub struct Look {
    /// Gamma-space RGBA 0..1, as eframe's `App::clear_color` gives.
    pub clear: [f32; 4],
    pub pixels_per_point: f32,
}

/// The canvas, the textures, and the shapes the canvas shows.
#[derive(Default)]
pub struct Painter {
    canvas: Canvas,
    textures: Textures,
    /// What the canvas shows; `None` when it must be painted whole.
    painted: Option<(Look, Vec<ClippedShape>)>,
}

impl Painter {
    pub fn canvas(&self) -> &Canvas {
        &self.canvas
    }

    /// Paints a frame of `width` × `height` pixels and returns the pixels that changed
    /// (`None`: none did). `textures` is applied here; the caller clears it.
    pub fn paint(
        &mut self,
        ctx: &Context,
        look: Look,
        shapes: Vec<ClippedShape>,
        textures: &TexturesDelta,
        (width, height): (usize, usize),
    ) -> Option<PixelRect> {
        let textures_change_pixels = changes_painted_pixels(textures, &self.textures);
        self.textures.set(textures);
        let area = match self.painted.take() {
            Some((last, last_shapes))
                if last == look
                    && (self.canvas.width(), self.canvas.height()) == (width, height)
                    && !textures_change_pixels =>
            {
                dirty::changed_area(&last_shapes, &shapes, look.pixels_per_point, width, height)
            }
            _ => Some(PixelRect::whole(width, height)),
        };
        self.canvas.resize(width, height);
        if let Some(area) = area {
            // Only the shapes that reach into the area: the rest would paint nothing there.
            let touching: Vec<ClippedShape> = shapes
                .iter()
                .filter(|shape| {
                    dirty::pixel_bounds(shape, look.pixels_per_point, width, height)
                        .is_some_and(|bounds| bounds.intersects(area))
                })
                .cloned()
                .collect();
            let primitives = ctx.tessellate(touching, look.pixels_per_point);
            raster::paint_area(
                &mut self.canvas,
                area,
                look.clear,
                &primitives,
                &self.textures,
                look.pixels_per_point,
            );
        }
        self.textures.free(textures);
        self.painted = Some((look, shapes));
        area
    }

    /// A frame skipped (a minimized window): the textures still change, and the next frame is
    /// painted whole.
    /// The last frame painted whole or in part, if the canvas shows one: how, and its shapes.
    pub fn last_frame(&self) -> Option<(Look, Vec<ClippedShape>)> {
        self.painted
            .as_ref()
            .map(|(look, shapes)| (*look, shapes.clone()))
    }

    pub fn skip(&mut self, textures: &TexturesDelta) {
        self.textures.set(textures);
        self.textures.free(textures);
        self.painted = None;
    }
}

/// Whether `textures` may change pixels already painted with the textures `painted` holds.
/// Glyphs new to the font atlas are written where no glyph was (and the text that shows them
/// is new: it is painted anyway), and a texture new to the painter (a countdown ring's image)
/// was in no frame yet; anything else (an image replaced, the atlas grown or rebuilt, a
/// texture freed) may change any pixel of any shape that uses it.
fn changes_painted_pixels(textures: &TexturesDelta, painted: &Textures) -> bool {
    !textures.free.is_empty()
        || textures.set.iter().any(|(id, deltas)| {
            let new = !painted.contains(*id);
            let glyphs = *id == TextureId::default();
            deltas
                .iter()
                .any(|delta| !(new || glyphs && delta.pos.is_some()))
        })
}

#[cfg(test)]
mod tests {
    use egui::{Color32, Pos2, RawInput, Rect, vec2};

    use super::*;

    const LOOK: Look = Look {
        clear: [0.1, 0.1, 0.1, 1.0],
        pixels_per_point: 1.0,
    };

    /// Frames of a window whose countdowns tick (their ring images new to the painter), whose
    /// rows come and go, whose spinner spins and whose image is replaced: each frame painted
    /// where it changed must be the frame painted whole.
    #[test]
    fn frames_painted_where_they_changed_are_the_frames_painted_whole() {
        let ctx = egui::Context::default();
        let (w, h) = (320, 240);
        let mut painter = Painter::default();
        let mut fresh_textures = Textures::default();
        let mut partial = 0;
        let colours = |c: Color32| egui::ColorImage::filled([12, 12], c);
        let mut picture = ctx.load_texture(
            "picture",
            colours(Color32::GOLD),
            egui::TextureOptions::NEAREST,
        );
        for frame in 0..40u32 {
            if frame == 27 {
                // The same texture, a new image, in a frame where nothing else changes.
                picture.set(colours(Color32::LIGHT_BLUE), egui::TextureOptions::NEAREST);
            }
            let input = RawInput {
                screen_rect: Some(Rect::from_min_size(Pos2::ZERO, vec2(w as f32, h as f32))),
                time: Some(f64::from(frame) * 0.25),
                ..Default::default()
            };
            let mut output = ctx.run_ui(input, |ui| {
                egui::CentralPanel::default().show(ui, |ui| {
                    ui.label(format!("{} s left", 30 - frame / 4));
                    for row in 0..(3 + frame / 10) {
                        ui.horizontal(|ui| {
                            ui.label(format!("LPSE Kota {row}"));
                            ui.monospace(format!("{:06}", (row * 7919 + frame / 8) % 999_999));
                        });
                    }
                    if frame % 10 < 5 {
                        ui.add(egui::Spinner::new());
                    }
                    ui.horizontal(|ui| {
                        let left = u64::from(30 - frame / 2 % 30);
                        ui.add(crate::ui::countdown::Countdown::new(left, 30));
                        ui.add(crate::ui::countdown::Countdown::new(left / 2, 15));
                        ui.image((picture.id(), vec2(12.0, 12.0)));
                    });
                });
            });
            let shapes = output.shapes.clone();
            let area = painter.paint(&ctx, LOOK, output.shapes, &output.textures_delta, (w, h));
            if area.is_some_and(|a| a != PixelRect::whole(w, h)) {
                partial += 1;
            }

            let delta = &mut output.textures_delta;
            let whole = painted_whole(&ctx, shapes, delta, &mut fresh_textures, (w, h));
            let differ = differing(&whole, painter.canvas());
            assert_eq!(differ, 0, "frame {frame}: {differ} pixels differ");
        }
        assert!(partial > 20, "only {partial} of 40 frames painted in part");
    }

    /// `shapes` (from `ctx`) painted whole on a new canvas, `textures` brought up to date
    /// with `delta` (which is then cleared).
    fn painted_whole(
        ctx: &egui::Context,
        shapes: Vec<ClippedShape>,
        delta: &mut TexturesDelta,
        textures: &mut Textures,
        (w, h): (usize, usize),
    ) -> Canvas {
        textures.set(delta);
        let mut whole = Canvas::default();
        whole.resize(w, h);
        let primitives = ctx.tessellate(shapes, LOOK.pixels_per_point);
        raster::paint(&mut whole, LOOK.clear, &primitives, textures, 1.0);
        textures.free(delta);
        delta.clear();
        whole
    }

    fn differing(a: &Canvas, b: &Canvas) -> usize {
        a.pixels()
            .iter()
            .zip(b.pixels())
            .filter(|(x, y)| x != y)
            .count()
    }

    /// The seconds a pass planned, each shown by putting its countdowns into the last frame's
    /// shapes (as the window's loop does), must be the frames a pass at that second paints.
    #[test]
    fn countdown_ticks_are_the_frames_a_pass_would_paint() {
        // Second 3: 27, 27, 57 and 42 s left; the 30-second rings reach their last 5 s at 25,
        // and from there tick on, red, to their new period at 30.
        check_ticks(3, 22);
        check_ticks(25, 5);
    }

    /// Plans ticks at second `start` (of four countdowns), checks that a pass is due `then`
    /// seconds later and that each tick before it paints what a pass would.
    fn check_ticks(start: u64, then: u64) {
        use crate::ui::countdown::{self, Countdown, TickPlan};
        use std::time::Duration;

        let (w, h) = (240, 200);
        let scene = |ui: &mut egui::Ui, second: u64| {
            egui::CentralPanel::default().show(ui, |ui| {
                for (row, period) in [30u64, 30, 60, 45].into_iter().enumerate() {
                    ui.horizontal(|ui| {
                        ui.label(format!("LPSE Kota {row}"));
                        ui.add(Countdown::new(period - second % period, period));
                    });
                }
            });
        };
        let input = |second: u64| RawInput {
            screen_rect: Some(Rect::from_min_size(Pos2::ZERO, vec2(w as f32, h as f32))),
            time: Some(second as f64),
            ..Default::default()
        };
        let ctx = egui::Context::default();
        countdown::enable_ticks(&ctx);
        let mut painter = Painter::default();
        for _ in 0..2 {
            let mut output = ctx.run_ui(input(start), |ui| {
                scene(ui, start);
                let moves = (1..40).map(|s| (Duration::from_secs(s), s)).collect();
                let plan = TickPlan {
                    moves,
                    end: Duration::from_secs(30),
                    last_seconds: 5,
                };
                countdown::plan_ticks(ui.ctx(), &plan);
            });
            painter.paint(&ctx, LOOK, output.shapes, &output.textures_delta, (w, h));
            output.textures_delta.clear();
        }
        let mut ticks = countdown::take_ticks(&ctx).expect("ticks planned");
        assert!(countdown::take_ticks(&ctx).is_none(), "taken once");
        assert_eq!(ticks.then, Duration::from_secs(then), "from {start}");

        let fresh = egui::Context::default();
        let mut fresh_textures = Textures::default();
        for second in start + 1..start + then {
            assert_eq!(ticks.next_move(), Some(Duration::from_secs(second - start)));
            let (look, mut shapes) = painter.last_frame().unwrap();
            assert!(ticks.apply_next(&mut shapes), "second {second}");
            let area = painter.paint(&ctx, look, shapes, &TexturesDelta::default(), (w, h));
            assert!(
                area.is_some_and(|a| a != PixelRect::whole(w, h)),
                "painted in part"
            );

            let mut output = fresh.run_ui(input(second), |ui| scene(ui, second));
            let delta = &mut output.textures_delta;
            let whole = painted_whole(&fresh, output.shapes, delta, &mut fresh_textures, (w, h));
            let differ = differing(&whole, painter.canvas());
            assert_eq!(differ, 0, "second {second}: {differ} pixels differ");
        }
        assert_eq!(ticks.next_move(), None, "no tick past the plan");
    }

    /// Ticks are planned only for the window's loop, only in the pass that drew the
    /// countdowns, and only until a countdown reaches its last seconds or a new period.
    #[test]
    fn ticks_wait_for_the_loop_and_stop_where_a_row_changes() {
        use crate::ui::countdown::{self, Countdown, TickPlan};
        use std::time::Duration;

        let plan = |left: u64| {
            let ctx = egui::Context::default();
            let run = |ctx: &egui::Context| {
                let mut output = ctx.run_ui(RawInput::default(), |ui| {
                    ui.add(Countdown::new(left, 30));
                    let plan = TickPlan {
                        moves: (1..5).map(|s| (Duration::from_secs(s), s)).collect(),
                        end: Duration::from_secs(60),
                        last_seconds: 5,
                    };
                    countdown::plan_ticks(ui.ctx(), &plan);
                });
                output.textures_delta.clear();
            };
            run(&ctx);
            assert!(countdown::take_ticks(&ctx).is_none(), "no loop, no ticks");
            countdown::enable_ticks(&ctx);
            run(&ctx);
            countdown::take_ticks(&ctx).map(|t| t.then)
        };
        assert_eq!(plan(20), Some(Duration::from_secs(60)));
        assert_eq!(plan(8), Some(Duration::from_secs(3)), "a pass at 5 s left");
        assert_eq!(plan(6), None, "5 s left at the first tick");
        assert_eq!(plan(5), Some(Duration::from_secs(60)), "4 to 1 s left");
        assert_eq!(plan(3), Some(Duration::from_secs(3)), "a new period");
    }

    #[test]
    fn a_new_size_or_look_is_painted_whole() {
        let ctx = egui::Context::default();
        let mut painter = Painter::default();
        let mut frame = |look: Look, size: (usize, usize)| {
            let mut output = ctx.run_ui(RawInput::default(), |ui| {
                ui.label("Kunci");
            });
            let area = painter.paint(&ctx, look, output.shapes, &output.textures_delta, size);
            output.textures_delta.clear();
            area
        };
        assert_eq!(frame(LOOK, (50, 40)), Some(PixelRect::whole(50, 40)));
        // Settled: the same frame changes nothing.
        frame(LOOK, (50, 40));
        assert_eq!(frame(LOOK, (50, 40)), None);
        assert_eq!(frame(LOOK, (60, 40)), Some(PixelRect::whole(60, 40)));
        let light = Look {
            clear: [0.9, 0.9, 0.9, 1.0],
            ..LOOK
        };
        assert_eq!(frame(light, (60, 40)), Some(PixelRect::whole(60, 40)));
    }
}
