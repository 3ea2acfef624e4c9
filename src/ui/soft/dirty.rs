//! Which pixels a frame changes, told from its shapes before they are tessellated, so that
//! only that part is tessellated, painted and sent to the screen.
//!
//! Kunci's window mostly waits: once a second the countdowns move and nothing else. Painting
//! the whole window for that is most of a frame's cost; comparing the shapes with the last
//! frame's is a small part of it.

use std::sync::Arc;

use egui::epaint::{ClippedShape, Shape, TextShape};

use super::raster::PixelRect;

/// Pixels around a shape's bounds that it may still touch: anti-aliasing feathers edges by
/// a pixel, and clip rectangles are rounded to whole pixels.
const MARGIN: f32 = 2.0;

/// Where the shapes `after` paint differently from `before`, on a `width` × `height` canvas
/// at `pixels_per_point`; `None` when they paint the same pixels.
pub fn changed_area(
    before: &[ClippedShape],
    after: &[ClippedShape],
    pixels_per_point: f32,
    width: usize,
    height: usize,
) -> Option<PixelRect> {
    // A frame that moved a countdown differs in a few shapes amid many equal ones; a row shown
    // or hidden shifts the rest. Between the equal start and the equal end, the shapes that
    // differ changed, or all of them when some were added or removed.
    let start = before
        .iter()
        .zip(after)
        .take_while(|(a, b)| same(a, b))
        .count();
    let end = before[start..]
        .iter()
        .rev()
        .zip(after[start..].iter().rev())
        .take_while(|(a, b)| same(a, b))
        .count();
    let (before, after) = (
        &before[start..before.len() - end],
        &after[start..after.len() - end],
    );
    let changed: Vec<&ClippedShape> = if before.len() == after.len() {
        // Shape for shape (every countdown of the list moved, the rows between them did not).
        before
            .iter()
            .zip(after)
            .filter(|(a, b)| !same(a, b))
            .flat_map(|(a, b)| [a, b])
            .collect()
    } else {
        before.iter().chain(after).collect()
    };
    changed
        .into_iter()
        .filter_map(|shape| pixel_bounds(shape, pixels_per_point, width, height))
        .reduce(PixelRect::union)
}

/// The pixels `shape` may paint, within its clip, on a `width` × `height` canvas; `None` if
/// none. A shape whose bounds are not numbers, or whose transform mirrors or collapses it,
/// may paint anywhere.
pub fn pixel_bounds(
    shape: &ClippedShape,
    pixels_per_point: f32,
    width: usize,
    height: usize,
) -> Option<PixelRect> {
    let bounds = match &shape.shape {
        // An underline runs along the row, which may reach past the glyphs.
        Shape::Text(text) if text.angle == 0.0 => text
            .visual_bounding_rect()
            .union(text.galley.rect.translate(text.pos.to_vec2())),
        other => other.visual_bounding_rect(),
    };
    // The clip is in the space the transform maps to (a popup scaling into place).
    let transform = shape.transform_after_tessellation;
    let bounds = transform.mul_rect(bounds);
    // Checked before the intersection, whose `max` and `min` would drop a NaN.
    if bounds.any_nan()
        || shape.clip_rect.any_nan()
        || !transform.is_valid()
        || transform.scaling < 0.0
        || !pixels_per_point.is_finite()
    {
        return Some(PixelRect::whole(width, height));
    }
    let rect = bounds.intersect(shape.clip_rect);
    if rect.is_negative() {
        return None;
    }
    // `as` saturates: an infinite edge is clamped to the canvas.
    let to_pixels = |points: f32, limit: usize| -> usize {
        (points * pixels_per_point).clamp(0.0, limit as f32) as usize
    };
    let area = PixelRect {
        left: to_pixels(rect.min.x.floor() - MARGIN, width),
        top: to_pixels(rect.min.y.floor() - MARGIN, height),
        right: to_pixels(rect.max.x.ceil() + MARGIN, width),
        bottom: to_pixels(rect.max.y.ceil() + MARGIN, height),
    };
    (area.left < area.right && area.top < area.bottom).then_some(area)
}

/// Whether the two paint the same pixels. Conservative: `false` may still paint the same.
fn same(a: &ClippedShape, b: &ClippedShape) -> bool {
    a.clip_rect == b.clip_rect
        && a.transform_after_tessellation == b.transform_after_tessellation
        && same_shape(&a.shape, &b.shape)
}

fn same_shape(a: &Shape, b: &Shape) -> bool {
    match (a, b) {
        (Shape::Text(a), Shape::Text(b)) => same_text(a, b),
        (Shape::Mesh(a), Shape::Mesh(b)) => Arc::ptr_eq(a, b) || a == b,
        (Shape::Vec(a), Shape::Vec(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same_shape(a, b))
        }
        (a, b) => a == b,
    }
}

/// Galleys come from egui's layout cache: text laid out the same way again is the same `Arc`.
/// Comparing the `Arc`s spares comparing every glyph of every label in every frame; a galley
/// laid out anew counts as a change, and its area is painted again, to the same pixels.
fn same_text(a: &TextShape, b: &TextShape) -> bool {
    // Every field named, so that a field egui adds is not silently left out.
    let TextShape {
        pos,
        galley,
        underline,
        fallback_color,
        override_text_color,
        opacity_factor,
        angle,
    } = a;
    Arc::ptr_eq(galley, &b.galley)
        && *pos == b.pos
        && *underline == b.underline
        && *fallback_color == b.fallback_color
        && *override_text_color == b.override_text_color
        && *opacity_factor == b.opacity_factor
        && *angle == b.angle
}

#[cfg(test)]
mod tests {
    use egui::emath::TSTransform;
    use egui::epaint::{CornerRadius, RectShape};
    use egui::{Color32, FontId, Pos2, Rect, Stroke, pos2, vec2};

    use super::*;

    fn px(left: usize, top: usize, right: usize, bottom: usize) -> PixelRect {
        PixelRect {
            left,
            top,
            right,
            bottom,
        }
    }

    fn rect_shape(min: Pos2, color: Color32) -> ClippedShape {
        ClippedShape::new(
            Rect::EVERYTHING,
            RectShape::filled(
                Rect::from_min_size(min, vec2(10.0, 10.0)),
                CornerRadius::ZERO,
                color,
            ),
        )
    }

    #[test]
    fn equal_frames_change_nothing() {
        let frame = vec![
            rect_shape(pos2(0.0, 0.0), Color32::RED),
            rect_shape(pos2(20.0, 20.0), Color32::BLUE),
        ];
        assert_eq!(changed_area(&frame, &frame.clone(), 1.0, 100, 100), None);
    }

    #[test]
    fn the_area_covers_old_and_new_place_of_what_changed() {
        let before = vec![
            rect_shape(pos2(0.0, 0.0), Color32::RED),
            rect_shape(pos2(20.0, 20.0), Color32::BLUE),
            rect_shape(pos2(60.0, 60.0), Color32::GREEN),
        ];
        let mut after = before.clone();
        after[1] = rect_shape(pos2(30.0, 20.0), Color32::BLUE);
        // Old place 20..30, new 30..40, and the margin; the unchanged shapes are left out.
        assert_eq!(
            changed_area(&before, &after, 1.0, 100, 100),
            Some(px(18, 18, 42, 32))
        );
        // In pixels: twice as many at two pixels a point, clamped to the canvas.
        assert_eq!(
            changed_area(&before, &after, 2.0, 70, 100),
            Some(px(36, 36, 70, 64))
        );
    }

    #[test]
    fn shapes_left_alone_between_two_changes_are_not_changes() {
        let before = vec![
            rect_shape(pos2(0.0, 0.0), Color32::RED),
            rect_shape(pos2(50.0, 40.0), Color32::GREEN),
            rect_shape(pos2(0.0, 80.0), Color32::RED),
        ];
        let mut after = before.clone();
        after[0] = rect_shape(pos2(0.0, 0.0), Color32::BLUE);
        after[2] = rect_shape(pos2(0.0, 80.0), Color32::BLUE);
        assert_eq!(
            changed_area(&before, &after, 1.0, 100, 100),
            Some(px(0, 0, 12, 92))
        );
    }

    #[test]
    fn a_shape_added_in_the_middle_changes_only_its_place() {
        let before = vec![
            rect_shape(pos2(0.0, 0.0), Color32::RED),
            rect_shape(pos2(60.0, 60.0), Color32::GREEN),
        ];
        let mut after = before.clone();
        after.insert(1, rect_shape(pos2(30.0, 30.0), Color32::BLUE));
        assert_eq!(
            changed_area(&before, &after, 1.0, 100, 100),
            Some(px(28, 28, 42, 42))
        );
        // And removed again.
        assert_eq!(
            changed_area(&after, &before, 1.0, 100, 100),
            changed_area(&before, &after, 1.0, 100, 100)
        );
    }

    #[test]
    fn the_clip_bounds_what_a_shape_can_change() {
        let mut shape = rect_shape(pos2(0.0, 0.0), Color32::RED);
        shape.clip_rect = Rect::from_min_max(pos2(5.0, 5.0), pos2(8.0, 8.0));
        assert_eq!(pixel_bounds(&shape, 1.0, 100, 100), Some(px(3, 3, 10, 10)));
        shape.clip_rect = Rect::from_min_max(pos2(50.0, 50.0), pos2(60.0, 60.0));
        assert_eq!(pixel_bounds(&shape, 1.0, 100, 100), None);
        // Moved into the clip after tessellation (a popup scaling into place).
        shape.transform_after_tessellation = TSTransform::new(vec2(50.0, 50.0), 0.5);
        assert_eq!(
            pixel_bounds(&shape, 1.0, 100, 100),
            Some(px(48, 48, 57, 57))
        );
        let moved = shape.clone();
        shape.transform_after_tessellation = TSTransform::IDENTITY;
        assert!(!same(&shape, &moved));
    }

    #[test]
    fn a_shape_that_is_not_numbers_may_paint_anywhere() {
        let mut shape = rect_shape(pos2(0.0, 0.0), Color32::RED);
        shape.shape = Shape::Rect(RectShape::filled(
            Rect::from_min_max(pos2(f32::NAN, 0.0), pos2(10.0, 10.0)),
            CornerRadius::ZERO,
            Color32::RED,
        ));
        assert_eq!(
            pixel_bounds(&shape, 1.0, 100, 50),
            Some(PixelRect::whole(100, 50))
        );
    }

    #[test]
    fn text_is_the_same_only_with_the_same_galley_and_the_same_look() {
        let ctx = egui::Context::default();
        ctx.run_ui(Default::default(), |_| {})
            .textures_delta
            .clear();
        let layout = |text: &str| {
            ctx.fonts_mut(|fonts| {
                fonts.layout_no_wrap(text.into(), FontId::monospace(14.0), Color32::WHITE)
            })
        };
        let text = |galley| {
            ClippedShape::new(
                Rect::EVERYTHING,
                TextShape::new(pos2(10.0, 10.0), galley, Color32::WHITE),
            )
        };
        let a = text(layout("123 456"));
        assert!(same(&a, &text(layout("123 456"))), "the cached galley");
        assert!(!same(&a, &text(layout("123 457"))));
        let mut underlined = a.clone();
        if let Shape::Text(t) = &mut underlined.shape {
            t.underline = Stroke::new(1.0, Color32::WHITE);
        }
        assert!(!same(&a, &underlined));
        let area = changed_area(
            std::slice::from_ref(&a),
            &[text(layout("123 457"))],
            1.0,
            200,
            100,
        );
        let area = area.expect("a changed code is a changed area");
        assert!(area.left <= 10 && area.top <= 10 && area.right > 40 && area.bottom > 20);
    }
}
