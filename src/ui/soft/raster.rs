//! egui's tessellated output painted into a pixel buffer on the CPU.
//!
//! On a machine without a GPU, OpenGL is llvmpipe: it JIT-compiles egui's shaders and runs them
//! for every pixel of every frame, which costs more than the whole UI. egui's meshes are simple
//! (axis-aligned quads, one-pixel anti-aliasing fringes, glyphs copied 1:1 from the font atlas),
//! so a span rasteriser with fast paths for those cases is much cheaper. It follows egui_glow's
//! semantics: everything in gamma space, premultiplied alpha, the same scissor rounding.

use egui::epaint::{Primitive, Vertex};
use egui::{ClippedPrimitive, Mesh, Rect, TextureFilter};

use super::texture::{Sampler, Texture, Textures};

/// The window's pixels, as softbuffer wants them: one u32 per pixel, 0x00RRGGBB, rows top to bottom.
#[derive(Default)]
pub struct Canvas {
    width: usize,
    height: usize,
    pixels: Vec<u32>,
}

impl Canvas {
    /// Sets the size; a canvas whose size changed holds undefined pixels until painted whole.
    pub fn resize(&mut self, width: usize, height: usize) {
        let (width, height) = match width.checked_mul(height) {
            Some(_) => (width, height),
            None => (0, 0),
        };
        self.width = width;
        self.height = height;
        self.pixels.resize(width * height, 0);
    }

    pub fn width(&self) -> usize {
        self.width
    }

    pub fn height(&self) -> usize {
        self.height
    }

    pub fn pixels(&self) -> &[u32] {
        &self.pixels
    }
}

/// A rectangle of pixels, right and bottom exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PixelRect {
    pub left: usize,
    pub top: usize,
    pub right: usize,
    pub bottom: usize,
}

impl PixelRect {
    pub fn whole(width: usize, height: usize) -> Self {
        Self {
            left: 0,
            top: 0,
            right: width,
            bottom: height,
        }
    }

    pub fn union(self, other: Self) -> Self {
        Self {
            left: self.left.min(other.left),
            top: self.top.min(other.top),
            right: self.right.max(other.right),
            bottom: self.bottom.max(other.bottom),
        }
    }

    pub fn intersects(self, other: Self) -> bool {
        self.left.max(other.left) < self.right.min(other.right)
            && self.top.max(other.top) < self.bottom.min(other.bottom)
    }
}

/// Clears the canvas with `clear` (gamma-space RGBA 0..1, as eframe's App::clear_color gives;
/// alpha ignored: the window is opaque) and paints the primitives in order.
#[cfg(test)]
pub fn paint(
    canvas: &mut Canvas,
    clear: [f32; 4],
    primitives: &[ClippedPrimitive],
    textures: &Textures,
    pixels_per_point: f32,
) {
    let whole = PixelRect::whole(canvas.width, canvas.height);
    paint_area(canvas, whole, clear, primitives, textures, pixels_per_point);
}

/// As [`paint`], but only the pixels within `area`: the rest of the canvas keeps what it
/// holds. A pixel's colour does not depend on the area it is painted within.
pub fn paint_area(
    canvas: &mut Canvas,
    area: PixelRect,
    clear: [f32; 4],
    primitives: &[ClippedPrimitive],
    textures: &Textures,
    pixels_per_point: f32,
) {
    let area = Clip {
        x0: area.left.min(canvas.width) as i64,
        y0: area.top.min(canvas.height) as i64,
        x1: area.right.min(canvas.width) as i64,
        y1: area.bottom.min(canvas.height) as i64,
    };
    if area.x0 >= area.x1 || area.y0 >= area.y1 {
        return;
    }
    let to_u8 = |c: f32| (c.clamp(0.0, 1.0) * 255.0).round() as u32;
    let clear = pack([to_u8(clear[0]), to_u8(clear[1]), to_u8(clear[2]), 255]);
    for row in canvas
        .pixels
        .chunks_exact_mut(canvas.width)
        .take(area.y1 as usize)
        .skip(area.y0 as usize)
    {
        row[area.x0 as usize..area.x1 as usize].fill(clear);
    }
    if !(pixels_per_point.is_finite() && pixels_per_point > 0.0) {
        return;
    }
    for primitive in primitives {
        // Paint callbacks are OpenGL code: there is nothing to call them with here.
        let Primitive::Mesh(mesh) = &primitive.primitive else {
            continue;
        };
        let Some(texture) = textures.textures.get(&mesh.texture_id) else {
            continue;
        };
        let scissor = scissor(
            primitive.clip_rect,
            pixels_per_point,
            canvas.width,
            canvas.height,
        );
        let clip = Clip {
            x0: scissor.x0.max(area.x0),
            y0: scissor.y0.max(area.y0),
            x1: scissor.x1.min(area.x1),
            y1: scissor.y1.min(area.y1),
        };
        if clip.x0 < clip.x1 && clip.y0 < clip.y1 {
            paint_mesh(canvas, &clip, mesh, texture, pixels_per_point);
        }
    }
}

/// Pixel bounds, maximum exclusive.
struct Clip {
    x0: i64,
    y0: i64,
    x1: i64,
    y1: i64,
}

/// The clip rectangle in physical pixels, rounded and clamped as egui_glow's `set_clip_rect`.
fn scissor(rect: Rect, pixels_per_point: f32, width: usize, height: usize) -> Clip {
    let width = i32::try_from(width).unwrap_or(i32::MAX);
    let height = i32::try_from(height).unwrap_or(i32::MAX);
    let x0 = ((pixels_per_point * rect.min.x).round() as i32).clamp(0, width);
    let y0 = ((pixels_per_point * rect.min.y).round() as i32).clamp(0, height);
    let x1 = ((pixels_per_point * rect.max.x).round() as i32).clamp(x0, width);
    let y1 = ((pixels_per_point * rect.max.y).round() as i32).clamp(y0, height);
    Clip {
        x0: x0.into(),
        y0: y0.into(),
        x1: x1.into(),
        y1: y1.into(),
    }
}

fn paint_mesh(canvas: &mut Canvas, clip: &Clip, mesh: &Mesh, texture: &Texture, ppp: f32) {
    let vertices = &mesh.vertices;
    for tri in mesh.indices.chunks_exact(3) {
        let (Some(a), Some(b), Some(c)) = (
            vertices.get(tri[0] as usize),
            vertices.get(tri[1] as usize),
            vertices.get(tri[2] as usize),
        ) else {
            continue;
        };
        paint_triangle(canvas, clip, texture, [a, b, c], ppp);
    }
}

/// Sub-pixel precision of vertex positions: 8 bits, as GPUs snap them.
const SUB_BITS: u32 = 8;
const SUB: i64 = 1 << SUB_BITS;
const HALF: i64 = SUB / 2;

/// Triangles reaching beyond this many pixels from the origin are skipped: it keeps the edge
/// functions (products of two fixed-point differences) within i64. egui never draws that far.
const MAX_COORD: f32 = (1 << 21) as f32;

/// One edge's inside test along a row: pixel column `i` is inside when `c + s * i >= 0`
/// (the top-left rule is folded into `c`); `c` advances by `step` per row.
struct Edge {
    c: i64,
    s: i64,
    step: i64,
}

fn paint_triangle(canvas: &mut Canvas, clip: &Clip, texture: &Texture, v: [&Vertex; 3], ppp: f32) {
    let mut fixed = [[0i64; 2]; 3];
    for (f, vertex) in fixed.iter_mut().zip(v) {
        let x = vertex.pos.x * ppp;
        let y = vertex.pos.y * ppp;
        // Also false for NaN.
        if !(x.abs() <= MAX_COORD && y.abs() <= MAX_COORD) {
            return;
        }
        *f = [
            (x * SUB as f32).round() as i64,
            (y * SUB as f32).round() as i64,
        ];
    }
    let [p0, mut p1, mut p2] = fixed;
    let [v0, mut v1, mut v2] = v;
    let mut area = (p1[0] - p0[0]) * (p2[1] - p0[1]) - (p1[1] - p0[1]) * (p2[0] - p0[0]);
    if area == 0 {
        return;
    }
    // egui emits both windings: make the inside positive for all three edge functions.
    if area < 0 {
        std::mem::swap(&mut p1, &mut p2);
        std::mem::swap(&mut v1, &mut v2);
        area = -area;
    }

    // Pixel centres (i * SUB + HALF) within the bounding box, then within the clip.
    let min_x = p0[0].min(p1[0]).min(p2[0]);
    let max_x = p0[0].max(p1[0]).max(p2[0]);
    let min_y = p0[1].min(p1[1]).min(p2[1]);
    let max_y = p0[1].max(p1[1]).max(p2[1]);
    let col_lo = ceil_div(min_x - HALF, SUB).max(clip.x0);
    let col_hi = (max_x - HALF).div_euclid(SUB).min(clip.x1 - 1);
    let row_lo = ceil_div(min_y - HALF, SUB).max(clip.y0);
    let row_hi = (max_y - HALF).div_euclid(SUB).min(clip.y1 - 1);
    if col_lo > col_hi || row_lo > row_hi {
        return;
    }

    let Some(shader) = Shader::new(texture, [v0, v1, v2], [p0, p1, p2], area) else {
        return;
    };

    let py = row_lo * SUB + HALF;
    let mut edges = [(p0, p1), (p1, p2), (p2, p0)].map(|(a, b)| {
        let dx = b[0] - a[0];
        let dy = b[1] - a[1];
        // E(P) = dx (Py - ay) - dy (Px - ax) > 0 inside. A pixel centre exactly on an edge
        // belongs to the triangle only if the edge is a top or left one, so that triangles
        // sharing an edge paint each pixel along it exactly once.
        let top_left = dy < 0 || (dy == 0 && dx > 0);
        Edge {
            c: dx * (py - a[1]) - dy * (HALF - a[0]) - i64::from(!top_left),
            s: -dy * SUB,
            step: dx * SUB,
        }
    });

    let width = canvas.width;
    for row in row_lo..=row_hi {
        let mut lo = col_lo;
        let mut hi = col_hi;
        for e in &mut edges {
            match e.s.cmp(&0) {
                std::cmp::Ordering::Greater => lo = lo.max(ceil_div(-e.c, e.s)),
                std::cmp::Ordering::Less => hi = hi.min(e.c.div_euclid(-e.s)),
                std::cmp::Ordering::Equal => {
                    if e.c < 0 {
                        hi = lo - 1;
                    }
                }
            }
            e.c += e.step;
        }
        if lo <= hi {
            // Within the clip, hence within the canvas.
            let start = row as usize * width;
            let span = &mut canvas.pixels[start + lo as usize..=start + hi as usize];
            shader.span(span, lo, row);
        }
    }
}

fn ceil_div(n: i64, d: i64) -> i64 {
    -(-n).div_euclid(d)
}

/// How a triangle's pixels get their colour, chosen once per triangle.
struct Shader<'a> {
    mode: Mode,
    /// Vertex colour (0..255 per channel) at pixel (0, 0)'s centre, and its gradient.
    color: [f64; 4],
    color_dx: [f32; 4],
    color_dy: [f32; 4],
    /// Texel coordinates (uv × texture size) at pixel (0, 0)'s centre, and their gradient.
    st: [f64; 2],
    st_dx: [f32; 2],
    st_dy: [f32; 2],
    /// The vertex colour when constant, the texel when the uv is constant.
    color_const: [u32; 4],
    texel_const: [u32; 4],
    sampler: Sampler<'a>,
}

#[derive(Clone, Copy)]
enum Mode {
    /// One premultiplied colour for the whole triangle (e.g. a rectangle at the white texel).
    Constant([u32; 4]),
    /// Colour and/or texel vary across the triangle.
    Varying { color: bool, uv: bool },
}

impl<'a> Shader<'a> {
    fn new(texture: &'a Texture, v: [&Vertex; 3], p: [[i64; 2]; 3], area: i64) -> Option<Self> {
        let w = texture.width as f64;
        let h = texture.height as f64;
        let x: [f64; 3] = p.map(|q| q[0] as f64 / SUB as f64);
        let y: [f64; 3] = p.map(|q| q[1] as f64 / SUB as f64);
        let inv_area = (SUB * SUB) as f64 / area as f64;
        let (e1x, e1y) = (x[1] - x[0], y[1] - y[0]);
        let (e2x, e2y) = (x[2] - x[0], y[2] - y[0]);
        // Plane through the three vertex values: value at pixel (0, 0)'s centre and gradient.
        let plane = |a: [f64; 3]| -> (f64, f32, f32) {
            let dx = ((a[1] - a[0]) * e2y - (a[2] - a[0]) * e1y) * inv_area;
            let dy = ((a[2] - a[0]) * e1x - (a[1] - a[0]) * e2x) * inv_area;
            let at_origin = a[0] + dx * (0.5 - x[0]) + dy * (0.5 - y[0]);
            (at_origin, dx as f32, dy as f32)
        };

        let colors = v.map(|vertex| vertex.color);
        let vary_color = colors[0] != colors[1] || colors[0] != colors[2];
        let uvs = v.map(|vertex| vertex.uv);
        let vary_uv = uvs[0] != uvs[1] || uvs[0] != uvs[2];

        let mut color = [0.0; 4];
        let mut color_dx = [0.0; 4];
        let mut color_dy = [0.0; 4];
        if vary_color {
            for ch in 0..4 {
                let (o, dx, dy) = plane(colors.map(|c| f64::from(c.to_array()[ch])));
                color[ch] = o;
                color_dx[ch] = dx;
                color_dy[ch] = dy;
            }
        }
        let color_const = colors[0].to_array().map(u32::from);

        let mut st = [0.0; 2];
        let mut st_dx = [0.0; 2];
        let mut st_dy = [0.0; 2];
        let mut linear = texture.options.magnification == TextureFilter::Linear;
        if vary_uv {
            let (so, sdx, sdy) = plane(uvs.map(|uv| f64::from(uv.x) * w));
            let (to, tdx, tdy) = plane(uvs.map(|uv| f64::from(uv.y) * h));
            if !(so.is_finite() && to.is_finite()) {
                return None;
            }
            st = [so, to];
            st_dx = [sdx, tdx];
            st_dy = [sdy, tdy];
            // OpenGL picks the filter from the texel footprint of a pixel (no mipmaps here).
            let rho = (sdx.hypot(tdx)).max(sdy.hypot(tdy));
            let filter = if rho > 1.0 {
                texture.options.minification
            } else {
                texture.options.magnification
            };
            linear = filter == TextureFilter::Linear;
            // Glyphs are drawn 1:1 with pixel centres on texel centres: bilinear filtering then
            // returns the nearest texel, much faster. The font atlas is LINEAR.
            if linear
                && (sdx - 1.0).abs() < 1e-4
                && (tdy - 1.0).abs() < 1e-4
                && sdy.abs() < 1e-4
                && tdx.abs() < 1e-4
            {
                let at_texel_centre = |c: f64| (c - c.floor() - 0.5).abs() < 1.0 / 256.0;
                let (i, j) = (x[0].floor(), y[0].floor());
                let s = so + f64::from(sdx) * i + f64::from(sdy) * j;
                let t = to + f64::from(tdx) * i + f64::from(tdy) * j;
                if at_texel_centre(s) && at_texel_centre(t) {
                    linear = false;
                }
            }
        }
        let sampler = Sampler {
            texels: &texture.texels,
            width: texture.width as i32,
            height: texture.height as i32,
            wrap: texture.options.wrap_mode,
            linear,
        };
        let texel_const = if vary_uv {
            [255; 4]
        } else {
            sampler.sample(f64::from(uvs[0].x) * w, f64::from(uvs[0].y) * h)
        };

        let mode = if !vary_color && !vary_uv {
            let src = mul(color_const, texel_const);
            if src == [0; 4] {
                return None;
            }
            Mode::Constant(src)
        } else {
            Mode::Varying {
                color: vary_color,
                uv: vary_uv,
            }
        };
        Some(Self {
            mode,
            color,
            color_dx,
            color_dy,
            st,
            st_dx,
            st_dy,
            color_const,
            texel_const,
            sampler,
        })
    }

    /// Shades `span`, the pixels from column `x` on row `y`.
    fn span(&self, span: &mut [u32], x: i64, y: i64) {
        match self.mode {
            Mode::Constant(src) => {
                if src[3] == 255 {
                    span.fill(pack(src));
                } else {
                    for px in span {
                        *px = blend(*px, src);
                    }
                }
            }
            Mode::Varying {
                color: true,
                uv: true,
            } => self.varying::<true, true>(span, x, y),
            Mode::Varying {
                color: true,
                uv: false,
            } => self.varying::<true, false>(span, x, y),
            Mode::Varying {
                color: false,
                uv: _,
            } => self.varying::<false, true>(span, x, y),
        }
    }

    #[inline(always)]
    fn varying<const COLOR: bool, const UV: bool>(&self, span: &mut [u32], x: i64, y: i64) {
        let (xf, yf) = (x as f64, y as f64);
        // +0.5: the per-pixel conversion truncates, so this rounds.
        let mut c: [f32; 4] = if COLOR {
            std::array::from_fn(|ch| {
                (self.color[ch]
                    + f64::from(self.color_dx[ch]) * xf
                    + f64::from(self.color_dy[ch]) * yf) as f32
                    + 0.5
            })
        } else {
            [0.0; 4]
        };
        let mut s = 0f64;
        let mut t = 0f64;
        if UV {
            s = self.st[0] + f64::from(self.st_dx[0]) * xf + f64::from(self.st_dy[0]) * yf;
            t = self.st[1] + f64::from(self.st_dx[1]) * xf + f64::from(self.st_dy[1]) * yf;
        }
        // f32 steps along the span: exact enough over a span, and cheap.
        let (mut s, mut t) = (s as f32, t as f32);
        let white = |q: [u32; 4]| q == [255; 4];
        let color_white = !COLOR && white(self.color_const);
        let texel_white = !UV && white(self.texel_const);
        for px in span {
            let color = if COLOR {
                c.map(|v| (v as u32).min(255))
            } else {
                self.color_const
            };
            let texel = if UV {
                self.sampler.sample_f32(s, t)
            } else {
                self.texel_const
            };
            let src = if color_white {
                texel
            } else if texel_white {
                color
            } else {
                mul(color, texel)
            };
            if src[3] == 255 {
                *px = pack(src);
            } else if src != [0; 4] {
                *px = blend(*px, src);
            }
            if COLOR {
                for (v, d) in c.iter_mut().zip(self.color_dx) {
                    *v += d;
                }
            }
            if UV {
                s += self.st_dx[0];
                t += self.st_dx[1];
            }
        }
    }
}

/// `floor` without a libm call (x86-64's baseline has no rounding instruction). Saturates
/// outside i32; NaN gives 0.
#[inline(always)]
pub(super) fn fast_floor(x: f32) -> i32 {
    let t = x as i32;
    t - i32::from(x < t as f32)
}

/// x / 255 rounded to nearest, exact for x in 0..=255 × 255.
#[inline(always)]
fn div255(x: u32) -> u32 {
    let x = x + 128;
    (x + (x >> 8)) >> 8
}

/// The product of two premultiplied colours, per channel, as the shader's `v_rgba * texel`.
#[inline(always)]
fn mul(a: [u32; 4], b: [u32; 4]) -> [u32; 4] {
    [
        div255(a[0] * b[0]),
        div255(a[1] * b[1]),
        div255(a[2] * b[2]),
        div255(a[3] * b[3]),
    ]
}

/// Premultiplied "over": src + dst × (1 − src.a), saturating like an 8-bit framebuffer (an
/// additive colour has rgb > a).
#[inline(always)]
fn blend(dst: u32, src: [u32; 4]) -> u32 {
    let inv = 255 - src[3];
    let r = (src[0] + div255(((dst >> 16) & 0xff) * inv)).min(255);
    let g = (src[1] + div255(((dst >> 8) & 0xff) * inv)).min(255);
    let b = (src[2] + div255((dst & 0xff) * inv)).min(255);
    (r << 16) | (g << 8) | b
}

#[inline(always)]
fn pack(c: [u32; 4]) -> u32 {
    (c[0].min(255) << 16) | (c[1].min(255) << 8) | c[2].min(255)
}

#[cfg(test)]
#[path = "raster_tests.rs"]
mod tests;
