//! What keeps a frame cheap where OpenGL runs on the CPU (Mesa's llvmpipe: PCs without a GPU
//! driver, virtual desktops, remote sessions). There every pixel egui paints runs a compiled
//! fragment shader, and sampling egui's texture is most of its cost. Measured on such a
//! machine with 20 accounts (issue 14), both changes below together took a frame from 8.4 to
//! 4.1 ms of CPU when drawing without pause, and an idle frame from 7.3–7.9 to 4.6–5.5 ms;
//! only the grip dots look any different.
//!
//! - **The window's background is the clear, not a painted rectangle.** egui's panels paint
//!   their fill over the whole window every frame; Kunci's panels are transparent
//!   ([`edge_panel`], [`central_panel`]) and the frame is cleared with the panel colour
//!   ([`clear_color`]), which the driver fills without a shader.
//! - **Text is sampled with nearest filtering.** egui rasterises each glyph for the screen's
//!   pixel size (with sub-pixel bins) and places it on whole pixels, so a texel lands exactly
//!   on a pixel and bilinear filtering returns the texel unchanged, at four times the reads.
//!   [`CheapFrames`] sets the font texture's filter to nearest. Small filled circles would be
//!   stretched copies of discs in that texture; they are tessellated instead, as large ones are.
//!
//! And one for memory: **textures are at most [`MAX_TEXTURE_SIDE`] wide.** egui makes its font
//! atlas as wide as the painter allows (16384 under llvmpipe), and that width is held three
//! times at start (egui's image, the copy it uploads, the driver's texture). Kunci's glyphs
//! fill less than one 4096-wide row; peak RSS went down by about 3 MiB.

use egui::{
    Color32, Context, FullOutput, InnerResponse, Style, TextureId, TextureOptions, Ui, UiBuilder,
    UiStackInfo, Visuals,
};

/// The widest texture Kunci asks the painter for (the font atlas, camera previews). OpenGL
/// drivers take at least this much; where one takes less, its own limit stands.
pub const MAX_TEXTURE_SIDE: usize = 4096;

/// The egui plugin for the font texture's filter, the circles and the textures' width (see
/// the module's notes); registered once on the window's context.
pub struct CheapFrames;

impl egui::Plugin for CheapFrames {
    fn debug_name(&self) -> &'static str {
        "kunci::CheapFrames"
    }

    fn setup(&mut self, ctx: &Context) {
        ctx.tessellation_options_mut(|options| options.prerasterized_discs = false);
    }

    fn input_hook(&mut self, _ctx: &Context, input: &mut egui::RawInput) {
        // The painter's limit comes once (later frames carry `None`: unchanged), so only a
        // given limit is lowered; egui's own before any is given is 2048.
        if let Some(side) = &mut input.max_texture_side {
            *side = (*side).min(MAX_TEXTURE_SIDE);
        }
    }

    fn output_hook(&mut self, _ctx: &Context, output: &mut FullOutput) {
        // The font texture is egui's default id; every upload of it (the whole atlas or a
        // new glyph's patch) carries its filter, which the painter applies each time.
        if let Some(uploads) = output.textures_delta.set.get_mut(&TextureId::default()) {
            for upload in uploads {
                upload.options = TextureOptions::NEAREST;
            }
        }
    }
}

/// The colour each frame starts from: the panels' own, which they no longer paint.
pub fn clear_color(visuals: &Visuals) -> [f32; 4] {
    visuals.panel_fill.to_normalized_gamma_f32()
}

/// egui's frame for a top or bottom panel, without its fill.
pub fn edge_panel(style: &Style) -> egui::Frame {
    egui::Frame::side_top_panel(style).fill(Color32::TRANSPARENT)
}

/// egui's central panel without its fill. What asks for the background behind the contents
/// (a scroll area, for the fades that show more above or below) is still told the panel
/// colour, which the clear has painted there.
pub fn central_panel<R>(ui: &mut Ui, add_contents: impl FnOnce(&mut Ui) -> R) -> InnerResponse<R> {
    let frame = egui::Frame::central_panel(ui.style());
    let background = UiStackInfo::default().with_frame(egui::Frame::NONE.fill(frame.fill));
    egui::CentralPanel::default()
        .frame(frame.fill(Color32::TRANSPARENT))
        .show(ui, |ui| {
            ui.scope_builder(UiBuilder::new().ui_stack_info(background), add_contents)
                .inner
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One frame of text on a context, as the window would draw it: the filters of the font
    /// texture's uploads in it.
    fn font_uploads(ctx: &Context) -> Vec<TextureOptions> {
        let mut output = ctx.run_ui(egui::RawInput::default(), |ui| {
            ui.label("Kunci 123 456");
        });
        uploads(&mut output, TextureId::default())
    }

    /// The filters of a frame's uploads for one texture; the frame's uploads are then done
    /// with (egui checks that none is left).
    fn uploads(output: &mut FullOutput, id: TextureId) -> Vec<TextureOptions> {
        let options = output.textures_delta.set[&id]
            .iter()
            .map(|upload| upload.options)
            .collect();
        output.textures_delta.clear();
        options
    }

    #[test]
    fn the_font_texture_is_sampled_nearest_and_circles_are_tessellated() {
        // What egui does by itself, so that the test below shows the plugin's doing.
        let plain = Context::default();
        assert_eq!(font_uploads(&plain), [TextureOptions::LINEAR]);
        assert!(plain.tessellation_options(|o| o.prerasterized_discs));

        let ctx = Context::default();
        ctx.add_plugin(CheapFrames);
        assert_eq!(font_uploads(&ctx), [TextureOptions::NEAREST]);
        assert!(!ctx.tessellation_options(|o| o.prerasterized_discs));
    }

    #[test]
    fn textures_are_at_most_max_texture_side_wide_as_is_the_font_atlas() {
        // (what the painter allows, what egui is told)
        for (painter, told) in [(16384, MAX_TEXTURE_SIDE), (2048, 2048)] {
            let ctx = Context::default();
            ctx.add_plugin(CheapFrames);
            let mut widths = Vec::new();
            for max_texture_side in [Some(painter), None] {
                let input = egui::RawInput {
                    max_texture_side,
                    ..Default::default()
                };
                let mut output = ctx.run_ui(input, |ui| {
                    ui.label("Kunci 123 456");
                });
                assert_eq!(ctx.input(|i| i.max_texture_side), told);
                widths.extend(
                    output
                        .textures_delta
                        .set
                        .get(&TextureId::default())
                        .into_iter()
                        .flatten()
                        .filter(|upload| upload.pos.is_none())
                        .map(|upload| upload.image.width()),
                );
                output.textures_delta.clear();
            }
            assert_eq!(widths, [told], "the whole atlas, uploaded once");
        }
        // Without the plugin egui takes the painter's word.
        let plain = Context::default();
        let input = egui::RawInput {
            max_texture_side: Some(16384),
            ..Default::default()
        };
        plain.run_ui(input, |_| {}).textures_delta.clear();
        assert_eq!(plain.input(|i| i.max_texture_side), 16384);
    }

    #[test]
    fn other_textures_keep_their_filter() {
        let ctx = Context::default();
        ctx.add_plugin(CheapFrames);
        let mut texture = None;
        let mut output = ctx.run_ui(egui::RawInput::default(), |ui| {
            let image = egui::ColorImage::filled([4, 4], Color32::WHITE);
            texture
                .get_or_insert_with(|| ui.ctx().load_texture("qr", image, TextureOptions::LINEAR));
        });
        let id = texture.as_ref().map(egui::TextureHandle::id).unwrap();
        assert_eq!(uploads(&mut output, id), [TextureOptions::LINEAR]);
    }

    /// Every shape of a frame, with the nested lists opened.
    fn painted(output: &FullOutput) -> Vec<egui::Shape> {
        fn open(shape: &egui::Shape, into: &mut Vec<egui::Shape>) {
            match shape {
                egui::Shape::Vec(shapes) => shapes.iter().for_each(|s| open(s, into)),
                other => into.push(other.clone()),
            }
        }
        let mut shapes = Vec::new();
        for clipped in &output.shapes {
            open(&clipped.shape, &mut shapes);
        }
        shapes
    }

    #[test]
    fn the_panels_leave_the_background_to_the_clear_and_the_list_still_fades() {
        for visuals in [Visuals::dark(), Visuals::light()] {
            let panel = visuals.panel_fill;
            assert_eq!(panel.a(), 255, "the clear is an opaque window");
            assert_eq!(clear_color(&visuals), panel.to_normalized_gamma_f32());

            let ctx = Context::default();
            ctx.set_visuals(visuals);
            // A window laid out as Kunci's: a toolbar, a status line and a list longer
            // than the window.
            let input = egui::RawInput {
                screen_rect: Some(egui::Rect::from_min_size(
                    egui::Pos2::ZERO,
                    egui::vec2(300.0, 200.0),
                )),
                ..Default::default()
            };
            let mut output = ctx.run_ui(input, |ui| {
                egui::Panel::top("toolbar")
                    .frame(edge_panel(ui.style()))
                    .show(ui, |ui| ui.label("toolbar"));
                egui::Panel::bottom("status")
                    .frame(edge_panel(ui.style()))
                    .show(ui, |ui| ui.label("status"));
                central_panel(ui, |ui| {
                    egui::ScrollArea::vertical().show(ui, |ui| {
                        for i in 0..50 {
                            ui.label(format!("row {i}"));
                        }
                    })
                });
            });
            output.textures_delta.clear();
            let shapes = painted(&output);
            let fills_with_panel = shapes
                .iter()
                .any(|shape| matches!(shape, egui::Shape::Rect(rect) if rect.fill == panel));
            assert!(!fills_with_panel, "a panel painted its background");
            // The fade below the list, towards the panel colour that the clear painted.
            let fade = panel.gamma_multiply(Style::default().spacing.scroll.fade.strength);
            assert!(fade.a() > 0);
            let fades = shapes.iter().any(|shape| {
                matches!(shape, egui::Shape::Mesh(mesh)
                    if mesh.vertices.iter().any(|vertex| vertex.color == fade))
            });
            assert!(fades, "the list's fade lost its colour");
        }
    }
}
