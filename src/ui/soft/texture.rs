//! The textures egui asks for, kept on the CPU, and texel fetches from them with OpenGL's
//! filtering and wrapping (what the GPU's texture units did).

use std::collections::HashMap;

use egui::epaint::ImageDelta;
use egui::{Color32, ImageData, TextureId, TextureOptions, TextureWrapMode, TexturesDelta};

use super::raster::fast_floor;

/// One texture kept on the CPU: premultiplied sRGBA texels, rows top to bottom.
pub struct Texture {
    pub width: usize,
    pub height: usize,
    pub texels: Vec<Color32>,
    pub options: TextureOptions,
}

/// The textures egui asked for, kept on the CPU.
#[derive(Default)]
pub struct Textures {
    pub(super) textures: HashMap<TextureId, Texture>,
}

/// Texture sides beyond this are refused, so that texel arithmetic stays in i32 (wrap modes
/// double the side).
const MAX_TEXTURE_SIDE: usize = 1 << 24;

impl Textures {
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

    pub fn contains(&self, id: TextureId) -> bool {
        self.textures.contains_key(&id)
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

/// Texel fetches with OpenGL's filtering and wrapping; coordinates in texels (uv × size).
pub struct Sampler<'a> {
    pub texels: &'a [Color32],
    pub width: i32,
    pub height: i32,
    pub wrap: TextureWrapMode,
    pub linear: bool,
}

impl Sampler<'_> {
    pub fn sample(&self, s: f64, t: f64) -> [u32; 4] {
        // Far outside the texture every wrap mode lands somewhere valid; keep i32 in range.
        let limit = 1e8;
        self.sample_f32(s.clamp(-limit, limit) as f32, t.clamp(-limit, limit) as f32)
    }

    #[inline(always)]
    pub fn sample_f32(&self, s: f32, t: f32) -> [u32; 4] {
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
