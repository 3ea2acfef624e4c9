//! Small image filters for the cascade: resampling, contrast stretch, inversion, box blur and a
//! local-mean threshold. Each is one or two linear passes over the pixels; none allocates more
//! than an image or an integral image.

use std::borrow::Cow;

/// A greyscale image stored row by row without padding.
#[derive(Debug, Clone)]
pub(super) struct Luma<'a> {
    pub w: usize,
    pub h: usize,
    pub px: Cow<'a, [u8]>,
}

impl<'a> Luma<'a> {
    /// Borrows `px` (`w * h` bytes).
    pub fn borrowed(w: usize, h: usize, px: &'a [u8]) -> Self {
        debug_assert_eq!(px.len(), w * h);
        Luma {
            w,
            h,
            px: Cow::Borrowed(px),
        }
    }

    fn owned(w: usize, h: usize, px: Vec<u8>) -> Luma<'static> {
        debug_assert_eq!(px.len(), w * h);
        Luma {
            w,
            h,
            px: Cow::Owned(px),
        }
    }

    /// Shrinks by an integer `factor`, each output pixel the mean of a `factor`² block: the
    /// averaging also removes sensor noise and most screen moiré.
    pub fn downscale(&self, factor: usize) -> Luma<'static> {
        let factor = factor.max(1);
        let (w, h) = (self.w / factor, self.h / factor);
        let mut out = vec![0u8; w * h];
        let area = (factor * factor) as u32;
        let mut sums = vec![0u32; w];
        for oy in 0..h {
            sums.iter_mut().for_each(|s| *s = 0);
            for y in oy * factor..(oy + 1) * factor {
                let row = &self.px[y * self.w..y * self.w + w * factor];
                for (s, block) in sums.iter_mut().zip(row.chunks_exact(factor)) {
                    *s += block.iter().map(|&p| u32::from(p)).sum::<u32>();
                }
            }
            for (o, s) in out[oy * w..(oy + 1) * w].iter_mut().zip(&sums) {
                *o = ((s + area / 2) / area) as u8;
            }
        }
        Luma::owned(w, h, out)
    }

    /// Grows both sides by an integer `factor` with bilinear interpolation, so that modules of
    /// 1–3 px become big enough for finder-pattern scanners that need a few pixels per module.
    pub fn upscale(&self, factor: usize) -> Luma<'static> {
        let factor = factor.max(1);
        let (w, h) = (self.w * factor, self.h * factor);
        let xs: Vec<(usize, usize, u32)> = (0..w).map(|o| taps(o, factor, self.w)).collect();
        let mut out = vec![0u8; w * h];
        for oy in 0..h {
            let (y0, y1, wy) = taps(oy, factor, self.h);
            let (r0, r1) = (
                &self.px[y0 * self.w..][..self.w],
                &self.px[y1 * self.w..][..self.w],
            );
            for (o, &(x0, x1, wx)) in out[oy * w..(oy + 1) * w].iter_mut().zip(&xs) {
                let top = u32::from(r0[x0]) * (256 - wx) + u32::from(r0[x1]) * wx;
                let bottom = u32::from(r1[x0]) * (256 - wx) + u32::from(r1[x1]) * wx;
                *o = ((top * (256 - wy) + bottom * wy + (1 << 15)) >> 16) as u8;
            }
        }
        Luma::owned(w, h, out)
    }

    /// Light becomes dark: light-on-dark codes become ordinary ones.
    pub fn inverted(&self) -> Luma<'static> {
        Luma::owned(self.w, self.h, self.px.iter().map(|&p| 255 - p).collect())
    }

    /// Maps the 1st..99th percentile of grey onto 0..255: washed-out or dark photos get their
    /// full range back (helps readers with fixed minimum contrasts).
    pub fn stretched(&self) -> Luma<'static> {
        let mut hist = [0usize; 256];
        for &p in self.px.iter() {
            hist[usize::from(p)] += 1;
        }
        let n = self.px.len();
        let cut = n / 100;
        let percentile = |from_top: bool| {
            let mut seen = 0;
            for i in 0..256 {
                let v = if from_top { 255 - i } else { i };
                seen += hist[v];
                if seen > cut {
                    return v;
                }
            }
            if from_top { 0 } else { 255 }
        };
        let (lo, hi) = (percentile(false), percentile(true));
        if hi <= lo + 8 {
            return Luma::owned(self.w, self.h, self.px.to_vec());
        }
        let mut lut = [0u8; 256];
        for (v, l) in lut.iter_mut().enumerate() {
            let t = (v.clamp(lo, hi) - lo) * 255 / (hi - lo);
            *l = t as u8;
        }
        Luma::owned(
            self.w,
            self.h,
            self.px.iter().map(|&p| lut[usize::from(p)]).collect(),
        )
    }

    /// Box blur of radius `r` (a `(2r+1)`² mean, clipped at the borders).
    pub fn blurred(&self, r: usize) -> Luma<'static> {
        let boxes = BoxSums::new(self, r);
        let mut out = vec![0u8; self.w * self.h];
        for (y, row) in out.chunks_exact_mut(self.w).enumerate() {
            let (sums, inv_y) = boxes.row(y);
            for ((o, &s), &inv_x) in row.iter_mut().zip(sums).zip(&boxes.inv_x) {
                *o = (s as f32 * inv_x * inv_y + 0.5) as u8;
            }
        }
        Luma::owned(self.w, self.h, out)
    }

    /// Unsharp mask: each pixel pushed away from the mean of its 3×3 neighbourhood, which
    /// restores module edges that lens blur or a low-resolution sensor washed out.
    pub fn sharpened(&self) -> Luma<'static> {
        let blur = self.blurred(1);
        let px = self
            .px
            .iter()
            .zip(blur.px.iter())
            .map(|(&p, &b)| (2 * i32::from(p) - i32::from(b)).clamp(0, 255) as u8)
            .collect();
        Luma::owned(self.w, self.h, px)
    }

    /// Local-mean threshold: a pixel is dark when it is darker than the mean of the
    /// `(2r+1)`² window around it by more than `offset` grey levels (`invert`: lighter than the
    /// mean by more than `offset` — the threshold of the inverted image). Uneven light and
    /// shadows move the local mean with them, so the code survives them. Returns 0 (dark) /
    /// 255 (light).
    pub fn thresholded(&self, r: usize, offset: u32, invert: bool) -> Luma<'static> {
        let boxes = BoxSums::new(self, r);
        let mut out = vec![255u8; self.w * self.h];
        for (y, row) in out.chunks_exact_mut(self.w).enumerate() {
            let (sums, _) = boxes.row(y);
            let ny = boxes.ny[y];
            let px = &self.px[y * self.w..(y + 1) * self.w];
            for (((o, &s), &p), &nx) in row.iter_mut().zip(sums).zip(px).zip(&boxes.nx) {
                // p < mean - offset  ⇔  (p + offset)·n < sum, with n the window's area.
                let n = nx * ny;
                let dark = if invert {
                    u32::from(p) * n > s + offset * n
                } else {
                    (u32::from(p) + offset) * n < s
                };
                if dark {
                    *o = 0;
                }
            }
        }
        Luma::owned(self.w, self.h, out)
    }
}

/// Window sums of a box filter of radius `r`, clipped at the borders, computed row by row with
/// running sums (O(1) per pixel whatever the radius).
struct BoxSums {
    w: usize,
    /// Window widths per column and heights per row.
    nx: Vec<u32>,
    ny: Vec<u32>,
    /// 1 / window width per column.
    inv_x: Vec<f32>,
    /// The window sum at every pixel.
    sums: Vec<u32>,
}

impl BoxSums {
    fn new(img: &Luma, r: usize) -> Self {
        let (w, h) = (img.w, img.h);
        let span = |i: usize, n: usize| ((i + r + 1).min(n) - i.saturating_sub(r)) as u32;
        let nx: Vec<u32> = (0..w).map(|x| span(x, w)).collect();
        let ny: Vec<u32> = (0..h).map(|y| span(y, h)).collect();
        // Horizontal window sums of every row, then a running vertical total of them.
        let mut rows = vec![0u32; w * h];
        for (src, dst) in img.px.chunks_exact(w).zip(rows.chunks_exact_mut(w)) {
            let mut acc: u32 = src[..r.min(w)].iter().map(|&p| u32::from(p)).sum();
            for x in 0..w {
                if x + r < w {
                    acc += u32::from(src[x + r]);
                }
                if x > r {
                    acc -= u32::from(src[x - r - 1]);
                }
                dst[x] = acc;
            }
        }
        let mut sums = vec![0u32; w * h];
        let mut col = vec![0u32; w];
        for y in 0..r.min(h) {
            for (c, &v) in col.iter_mut().zip(&rows[y * w..(y + 1) * w]) {
                *c += v;
            }
        }
        for y in 0..h {
            if y + r < h {
                for (c, &v) in col.iter_mut().zip(&rows[(y + r) * w..(y + r + 1) * w]) {
                    *c += v;
                }
            }
            if y > r {
                for (c, &v) in col.iter_mut().zip(&rows[(y - r - 1) * w..(y - r) * w]) {
                    *c -= v;
                }
            }
            sums[y * w..(y + 1) * w].copy_from_slice(&col);
        }
        BoxSums {
            w,
            inv_x: nx.iter().map(|&n| 1.0 / n as f32).collect(),
            nx,
            ny,
            sums,
        }
    }

    /// The window sums of row `y`, and 1 / the window height there.
    fn row(&self, y: usize) -> (&[u32], f32) {
        (
            &self.sums[y * self.w..(y + 1) * self.w],
            1.0 / self.ny[y] as f32,
        )
    }
}

/// Source taps of output index `o` of an upscale by `factor` of a side of `n` pixels, and the
/// weight of the second tap in 1/256.
fn taps(o: usize, factor: usize, n: usize) -> (usize, usize, u32) {
    // The output pixel's centre in source pixel coordinates, in 1/256 (centres at k + ½).
    let centre = ((2 * o + 1) * 256 / (2 * factor)) as i64 - 128;
    if centre <= 0 {
        return (0, 0, 0);
    }
    let i = (centre / 256) as usize;
    if i + 1 >= n {
        return (n - 1, n - 1, 0);
    }
    (i, i + 1, (centre % 256) as u32)
}
