//! The countdown ring: how much of the current code's period is left.
//!
//! The ring is an image, drawn once for each step it shows and kept: a row's ring then costs
//! two triangles a frame instead of a stroked circle and arc (some 450 thin, feathered
//! triangles), which were most of the cost of a frame that only moves the countdowns (issue 14:
//! 0.4 of 1.1 ms, painted on the CPU). The seconds are text over the image, as before.
//!
//! [`Ticks`]: when nothing but the countdowns will change for a while (the app says when, see
//! [`plan_ticks`]), the next seconds' images and texts are made in the pass, and the window's
//! loop shows each second by putting them in place of the last frame's, without a pass.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use egui::epaint::{ClippedShape, Galley, Shape};
use egui::{
    Align2, Color32, ColorImage, Context, FontId, Id, Pos2, Rect, Response, Sense, TextureHandle,
    TextureId, TextureOptions, Ui, Vec2, Widget, WidgetInfo,
};

use crate::i18n::Language;

/// The ring's width, in points.
const RING_WIDTH: f32 = 3.0;
/// The ring's arc is drawn in this many steps of a whole turn: finer than a pixel along the
/// ring at any usual scale, and it bounds how many images a period can need.
const STEPS: u32 = 240;
/// The most ring images kept (30 seconds of a 30-second period in two colours, and room for
/// odd periods); beyond that the cache starts again.
const MAX_IMAGES: usize = 128;
/// The ring turns red for the last this many seconds.
const URGENT_SECONDS: u64 = 5;
/// The seconds' text size, in points.
const TEXT_SIZE: f32 = 10.0;

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
        let label = || tr!(lang, "ui.countdown.seconds_left", seconds = seconds_left);
        response.widget_info(|| WidgetInfo::labeled(egui::Role::ProgressIndicator, true, label()));
        if ui.is_rect_visible(rect) {
            let visuals = ui.visuals();
            let urgent = seconds_left <= URGENT_SECONDS;
            let arc = if urgent {
                Color32::from_rgb(0xd0, 0x3a, 0x2f)
            } else {
                visuals.selection.bg_fill
            };
            let track = visuals.widgets.noninteractive.bg_stroke.color;
            let text_color = visuals.text_color();
            let ppp = ui.pixels_per_point();
            // On whole pixels, so that each pixel shows one of the image's.
            let side = (size * ppp).round().max(1.0);
            let min = (rect.center().to_vec2() * ppp - Vec2::splat(side / 2.0)).round();
            let on_pixels = Rect::from_min_size(min.to_pos2() / ppp, Vec2::splat(side / ppp));
            let key = RingKey {
                side: side as u32,
                width: (RING_WIDTH * ppp).to_bits(),
                steps: steps(seconds_left, period),
                arc,
                track,
            };
            let texture = ring_texture(ui.ctx(), key);
            let painter = ui.painter();
            painter.image(
                texture,
                on_pixels,
                Rect::from_min_max(egui::Pos2::ZERO, egui::pos2(1.0, 1.0)),
                Color32::WHITE,
            );
            painter.text(
                on_pixels.center(),
                Align2::CENTER_CENTER,
                seconds_left.to_string(),
                FontId::proportional(TEXT_SIZE),
                text_color,
            );
            remember(
                ui.ctx(),
                Drawn {
                    key,
                    texture,
                    rect: on_pixels,
                    seconds_left,
                    period,
                    text_color,
                },
            );
        }
        response.on_hover_ui(|ui| {
            ui.label(label());
        })
    }
}

/// The share of the ring left, in [`STEPS`]: at least one step while any time is left.
fn steps(seconds_left: u64, period: u64) -> u32 {
    let left = seconds_left.min(period) as f64 / period.max(1) as f64;
    let steps = (left * f64::from(STEPS)).round() as u32;
    if seconds_left > 0 { steps.max(1) } else { 0 }
}

/// What a ring image shows: its size and width in pixels, its arc and its colours.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
struct RingKey {
    side: u32,
    /// The ring's width in pixels, as `f32` bits.
    width: u32,
    steps: u32,
    arc: Color32,
    track: Color32,
}

/// The ring images drawn so far, kept in the context's memory.
#[derive(Clone, Default)]
struct RingTextures(HashMap<RingKey, TextureHandle>);

/// The texture for `key`, drawn and uploaded the first time it is asked for.
fn ring_texture(ctx: &Context, key: RingKey) -> TextureId {
    with_ring(ctx, key, TextureHandle::id)
}

/// `read` of the texture for `key`, drawn and uploaded the first time it is asked for.
fn with_ring<R>(ctx: &Context, key: RingKey, read: impl Fn(&TextureHandle) -> R) -> R {
    let id = Id::unique("kunci-countdown-rings");
    let kept = |d: &mut egui::util::IdTypeMap| {
        d.get_temp_mut_or_default::<RingTextures>(id)
            .0
            .get(&key)
            .map(&read)
    };
    if let Some(kept) = ctx.data_mut(kept) {
        return kept;
    }
    let image = ring_image(
        key.side as usize,
        f32::from_bits(key.width),
        key.steps as f32 / STEPS as f32,
        key.arc,
        key.track,
    );
    // Nearest: the image is shown 1:1 on whole pixels.
    let texture = ctx.load_texture("countdown-ring", image, TextureOptions::NEAREST);
    let answer = read(&texture);
    ctx.data_mut(|d| {
        let rings = d.get_temp_mut_or_default::<RingTextures>(id);
        if rings.0.len() >= MAX_IMAGES {
            rings.0.clear();
        }
        rings.0.insert(key, texture);
    });
    answer
}

/// A countdown as a pass drew it.
#[derive(Clone)]
struct Drawn {
    key: RingKey,
    texture: TextureId,
    /// Where its image lies (the seconds are centred on it).
    rect: Rect,
    seconds_left: u64,
    period: u64,
    text_color: Color32,
}

/// The countdowns drawn in pass `pass_nr`, in the order they were drawn.
#[derive(Clone, Default)]
struct DrawnInPass {
    pass_nr: u64,
    countdowns: Vec<Drawn>,
}

fn drawn_id() -> Id {
    Id::unique("kunci-countdowns-drawn")
}

fn remember(ctx: &Context, drawn: Drawn) {
    let pass_nr = ctx.cumulative_pass_nr();
    ctx.data_mut(|d| {
        let this_pass = d.get_temp_mut_or_default::<DrawnInPass>(drawn_id());
        if this_pass.pass_nr != pass_nr {
            this_pass.pass_nr = pass_nr;
            this_pass.countdowns.clear();
        }
        this_pass.countdowns.push(drawn);
    });
}

/// The frames after a pass in which only its countdowns move: for each, every countdown's
/// image and seconds, made in the pass (so the textures and glyphs they need came with it).
#[derive(Clone)]
pub struct Ticks {
    pass_nr: u64,
    /// The countdowns as the pass drew them, to be found in its shapes.
    drawn: Vec<Drawn>,
    /// Where each countdown's image and text are in the shapes, once found.
    found: Option<Vec<usize>>,
    moves: VecDeque<Move>,
    /// How long after the pass another one is due (a countdown reaches its last seconds,
    /// or the app's own time runs out).
    pub then: Duration,
}

/// One second's countdowns, `after` the pass.
#[derive(Clone)]
struct Move {
    after: Duration,
    countdowns: Vec<(TextureHandle, Arc<Galley>, Pos2)>,
}

/// What the app tells [`plan_ticks`]: only the countdowns change at each of `moves` (how
/// long after now, how many whole seconds after the pass's), in order, until `end` (a pass is
/// due then anyway), and until a countdown reaches its `last_seconds` or a new period (where
/// its row changes).
pub struct TickPlan {
    pub moves: Vec<(Duration, u64)>,
    pub end: Duration,
    pub last_seconds: u64,
}

fn ticks_enabled_id() -> Id {
    Id::unique("kunci-countdown-ticks-enabled")
}

/// Tells the app's passes that [`Ticks`] are drawn (by the window's loop): only then are they
/// planned.
pub fn enable_ticks(ctx: &Context) {
    ctx.data_mut(|d| d.insert_temp(ticks_enabled_id(), true));
}

/// Makes the [`Ticks`] of `plan` for the countdowns drawn in this pass, for [`take_ticks`].
/// Call at the end of a pass, when nothing else in the window can change until `plan.end`.
pub fn plan_ticks(ctx: &Context, plan: &TickPlan) {
    if !ctx.data(|d| d.get_temp::<bool>(ticks_enabled_id()).unwrap_or(false)) {
        return;
    }
    let pass_nr = ctx.cumulative_pass_nr();
    let Some(drawn) = ctx
        .data(|d| d.get_temp::<DrawnInPass>(drawn_id()))
        .filter(|drawn| drawn.pass_nr == pass_nr && !drawn.countdowns.is_empty())
        .map(|drawn| drawn.countdowns)
    else {
        return;
    };
    // The ring turns red, and the app's row changes, as the seconds left cross these.
    let edges = [plan.last_seconds, URGENT_SECONDS];
    let same_look = |from: u64, to: u64| edges.iter().all(|edge| (from > *edge) == (to > *edge));
    let mut moves = VecDeque::new();
    let mut then = plan.end;
    for &(after, seconds) in &plan.moves {
        if after >= plan.end {
            break;
        }
        let lefts: Option<Vec<u64>> = drawn
            .iter()
            .map(|c| {
                c.seconds_left
                    .checked_sub(seconds)
                    .filter(|left| *left > 0 && same_look(c.seconds_left, *left))
            })
            .collect();
        let Some(lefts) = lefts else {
            then = after;
            break;
        };
        let countdowns = drawn
            .iter()
            .zip(lefts)
            .map(|(c, left)| {
                let key = RingKey {
                    steps: steps(left, c.period),
                    ..c.key
                };
                let texture = with_ring(ctx, key, TextureHandle::clone);
                let font = FontId::proportional(TEXT_SIZE);
                let galley = ctx
                    .fonts_mut(|f| f.layout(left.to_string(), font, c.text_color, f32::INFINITY));
                let pos = Align2::CENTER_CENTER
                    .anchor_size(c.rect.center(), galley.size())
                    .min;
                (texture, galley, pos)
            })
            .collect();
        moves.push_back(Move { after, countdowns });
    }
    if moves.is_empty() {
        return;
    }
    let ticks = Ticks {
        pass_nr,
        drawn,
        found: None,
        moves,
        then,
    };
    ctx.data_mut(|d| d.insert_temp(ticks_id(), Some(ticks)));
}

fn ticks_id() -> Id {
    Id::unique("kunci-countdown-ticks")
}

/// The [`Ticks`] planned in the pass that just ended, if it planned any.
pub fn take_ticks(ctx: &Context) -> Option<Ticks> {
    let ticks = ctx.data_mut(|d| d.remove_temp::<Option<Ticks>>(ticks_id()))??;
    // The pass number went up when the pass ended.
    (ticks.pass_nr + 1 == ctx.cumulative_pass_nr()).then_some(ticks)
}

impl Ticks {
    /// How long after the pass the next move is due.
    pub fn next_move(&self) -> Option<Duration> {
        self.moves.front().map(|m| m.after)
    }

    /// Puts the next move's countdowns in place of those in `shapes` (the last frame's).
    /// False when they are not where the pass drew them (nothing is changed then).
    pub fn apply_next(&mut self, shapes: &mut [ClippedShape]) -> bool {
        if self.found.is_none() {
            self.found = find(&self.drawn, shapes);
        }
        let (Some(found), Some(next)) = (&self.found, self.moves.pop_front()) else {
            return false;
        };
        for (&at, (texture, galley, pos)) in found.iter().zip(next.countdowns) {
            if let Shape::Mesh(mesh) = &mut shapes[at].shape {
                Arc::make_mut(mesh).texture_id = texture.id();
            }
            if let Shape::Text(text) = &mut shapes[at + 1].shape {
                text.galley = galley;
                text.pos = pos;
            }
        }
        true
    }
}

/// Where each drawn countdown's image is in `shapes`, its seconds' text right after it (they
/// are painted one after the other, on one layer): `None` unless every one is found.
fn find(drawn: &[Drawn], shapes: &[ClippedShape]) -> Option<Vec<usize>> {
    let mut from = 0;
    drawn
        .iter()
        .map(|c| {
            let text = c.seconds_left.to_string();
            let at = from
                + shapes[from..].windows(2).position(|pair| {
                    let image = match &pair[0].shape {
                        Shape::Mesh(mesh) => {
                            mesh.texture_id == c.texture
                                && mesh.vertices.len() == 4
                                && mesh.calc_bounds() == c.rect
                        }
                        _ => false,
                    };
                    image && matches!(&pair[1].shape, Shape::Text(t) if t.galley.text() == text)
                })?;
            from = at + 2;
            Some(at)
        })
        .collect()
}

/// A `side`-pixel square image of the ring: the track all round, in `track`, and over it the
/// arc, clockwise from the top for `fraction` of a turn, in `arc`, both `width` pixels wide.
/// Both are anti-aliased as egui strokes a path (a one-pixel ramp centred on each edge, the
/// arc's ends cut square), in premultiplied alpha: transparent off the ring. The geometry is
/// the one the widget had when egui stroked it: egui strokes a circle outside its radius, so
/// the track fills the square to its edge, and the arc (a path, stroked on its line) lies
/// `width / 2` further in, leaving the track's outer edge showing around it.
pub(super) fn ring_image(
    side: usize,
    width: f32,
    fraction: f32,
    arc: Color32,
    track: Color32,
) -> ColorImage {
    let centre = side as f32 / 2.0;
    let track_radius = (centre - width / 2.0).max(0.0);
    let arc_radius = (centre - width).max(0.0);
    // Coverage across a ring of `width` centred on `radius`, at `distance` from the centre.
    let across = |distance: f32, radius: f32| {
        (width / 2.0 + 0.5 - (distance - radius).abs()).clamp(0.0, 1.0)
    };
    let turn = std::f32::consts::TAU;
    let end = fraction.clamp(0.0, 1.0) * turn;
    let mut pixels = Vec::with_capacity(side * side);
    for y in 0..side {
        for x in 0..side {
            let dx = x as f32 + 0.5 - centre;
            let dy = y as f32 + 0.5 - centre;
            let distance = dx.hypot(dy);
            let under = scale(track, across(distance, track_radius));
            let on_ring = across(distance, arc_radius);
            if on_ring <= 0.0 || end <= 0.0 {
                pixels.push(under);
                continue;
            }
            // Clockwise from the top, in 0..TAU.
            let angle = dx.atan2(-dy).rem_euclid(turn);
            // How far the pixel's centre lies inside the arc along the ring, in pixels
            // (negative: outside), from the nearer of its two ends.
            let along = if end >= turn {
                f32::INFINITY
            } else if angle <= end {
                angle.min(end - angle) * distance
            } else {
                -((angle - end).min(turn - angle) * distance)
            };
            let over = scale(arc, on_ring * (along + 0.5).clamp(0.0, 1.0));
            pixels.push(over_premultiplied(over, under));
        }
    }
    ColorImage::new([side, side], pixels)
}

/// `color` (opaque or not) at `coverage`, premultiplied.
fn scale(color: Color32, coverage: f32) -> Color32 {
    let [r, g, b, a] = color.to_array();
    let f = |c: u8| (f32::from(c) * coverage).round() as u8;
    // Color32 is premultiplied already: scaling every channel keeps it so.
    Color32::from_rgba_premultiplied(f(r), f(g), f(b), f(a))
}

/// Premultiplied "over", as the painter blends one shape over another.
fn over_premultiplied(over: Color32, under: Color32) -> Color32 {
    let inv = 255 - u32::from(over.a());
    let mix = |o: u8, u: u8| (u32::from(o) + (u32::from(u) * inv + 127) / 255).min(255) as u8;
    Color32::from_rgba_premultiplied(
        mix(over.r(), under.r()),
        mix(over.g(), under.g()),
        mix(over.b(), under.b()),
        mix(over.a(), under.a()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARC: Color32 = Color32::from_rgb(0, 92, 128);
    const TRACK: Color32 = Color32::from_gray(60);

    fn at(image: &ColorImage, x: usize, y: usize) -> Color32 {
        image.pixels[y * image.size[0] + x]
    }

    #[test]
    fn steps_round_the_share_left_and_keep_a_sliver_until_the_end() {
        assert_eq!(steps(30, 30), STEPS);
        assert_eq!(steps(15, 30), STEPS / 2);
        assert_eq!(steps(1, 30), 8);
        assert_eq!(steps(1, 100_000), 1);
        assert_eq!(steps(0, 30), 0);
        // A clock set back far gives more seconds than a period.
        assert_eq!(steps(40, 30), STEPS);
    }

    #[test]
    fn a_quarter_ring_is_the_arc_top_right_and_the_track_elsewhere() {
        let image = ring_image(28, 3.0, 0.25, ARC, TRACK);
        // The arc's middle line is 11 px from the centre (14, 14), the track's 12.5.
        let right = at(&image, 24, 10); // up and right: on the arc
        let left = at(&image, 2, 14); // left: the track
        let bottom = at(&image, 14, 25); // bottom: the track
        // Outside the arc, the track's outer edge shows, untouched by the arc's colour.
        let rim = at(&image, 14, 0);
        assert!(
            rim.a() > 200 && rim.r() == rim.g() && rim.g() == rim.b(),
            "{rim:?}"
        );
        assert_eq!(right, ARC, "{right:?}");
        assert_eq!(left, TRACK, "{left:?}");
        assert_eq!(bottom, TRACK, "{bottom:?}");
        // Off the ring: nothing.
        assert_eq!(at(&image, 14, 14), Color32::TRANSPARENT);
        assert_eq!(at(&image, 0, 0), Color32::TRANSPARENT);
    }

    #[test]
    fn the_ring_is_anti_aliased_across_and_at_the_arcs_ends() {
        let image = ring_image(28, 3.0, 0.5, ARC, TRACK);
        // Across the ring, on the right (x = 14 + 11): partly covered pixels at both edges.
        let row: Vec<u8> = (20..28).map(|x| at(&image, x, 13).a()).collect();
        assert!(row.iter().any(|a| (1..255).contains(a)), "{row:?}");
        assert!(row.contains(&255), "{row:?}");
        // Where the arc ends (108 degrees, across the pixel grid) the arc's colour fades into
        // the track's over some pixels.
        let end = ring_image(28, 3.0, 0.3, ARC, TRACK);
        let between = end
            .pixels
            .iter()
            .filter(|p| p.a() == 255 && p.b() > TRACK.b() + 8 && p.b() + 8 < ARC.b())
            .count();
        assert!(
            between >= 2,
            "{between} pixels between the arc and the track"
        );
    }

    #[test]
    fn a_full_ring_and_an_empty_one() {
        let full = ring_image(28, 3.0, 1.0, ARC, TRACK);
        let empty = ring_image(28, 3.0, 0.0, ARC, TRACK);
        for (x, y) in [(24, 14), (14, 24), (3, 14), (14, 3), (13, 3)] {
            assert_eq!(at(&full, x, y), ARC, "({x}, {y})");
        }
        for (x, y) in [(26, 14), (14, 26), (1, 14), (14, 1), (13, 1)] {
            assert_eq!(at(&empty, x, y), TRACK, "({x}, {y})");
        }
        // Nothing of the arc's colour in an empty ring.
        assert!(
            empty
                .pixels
                .iter()
                .all(|p| p.r() == p.g() && p.g() == p.b())
        );
    }

    #[test]
    fn odd_sizes_do_not_fail() {
        for side in [0, 1, 2, 5] {
            let image = ring_image(side, 3.0, 0.5, ARC, TRACK);
            assert_eq!(image.pixels.len(), side * side);
        }
    }
}
