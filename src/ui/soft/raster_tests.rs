//! The rasterizer against hand-worked pixels and a real egui frame.

use super::*;
use egui::epaint::ImageDelta;
use egui::{Color32, ColorImage, Pos2, TextureId, TextureOptions, TexturesDelta, pos2, vec2};

const CLEAR: [f32; 4] = [0.5, 0.5, 0.5, 1.0];
const CLEAR_PX: u32 = 0x0080_8080;

fn full(id: TextureId, image: ColorImage, options: TextureOptions) -> TexturesDelta {
    let mut delta = TexturesDelta::default();
    delta
        .set
        .insert(id, [ImageDelta::full(image, options)].into_iter().collect());
    delta
}

/// Applies a delta as the runner does: set, (paint,) free, clear.
fn apply(textures: &mut Textures, mut delta: TexturesDelta) {
    textures.set(&delta);
    textures.free(&delta);
    delta.clear();
}

/// The font atlas's role: texture 0 with a white texel at (0, 0).
fn white_textures() -> Textures {
    let mut textures = Textures::default();
    let mut image = ColorImage::filled([4, 4], Color32::TRANSPARENT);
    image.pixels[0] = Color32::WHITE;
    apply(
        &mut textures,
        full(TextureId::default(), image, TextureOptions::LINEAR),
    );
    textures
}

fn rect(min: (f32, f32), max: (f32, f32)) -> Rect {
    Rect::from_min_max(pos2(min.0, min.1), pos2(max.0, max.1))
}

fn prim(mesh: Mesh, clip: Rect) -> ClippedPrimitive {
    ClippedPrimitive {
        clip_rect: clip,
        primitive: Primitive::Mesh(mesh),
    }
}

fn everything() -> Rect {
    rect((-1e4, -1e4), (1e4, 1e4))
}

/// Paints one mesh with no clip but the canvas, one pixel a point.
fn paint_unclipped(canvas: &mut Canvas, mesh: Mesh, textures: &Textures) {
    paint(canvas, CLEAR, &[prim(mesh, everything())], textures, 1.0);
}

fn quad(r: Rect, color: Color32) -> Mesh {
    let mut mesh = Mesh::default();
    mesh.add_colored_rect(r, color);
    mesh
}

fn canvas(w: usize, h: usize) -> Canvas {
    let mut canvas = Canvas::default();
    canvas.resize(w, h);
    canvas
}

fn at(canvas: &Canvas, x: usize, y: usize) -> u32 {
    canvas.pixels()[y * canvas.width() + x]
}

/// Every pixel of the canvas is what `want` says for it.
fn assert_pixels(canvas: &Canvas, want: impl Fn(usize, usize) -> u32) {
    for y in 0..canvas.height() {
        for x in 0..canvas.width() {
            assert_eq!(at(canvas, x, y), want(x, y), "pixel ({x}, {y})");
        }
    }
}

/// Every pixel of the canvas is `inside` where `is_inside` says so, else the clear colour.
fn assert_painted(canvas: &Canvas, inside: u32, is_inside: impl Fn(usize, usize) -> bool) {
    assert_pixels(
        canvas,
        |x, y| if is_inside(x, y) { inside } else { CLEAR_PX },
    );
}

/// Pixels whose centre lies in [min, max) on both axes: what the top-left rule gives for an
/// axis-aligned rectangle.
fn covers(r: Rect, x: usize, y: usize) -> bool {
    let (cx, cy) = (x as f32 + 0.5, y as f32 + 0.5);
    r.min.x <= cx && cx < r.max.x && r.min.y <= cy && cy < r.max.y
}

fn expected_blend(src: Color32, dst: u32) -> u32 {
    let inv = f64::from(255 - src.a()) / 255.0;
    let ch = |s: u8, shift: u32| {
        let d = f64::from((dst >> shift) & 0xff);
        ((f64::from(s) + d * inv).round() as u32).min(255)
    };
    (ch(src.r(), 16) << 16) | (ch(src.g(), 8) << 8) | ch(src.b(), 0)
}

#[test]
fn div255_rounds_exactly() {
    for x in 0..=255 * 255 {
        assert_eq!(div255(x), (x + 127) / 255, "x = {x}");
    }
}

#[test]
fn opaque_rectangle_fills_exactly_the_covered_pixel_centres() {
    let textures = white_textures();
    let r = rect((1.5, 2.5), (5.2, 6.0));
    let color = Color32::from_rgb(200, 10, 30);
    let mut canvas = canvas(10, 10);
    paint_unclipped(&mut canvas, quad(r, color), &textures);
    assert_painted(&canvas, 0x00c8_0a1e, |x, y| covers(r, x, y));
}

#[test]
fn translucent_quad_is_blended_once_everywhere() {
    let textures = white_textures();
    let color = Color32::from_rgba_premultiplied(100, 50, 0, 128);
    let want = expected_blend(color, CLEAR_PX);
    assert_eq!(want, 0x00a4_7240);
    // One quad as egui draws it, and one with the opposite winding.
    let a = rect((0.3, 0.7), (7.6, 9.1));
    let b = rect((10.0, 1.25), (17.5, 8.75));
    let mut reversed = quad(b, color);
    for tri in reversed.indices.chunks_exact_mut(3) {
        tri.swap(1, 2);
    }
    let mut canvas = canvas(20, 12);
    let primitives = [
        prim(quad(a, color), everything()),
        prim(reversed, everything()),
    ];
    paint(&mut canvas, CLEAR, &primitives, &textures, 1.0);
    assert_painted(&canvas, want, |x, y| covers(a, x, y) || covers(b, x, y));
}

#[test]
fn triangle_fan_has_no_gap_and_no_overlap() {
    let textures = white_textures();
    let color = Color32::from_rgba_premultiplied(0, 60, 90, 100);
    let want = expected_blend(color, CLEAR_PX);
    // Every vertex on a pixel centre: the shared edges run through pixel centres (the
    // centre pixel is on all seven triangles), where a wrong fill rule paints twice or not
    // at all.
    let centre = pos2(20.5, 19.5);
    let radius = 15.0;
    let n = 7;
    let mut mesh = Mesh::default();
    mesh.colored_vertex(centre, color);
    for k in 0..n {
        let angle = k as f32 * std::f32::consts::TAU / n as f32 + 0.1;
        let p = centre + radius * vec2(angle.cos(), angle.sin());
        mesh.colored_vertex(pos2(p.x.floor() + 0.5, p.y.floor() + 0.5), color);
    }
    for k in 0..n {
        mesh.add_triangle(0, 1 + k, 1 + (k + 1) % n);
    }
    let mut canvas = canvas(40, 40);
    paint_unclipped(&mut canvas, mesh, &textures);
    let inradius = (radius - 1.0) * (std::f32::consts::PI / n as f32).cos();
    let mut painted = 0;
    for y in 0..40 {
        for x in 0..40 {
            let px = at(&canvas, x, y);
            assert!(px == want || px == CLEAR_PX, "pixel ({x}, {y}) = {px:06x}");
            let d = (pos2(x as f32 + 0.5, y as f32 + 0.5) - centre).length();
            if d < inradius - 0.01 {
                assert_eq!(px, want, "gap at ({x}, {y})");
            }
            painted += usize::from(px == want);
        }
    }
    assert!(painted > 500);
}

#[test]
fn clip_rect_cuts_at_the_rounded_scissor() {
    let textures = white_textures();
    let mut canvas = canvas(10, 10);
    let clip = rect((2.4, 3.6), (7.5, 8.49));
    let mesh = quad(rect((0.0, 0.0), (10.0, 10.0)), Color32::RED);
    paint(&mut canvas, CLEAR, &[prim(mesh, clip)], &textures, 1.0);
    assert_painted(&canvas, 0x00ff_0000, |x, y| {
        (2..8).contains(&x) && (4..8).contains(&y)
    });
}

#[test]
fn pixels_per_point_scales_positions_and_clip() {
    let textures = white_textures();
    let mut canvas = canvas(10, 10);
    let mesh = quad(rect((1.0, 1.0), (3.0, 2.0)), Color32::BLUE);
    let clip = rect((0.0, 0.0), (2.2, 10.0));
    paint(&mut canvas, CLEAR, &[prim(mesh, clip)], &textures, 2.0);
    assert_painted(&canvas, 0x0000_00ff, |x, y| {
        (2..4).contains(&x) && (2..4).contains(&y)
    });
}

fn pattern(w: usize, h: usize) -> ColorImage {
    let pixels = (0..w * h)
        .map(|i| Color32::from_rgb((i * 37) as u8, (i * 11 + 5) as u8, (255 - i) as u8))
        .collect();
    ColorImage::new([w, h], pixels)
}

fn textured_quad(id: TextureId, r: Rect, uv: Rect) -> Mesh {
    let mut mesh = Mesh::with_texture(id);
    mesh.add_rect_with_uv(r, uv, Color32::WHITE);
    mesh
}

fn unit_uv() -> Rect {
    rect((0.0, 0.0), (1.0, 1.0))
}

#[test]
fn nearest_and_aligned_linear_textures_copy_texels_one_to_one() {
    for options in [TextureOptions::NEAREST, TextureOptions::LINEAR] {
        let id = TextureId::User(3);
        let image = pattern(4, 3);
        let mut textures = white_textures();
        apply(&mut textures, full(id, image.clone(), options));
        let mut canvas = canvas(8, 8);
        let mesh = textured_quad(id, rect((2.0, 3.0), (6.0, 6.0)), unit_uv());
        paint_unclipped(&mut canvas, mesh, &textures);
        println!("{options:?}");
        assert_pixels(&canvas, |x, y| {
            if (2..6).contains(&x) && (3..6).contains(&y) {
                let t = image.pixels[(y - 3) * 4 + (x - 2)];
                (u32::from(t.r()) << 16) | (u32::from(t.g()) << 8) | u32::from(t.b())
            } else {
                CLEAR_PX
            }
        });
    }
}

#[test]
fn linear_magnification_interpolates_between_texel_centres() {
    let id = TextureId::User(4);
    let image = ColorImage::new([2, 1], vec![Color32::BLACK, Color32::WHITE]);
    let mut textures = white_textures();
    apply(&mut textures, full(id, image, TextureOptions::LINEAR));
    let mut canvas = canvas(4, 1);
    let mesh = textured_quad(id, rect((0.0, 0.0), (4.0, 1.0)), unit_uv());
    paint_unclipped(&mut canvas, mesh, &textures);
    // Pixel centres fall at texel coordinates -0.25, 0.25, 0.75, 1.25 from texel 0's centre.
    let grey = |v: u32| v * 0x0001_0101;
    assert_eq!(canvas.pixels(), &[grey(0), grey(64), grey(191), grey(255)]);
}

#[test]
fn repeat_wraps_texture_coordinates() {
    let id = TextureId::User(5);
    let image = ColorImage::new([2, 1], vec![Color32::BLACK, Color32::WHITE]);
    let mut textures = white_textures();
    apply(
        &mut textures,
        full(id, image, TextureOptions::NEAREST_REPEAT),
    );
    let mut canvas = canvas(6, 1);
    let mesh = textured_quad(
        id,
        rect((0.0, 0.0), (6.0, 1.0)),
        rect((0.0, 0.0), (3.0, 1.0)),
    );
    paint_unclipped(&mut canvas, mesh, &textures);
    let w = 0x00ff_ffff;
    assert_eq!(canvas.pixels(), &[0, w, 0, w, 0, w]);
}

#[test]
fn partial_update_changes_only_its_patch() {
    let id = TextureId::User(6);
    let mut textures = white_textures();
    apply(
        &mut textures,
        full(
            id,
            ColorImage::filled([4, 4], Color32::RED),
            TextureOptions::NEAREST,
        ),
    );
    let mut patch = TexturesDelta::default();
    let blue = ColorImage::filled([2, 1], Color32::BLUE);
    patch.set.insert(
        id,
        [ImageDelta::partial([1, 2], blue, TextureOptions::NEAREST)]
            .into_iter()
            .collect(),
    );
    // A patch hanging over the edge is cut, not a panic.
    let mut over = TexturesDelta::default();
    let green = ColorImage::filled([3, 3], Color32::GREEN);
    over.set.insert(
        id,
        [ImageDelta::partial([3, 3], green, TextureOptions::NEAREST)]
            .into_iter()
            .collect(),
    );
    apply(&mut textures, patch);
    apply(&mut textures, over);
    let mut canvas = canvas(4, 4);
    let mesh = textured_quad(id, rect((0.0, 0.0), (4.0, 4.0)), unit_uv());
    paint_unclipped(&mut canvas, mesh, &textures);
    assert_pixels(&canvas, |x, y| match (x, y) {
        (1 | 2, 2) => 0x0000_00ff,
        (3, 3) => 0x0000_ff00,
        _ => 0x00ff_0000,
    });
}

#[test]
fn freed_texture_is_skipped() {
    let id = TextureId::User(7);
    let mut textures = white_textures();
    let delta = full(
        id,
        ColorImage::filled([2, 2], Color32::RED),
        TextureOptions::NEAREST,
    );
    apply(&mut textures, delta);
    let mesh = textured_quad(id, rect((0.0, 0.0), (4.0, 4.0)), unit_uv());
    let primitives = [prim(mesh, everything())];
    let mut canvas = canvas(4, 4);
    paint(&mut canvas, CLEAR, &primitives, &textures, 1.0);
    assert!(canvas.pixels().iter().all(|&p| p == 0x00ff_0000));

    let mut free = TexturesDelta::default();
    free.free.insert(id);
    apply(&mut textures, free);
    paint(&mut canvas, CLEAR, &primitives, &textures, 1.0);
    assert!(canvas.pixels().iter().all(|&p| p == CLEAR_PX));
}

#[test]
fn bad_indices_and_coordinates_are_skipped() {
    let textures = white_textures();
    let mut mesh = quad(rect((0.0, 0.0), (4.0, 4.0)), Color32::RED);
    mesh.indices.extend([0, 1, 99]);
    mesh.indices.push(2); // an incomplete triangle
    let mut nan = quad(rect((0.0, 0.0), (8.0, 8.0)), Color32::GREEN);
    nan.vertices[1].pos = pos2(f32::NAN, 1.0);
    nan.vertices[3].pos.y = f32::INFINITY;
    let mut far = quad(rect((0.0, 0.0), (8.0, 8.0)), Color32::BLUE);
    far.vertices[2].pos = pos2(1e30, -1e30);
    far.vertices[3].uv = Pos2::new(f32::NAN, 0.5);
    let primitives = [
        prim(mesh, everything()),
        prim(nan, everything()),
        prim(far, rect((f32::NAN, 0.0), (f32::INFINITY, 8.0))),
    ];
    let mut canvas = canvas(8, 8);
    paint(&mut canvas, CLEAR, &primitives, &textures, 1.0);
    assert_painted(&canvas, 0x00ff_0000, |x, y| x < 4 && y < 4);
    paint(&mut canvas, CLEAR, &primitives, &textures, f32::NAN);
    assert!(canvas.pixels().iter().all(|&p| p == CLEAR_PX));
}

#[test]
fn huge_triangle_is_bounded_by_the_clip() {
    let textures = white_textures();
    let mut mesh = Mesh::default();
    mesh.colored_vertex(pos2(-1e6, -1e6), Color32::RED);
    mesh.colored_vertex(pos2(1e6, -1e6), Color32::RED);
    mesh.colored_vertex(pos2(0.0, 1e6), Color32::RED);
    mesh.add_triangle(0, 1, 2);
    let mut canvas = canvas(16, 16);
    let clip = rect((4.0, 4.0), (12.0, 12.0));
    paint(&mut canvas, CLEAR, &[prim(mesh, clip)], &textures, 1.0);
    assert_painted(&canvas, 0x00ff_0000, |x, y| {
        (4..12).contains(&x) && (4..12).contains(&y)
    });
}

#[test]
fn colours_are_interpolated_in_gamma_space() {
    let textures = white_textures();
    let mut mesh = Mesh::default();
    let (black, white) = (Color32::BLACK, Color32::WHITE);
    mesh.colored_vertex(pos2(0.0, 0.0), black);
    mesh.colored_vertex(pos2(4.0, 0.0), white);
    mesh.colored_vertex(pos2(4.0, 1.0), white);
    mesh.colored_vertex(pos2(0.0, 1.0), black);
    mesh.add_triangle(0, 1, 2);
    mesh.add_triangle(0, 2, 3);
    let mut canvas = canvas(4, 1);
    paint_unclipped(&mut canvas, mesh, &textures);
    // 255 × (0.5, 1.5, 2.5, 3.5) / 4, rounded.
    let grey = |v: u32| v * 0x0001_0101;
    assert_eq!(canvas.pixels(), &[grey(32), grey(96), grey(159), grey(223)]);
}

/// Runs frames of `ui` in a `w` × `h` point window and returns what the painter gets.
fn egui_frame(
    ctx: &egui::Context,
    textures: &mut Textures,
    w: f32,
    h: f32,
    mut ui: impl FnMut(&mut egui::Ui),
) -> Vec<ClippedPrimitive> {
    let mut primitives = Vec::new();
    // The first frames settle layout (sizes measured in a previous pass).
    for _ in 0..3 {
        let input = egui::RawInput {
            screen_rect: Some(Rect::from_min_size(Pos2::ZERO, vec2(w, h))),
            ..Default::default()
        };
        let mut output = ctx.run_ui(input, &mut ui);
        textures.set(&output.textures_delta);
        textures.free(&output.textures_delta);
        output.textures_delta.clear();
        primitives = ctx.tessellate(output.shapes, output.pixels_per_point);
    }
    primitives
}

#[test]
fn egui_label_is_painted_inside_the_window_only() {
    let ctx = egui::Context::default();
    let mut textures = Textures::default();
    let mut label = Rect::NOTHING;
    let primitives = egui_frame(&ctx, &mut textures, 200.0, 100.0, |ui| {
        egui::CentralPanel::default().show(ui, |ui| {
            label = ui.label("Kunci 123 456").rect;
        });
    });
    assert!(label.is_positive());
    let fill = ctx.global_style().visuals.panel_fill;
    let fill = pack(fill.to_array().map(u32::from));
    assert_ne!(fill, CLEAR_PX);

    // The canvas is larger than egui's window: nothing may reach beyond it.
    let mut canvas = canvas(300, 150);
    paint(&mut canvas, CLEAR, &primitives, &textures, 1.0);
    let mut text = 0;
    for y in 0..150 {
        for x in 0..300 {
            let px = at(&canvas, x, y);
            if x >= 200 || y >= 100 {
                assert_eq!(px, CLEAR_PX, "outside the window at ({x}, {y})");
            } else if !covers(label, x, y) {
                assert_ne!(px, CLEAR_PX, "panel not filled at ({x}, {y})");
            } else if px != fill {
                text += 1;
            }
        }
    }
    assert!(text > 20, "only {text} text pixels in {label:?}");
}

/// `cargo test --release --bin kunci soft::raster -- --ignored --nocapture`
#[test]
#[ignore = "benchmark"]
fn bench_realistic_frame() {
    let ctx = egui::Context::default();
    let mut textures = Textures::default();
    let primitives = egui_frame(&ctx, &mut textures, 480.0, 720.0, |ui| {
        egui::CentralPanel::default().show(ui, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                for i in 0..40 {
                    ui.horizontal(|ui| {
                        ui.label(format!("Account {i} — user{i}@example.org"));
                        ui.monospace(format!("{:03} {:03}", i * 7 % 1000, i * 13 % 1000));
                        let _ = ui.button("Copy");
                    });
                    ui.separator();
                }
            });
        });
    });
    let triangles: usize = primitives
        .iter()
        .map(|p| match &p.primitive {
            Primitive::Mesh(mesh) => mesh.indices.len() / 3,
            Primitive::Callback(_) => 0,
        })
        .sum();
    let mut canvas = canvas(480, 720);
    let frames = 200;
    let start = std::time::Instant::now();
    for _ in 0..frames {
        paint(&mut canvas, CLEAR, &primitives, &textures, 1.0);
    }
    let ms = start.elapsed().as_secs_f64() * 1000.0 / f64::from(frames);
    println!("{triangles} triangles at 480×720: {ms:.3} ms per frame");
}

#[test]
fn a_frame_painted_in_pieces_is_the_frame_painted_whole() {
    let ctx = egui::Context::default();
    let mut textures = Textures::default();
    let primitives = egui_frame(&ctx, &mut textures, 240.0, 160.0, |ui| {
        egui::CentralPanel::default().show(ui, |ui| {
            for i in 0..6 {
                ui.horizontal(|ui| {
                    ui.label(format!("LPSE Kota {i}"));
                    ui.monospace(format!("{:03} {:03}", i * 7 % 1000, i * 13 % 1000));
                    let _ = ui.button("…");
                    ui.add(egui::Spinner::new());
                });
            }
        });
    });
    let (w, h) = (240, 160);
    let mut whole = canvas(w, h);
    paint(&mut whole, CLEAR, &primitives, &textures, 1.0);

    // Odd cuts, through glyphs, anti-aliased edges and rounded corners, onto a canvas that
    // holds something else: every piece must come out as in the whole frame.
    let red_quad = quad(
        Rect::from_min_size(Pos2::ZERO, vec2(240.0, 160.0)),
        Color32::RED,
    );
    let mut pieces = canvas(w, h);
    paint_unclipped(&mut pieces, red_quad.clone(), &textures);
    let xs = [0, 7, 33, 90, 91, 150, 239, 240];
    let ys = [0, 1, 13, 50, 77, 121, 160];
    for x in xs.windows(2) {
        for y in ys.windows(2) {
            let area = PixelRect {
                left: x[0],
                top: y[0],
                right: x[1],
                bottom: y[1],
            };
            paint_area(&mut pieces, area, CLEAR, &primitives, &textures, 1.0);
        }
    }
    let differ = (0..w * h)
        .filter(|&i| whole.pixels()[i] != pieces.pixels()[i])
        .count();
    assert_eq!(differ, 0, "{differ} pixels differ from the whole frame");

    // And nothing outside the area is touched.
    let mut red = canvas(w, h);
    paint_unclipped(&mut red, red_quad, &textures);
    let red_px = at(&red, 0, 0);
    assert_eq!(red_px, 0x00ff_0000);
    let area = PixelRect {
        left: 30,
        top: 20,
        right: 200,
        bottom: 90,
    };
    paint_area(&mut red, area, CLEAR, &primitives, &textures, 1.0);
    for y in 0..h {
        for x in 0..w {
            let inside = (30..200).contains(&x) && (20..90).contains(&y);
            let expected = if inside { at(&whole, x, y) } else { red_px };
            assert_eq!(at(&red, x, y), expected, "at ({x}, {y})");
        }
    }
}

/// The countdown's ring image, painted 1:1, against the stroked circle and arc it replaced
/// (egui's tessellation of the same ring): the same look, but for the arc's polygon.
#[test]
fn the_countdown_ring_image_looks_like_the_stroked_ring_it_replaced() {
    use egui::{Shape, Stroke};
    let track = Color32::from_gray(60);
    let ctx = egui::Context::default();
    // A pass sets up the fonts, which tessellation asks for.
    ctx.run_ui(egui::RawInput::default(), |_| {})
        .textures_delta
        .clear();
    for (fraction, arc) in [
        (0.6f32, Color32::from_rgb(0, 92, 128)),
        (0.1, Color32::from_rgb(0xd0, 0x3a, 0x2f)),
        (1.0, Color32::from_rgb(0, 92, 128)),
    ] {
        // As the widget drew it: a 28-point square, radius 11, 3 points wide, 48 steps a turn.
        let centre = pos2(14.0, 14.0);
        let steps = ((48.0 * fraction).ceil() as usize).max(1);
        let points: Vec<Pos2> = (0..=steps)
            .map(|i| {
                let angle = -std::f32::consts::FRAC_PI_2
                    + std::f32::consts::TAU * fraction * i as f32 / steps as f32;
                centre + 11.0 * egui::Vec2::angled(angle)
            })
            .collect();
        let shapes = [
            Shape::circle_stroke(centre, 11.0, Stroke::new(3.0, track)),
            Shape::line(points, Stroke::new(3.0, arc)),
        ]
        .map(|shape| egui::epaint::ClippedShape {
            clip_rect: everything(),
            shape,
            transform_after_tessellation: Default::default(),
        });
        let primitives = ctx.tessellate(shapes.to_vec(), 1.0);
        let mut stroked = canvas(28, 28);
        paint(&mut stroked, CLEAR, &primitives, &white_textures(), 1.0);

        let image = crate::ui::countdown::ring_image(28, 3.0, fraction, arc, track);
        let id = TextureId::User(1);
        let mut textures = white_textures();
        apply(&mut textures, full(id, image, TextureOptions::NEAREST));
        let mut mesh = Mesh::with_texture(id);
        mesh.add_rect_with_uv(
            rect((0.0, 0.0), (28.0, 28.0)),
            rect((0.0, 0.0), (1.0, 1.0)),
            Color32::WHITE,
        );
        let mut imaged = canvas(28, 28);
        paint_unclipped(&mut imaged, mesh, &textures);

        let channels = |px: u32| [(px >> 16) & 0xff, (px >> 8) & 0xff, px & 0xff];
        let mut total = 0u32;
        let mut far = 0;
        for (a, b) in stroked.pixels().iter().zip(imaged.pixels()) {
            let d = channels(*a)
                .iter()
                .zip(channels(*b))
                .map(|(x, y)| x.abs_diff(y))
                .max()
                .unwrap_or(0);
            total += d;
            far += usize::from(d > 48);
        }
        let mean = f64::from(total) / (28.0 * 28.0);
        assert!(mean < 2.0, "fraction {fraction}: mean difference {mean:.2}");
        assert!(
            far <= 8,
            "fraction {fraction}: {far} pixels differ by more than 48"
        );
    }
}
