//! egui's tessellated output painted into a pixel buffer on the CPU.
//!
//! On a machine without a GPU, OpenGL is llvmpipe: it JIT-compiles egui's shaders and runs them
//! for every pixel of every frame, which costs more than the whole UI. egui's meshes are simple
//! (axis-aligned quads, one-pixel anti-aliasing fringes, glyphs copied 1:1 from the font atlas),
//! so a span rasteriser with fast paths for those cases is much cheaper. It follows egui_glow's
//! semantics: everything in gamma space, premultiplied alpha, the same scissor rounding.

use std::collections::HashMap;

use egui::epaint::{ImageDelta, Primitive, Vertex};
use egui::{
    ClippedPrimitive, Color32, ImageData, Mesh, Rect, TextureFilter, TextureId, TextureOptions,
    TextureWrapMode, TexturesDelta,
};

/// The window's pixels, as softbuffer wants them: one u32 per pixel, 0x00RRGGBB, rows top to bottom.
#[derive(Default)]
pub struct Canvas {
    width: usize,
    height: usize,
    pixels: Vec<u32>,
}

impl Canvas {
    /// An empty (0×0) canvas.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the size; the contents are undefined until the next `paint`.
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

/// One texture kept on the CPU: premultiplied sRGBA texels, rows top to bottom.
struct Texture {
    width: usize,
    height: usize,
    texels: Vec<Color32>,
    options: TextureOptions,
}

/// The textures egui asked for, kept on the CPU.
#[derive(Default)]
pub struct Textures {
    textures: HashMap<TextureId, Texture>,
}

/// Texture sides beyond this are refused, so that texel arithmetic stays in i32 (wrap modes
/// double the side).
const MAX_TEXTURE_SIDE: usize = 1 << 24;

impl Textures {
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies `delta.set` (whole images and partial patches at `pos`, with their TextureOptions).
    /// Call before `paint`.
    pub fn set(&mut self, delta: &TexturesDelta) {
        for (&id, deltas) in &delta.set {
            for image_delta in deltas {
                self.apply(id, image_delta);
            }
        }
    }

    /// Applies `delta.free`. Call after `paint`. egui (debug builds) asserts that a
    /// `TexturesDelta` is cleared before it is dropped: the caller clears it after this.
    pub fn free(&mut self, delta: &TexturesDelta) {
        for id in &delta.free {
            self.textures.remove(id);
        }
    }

    fn apply(&mut self, id: TextureId, delta: &ImageDelta) {
        let ImageData::Color(image) = &delta.image;
        let [w, h] = image.size;
        if w.checked_mul(h) != Some(image.pixels.len()) {
            return;
        }
        match delta.pos {
            None => {
                if w == 0 || h == 0 || w > MAX_TEXTURE_SIDE || h > MAX_TEXTURE_SIDE {
                    // Nothing could be sampled from it: meshes using it are skipped, as for a
                    // texture never set.
                    self.textures.remove(&id);
                    return;
                }
                self.textures.insert(
                    id,
                    Texture {
                        width: w,
                        height: h,
                        texels: image.pixels.clone(),
                        options: delta.options,
                    },
                );
            }
            Some([x, y]) => {
                let Some(texture) = self.textures.get_mut(&id) else {
                    return;
                };
                // egui_glow sets the sampling parameters on every upload, patches included.
                texture.options = delta.options;
                if x >= texture.width || y >= texture.height {
                    return;
                }
                let cols = w.min(texture.width - x);
                let rows = h.min(texture.height - y);
                for row in 0..rows {
                    let dst = (y + row) * texture.width + x;
                    texture.texels[dst..dst + cols]
                        .copy_from_slice(&image.pixels[row * w..row * w + cols]);
                }
            }
        }
    }
}

/// Clears the canvas with `clear` (gamma-space RGBA 0..1, as eframe's App::clear_color gives;
/// alpha ignored: the window is opaque) and paints the primitives in order.
pub fn paint(
    canvas: &mut Canvas,
    clear: [f32; 4],
    primitives: &[ClippedPrimitive],
    textures: &Textures,
    pixels_per_point: f32,
) {
    let to_u8 = |c: f32| (c.clamp(0.0, 1.0) * 255.0).round() as u32;
    canvas.pixels.fill(pack([
        to_u8(clear[0]),
        to_u8(clear[1]),
        to_u8(clear[2]),
        255,
    ]));
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
        let clip = scissor(
            primitive.clip_rect,
            pixels_per_point,
            canvas.width,
            canvas.height,
        );
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

/// Texel fetches with OpenGL's filtering and wrapping; coordinates in texels (uv × size).
struct Sampler<'a> {
    texels: &'a [Color32],
    width: i32,
    height: i32,
    wrap: TextureWrapMode,
    linear: bool,
}

impl Sampler<'_> {
    fn sample(&self, s: f64, t: f64) -> [u32; 4] {
        // Far outside the texture every wrap mode lands somewhere valid; keep i32 in range.
        let limit = 1e8;
        self.sample_f32(s.clamp(-limit, limit) as f32, t.clamp(-limit, limit) as f32)
    }

    #[inline(always)]
    fn sample_f32(&self, s: f32, t: f32) -> [u32; 4] {
        if self.linear {
            // Texel centres are at +0.5.
            let (s, t) = (s - 0.5, t - 0.5);
            let (i0, j0) = (fast_floor(s), fast_floor(t));
            let fx = (((s - i0 as f32) * 256.0) as u32).min(256);
            let fy = (((t - j0 as f32) * 256.0) as u32).min(256);
            let (i0w, i1w) = (self.wrap_x(i0), self.wrap_x(i0.saturating_add(1)));
            let (j0w, j1w) = (self.wrap_y(j0), self.wrap_y(j0.saturating_add(1)));
            let t00 = self.texel(i0w, j0w);
            let t10 = self.texel(i1w, j0w);
            let t01 = self.texel(i0w, j1w);
            let t11 = self.texel(i1w, j1w);
            let w00 = (256 - fx) * (256 - fy);
            let w10 = fx * (256 - fy);
            let w01 = (256 - fx) * fy;
            let w11 = fx * fy;
            std::array::from_fn(|ch| {
                (t00[ch] * w00 + t10[ch] * w10 + t01[ch] * w01 + t11[ch] * w11 + 32768) >> 16
            })
        } else {
            let i = self.wrap_x(fast_floor(s));
            let j = self.wrap_y(fast_floor(t));
            self.texel(i, j)
        }
    }

    #[inline(always)]
    fn texel(&self, i: usize, j: usize) -> [u32; 4] {
        // i, j are wrapped into the texture, whose texel count was checked when it was set.
        let texel = self.texels[j * self.width as usize + i];
        texel.to_array().map(u32::from)
    }

    #[inline(always)]
    fn wrap_x(&self, i: i32) -> usize {
        wrap(i, self.width, self.wrap)
    }

    #[inline(always)]
    fn wrap_y(&self, j: i32) -> usize {
        wrap(j, self.height, self.wrap)
    }
}

#[inline(always)]
fn wrap(i: i32, n: i32, mode: TextureWrapMode) -> usize {
    let i = match mode {
        TextureWrapMode::ClampToEdge => i.clamp(0, n - 1),
        TextureWrapMode::Repeat => i.rem_euclid(n),
        TextureWrapMode::MirroredRepeat => {
            let m = i.rem_euclid(2 * n);
            if m >= n { 2 * n - 1 - m } else { m }
        }
    };
    i as usize
}

/// `floor` without a libm call (x86-64's baseline has no rounding instruction). Saturates
/// outside i32; NaN gives 0.
#[inline(always)]
fn fast_floor(x: f32) -> i32 {
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
mod tests {
    use super::*;
    use egui::{ColorImage, Pos2, pos2, vec2};

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
        let mut textures = Textures::new();
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

    fn quad(r: Rect, color: Color32) -> Mesh {
        let mut mesh = Mesh::default();
        mesh.add_colored_rect(r, color);
        mesh
    }

    fn canvas(w: usize, h: usize) -> Canvas {
        let mut canvas = Canvas::new();
        canvas.resize(w, h);
        canvas
    }

    fn at(canvas: &Canvas, x: usize, y: usize) -> u32 {
        canvas.pixels()[y * canvas.width() + x]
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
        paint(
            &mut canvas,
            CLEAR,
            &[prim(quad(r, color), everything())],
            &textures,
            1.0,
        );
        for y in 0..10 {
            for x in 0..10 {
                let want = if covers(r, x, y) {
                    0x00c8_0a1e
                } else {
                    CLEAR_PX
                };
                assert_eq!(at(&canvas, x, y), want, "pixel ({x}, {y})");
            }
        }
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
        for y in 0..12 {
            for x in 0..20 {
                let inside = covers(a, x, y) || covers(b, x, y);
                let want = if inside { want } else { CLEAR_PX };
                assert_eq!(at(&canvas, x, y), want, "pixel ({x}, {y})");
            }
        }
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
        paint(
            &mut canvas,
            CLEAR,
            &[prim(mesh, everything())],
            &textures,
            1.0,
        );
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
        for y in 0..10 {
            for x in 0..10 {
                let inside = (2..8).contains(&x) && (4..8).contains(&y);
                let want = if inside { 0x00ff_0000 } else { CLEAR_PX };
                assert_eq!(at(&canvas, x, y), want, "pixel ({x}, {y})");
            }
        }
    }

    #[test]
    fn pixels_per_point_scales_positions_and_clip() {
        let textures = white_textures();
        let mut canvas = canvas(10, 10);
        let mesh = quad(rect((1.0, 1.0), (3.0, 2.0)), Color32::BLUE);
        let clip = rect((0.0, 0.0), (2.2, 10.0));
        paint(&mut canvas, CLEAR, &[prim(mesh, clip)], &textures, 2.0);
        for y in 0..10 {
            for x in 0..10 {
                let inside = (2..4).contains(&x) && (2..4).contains(&y);
                let want = if inside { 0x0000_00ff } else { CLEAR_PX };
                assert_eq!(at(&canvas, x, y), want, "pixel ({x}, {y})");
            }
        }
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
            paint(
                &mut canvas,
                CLEAR,
                &[prim(mesh, everything())],
                &textures,
                1.0,
            );
            for y in 0..8 {
                for x in 0..8 {
                    let want = if (2..6).contains(&x) && (3..6).contains(&y) {
                        let t = image.pixels[(y - 3) * 4 + (x - 2)];
                        (u32::from(t.r()) << 16) | (u32::from(t.g()) << 8) | u32::from(t.b())
                    } else {
                        CLEAR_PX
                    };
                    assert_eq!(at(&canvas, x, y), want, "{options:?} pixel ({x}, {y})");
                }
            }
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
        paint(
            &mut canvas,
            CLEAR,
            &[prim(mesh, everything())],
            &textures,
            1.0,
        );
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
        paint(
            &mut canvas,
            CLEAR,
            &[prim(mesh, everything())],
            &textures,
            1.0,
        );
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
        paint(
            &mut canvas,
            CLEAR,
            &[prim(mesh, everything())],
            &textures,
            1.0,
        );
        for y in 0..4 {
            for x in 0..4 {
                let want = match (x, y) {
                    (1 | 2, 2) => 0x0000_00ff,
                    (3, 3) => 0x0000_ff00,
                    _ => 0x00ff_0000,
                };
                assert_eq!(at(&canvas, x, y), want, "pixel ({x}, {y})");
            }
        }
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
        for y in 0..8 {
            for x in 0..8 {
                let want = if x < 4 && y < 4 {
                    0x00ff_0000
                } else {
                    CLEAR_PX
                };
                assert_eq!(at(&canvas, x, y), want, "pixel ({x}, {y})");
            }
        }
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
        for y in 0..16 {
            for x in 0..16 {
                let inside = (4..12).contains(&x) && (4..12).contains(&y);
                let want = if inside { 0x00ff_0000 } else { CLEAR_PX };
                assert_eq!(at(&canvas, x, y), want, "pixel ({x}, {y})");
            }
        }
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
        paint(
            &mut canvas,
            CLEAR,
            &[prim(mesh, everything())],
            &textures,
            1.0,
        );
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
        let mut textures = Textures::new();
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
        let mut textures = Textures::new();
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
}
