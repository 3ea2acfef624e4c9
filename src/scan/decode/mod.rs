//! Greyscale frame → QR texts. Pure (no I/O), never panics.
//!
//! One reader on the raw frame misses what real photos do to a code: modules of 1–3 pixels,
//! uneven light, light-on-dark codes, blur, noise and screen moiré. So [`decode`] runs a
//! *cascade* of passes ([`CASCADE`]), each a (scale, pre-processing, reader) triple, cheapest
//! first, and stops at the first pass that reads a code. The readers check the Reed–Solomon
//! error correction, so a result is a real code, not a guess; a clean frame costs one pass.
//!
//! Readers: rxing's port of zxing-cpp's QR reader (hybrid local-block binariser, or a global
//! one on images we thresholded) and rqrr (quirc's detector, which fits bent codes
//! differently). Pre-processing (`filters.rs`): integer box downscale (the scale pyramid),
//! bilinear upscale, inversion, box blur and a local-mean threshold — small hand-written
//! filters. [`Prep::Stretch`] and [`Prep::Sharpen`] exist for measuring (`cargo bench --bench
//! qr -- --passes`) but are not in the cascade: they read nothing the other passes miss.
//!
//! The cascade was chosen by measuring every candidate pass on its own over the shared photo
//! sets, at their stored size and letterboxed to 1280×720 (so that a pass that only works at
//! one scale does not get in), then ordering general methods by cost; no pass or parameter
//! targets a particular image.
//!
//! # Stills and live frames
//!
//! The cascade's cost is paid in full by a frame *without* a code: 30–40 ms for a 1280×720
//! scene, over 100 ms for noise. For a picture the user chose (file, screenshot, clipboard)
//! that is right: there is one picture, it almost certainly holds a code, and reading a hard
//! one matters more than 100 ms. A webcam is the opposite case: while the user aims, almost
//! every frame holds no code, and the next frame comes 33 ms later, so a frame missed costs
//! nothing but a frame decoded slowly makes the preview lag and the scanner drop frames.
//! Hence two modes ([`Mode`]): [`decode`] runs the cascade for stills; [`decode_live`] (what
//! the webcam [`Scanner`](super::scanner::Scanner) uses) runs only [`LIVE_FIRST`] — the
//! cascade's first, most productive pass, also on the inverse of its black-and-white mask for
//! light-on-dark codes, and the half-size image — and goes on with the rest of the cascade
//! only when their finder-pattern search saw a *triple* of finder patterns in a plausible QR
//! arrangement (rxing's own candidate test, counted as a by-product of reading, so the test
//! costs nothing extra). A code the first passes cannot read still shows its three finder
//! patterns in nearly every case measured, while scenes without a code almost never show a
//! triple (none of the 252 photos of both sets with their code blanked out did); single
//! finder-pattern-like squares are common in scenes and everywhere in noise, so one is not
//! enough. The rest of the cascade is the still one, so both modes read the same hard codes
//! when the evidence is there; the live mode gives up on a code whose finder patterns the
//! binariser loses at both sizes (measured: 1–2 of 261 photos; `cargo bench --bench qr`
//! prints both modes).

mod engines;
mod filters;

use super::{Found, GrayImage};
use engines::{Binarizer, Finders};
use filters::Luma;

/// The image a pass reads: the frame resampled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scale {
    /// The frame as it is.
    Full,
    /// Shrunk by the smallest integer factor that brings the longer side to at most this many
    /// pixels (the frame itself when it is already that small).
    Cap(u16),
    /// Shrunk by this integer factor (block mean).
    Down(u8),
    /// Grown by this integer factor (bilinear).
    Up(u8),
}

/// What a pass does to the resampled image before reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Prep {
    None,
    /// Light ↔ dark, for light-on-dark codes.
    Invert,
    /// 1st–99th percentile onto 0–255.
    Stretch,
    /// Box blur of this radius, against noise and moiré.
    Blur(u8),
    /// Unsharp mask (3×3), against lens blur.
    Sharpen,
    /// Local-mean threshold with this window radius.
    Threshold(u8),
    /// Inversion, then local-mean threshold with this window radius.
    InvertThreshold(u8),
    /// Box blur of radius 1, then local-mean threshold with this window radius.
    BlurThreshold(u8),
}

/// Which reader a pass runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reader {
    /// rxing with its hybrid (local) binariser.
    Rxing,
    /// rxing with its hybrid binariser, trying harder (denser finder-pattern scan).
    RxingHarder,
    /// rxing with its global-histogram binariser (for images we already thresholded).
    RxingGlobal,
    /// rxing with its hybrid binariser (ordinary finder-pattern scan) on the black-and-white
    /// mask and, when that reads nothing, on the inverse of the same mask: light-on-dark codes
    /// without a second binarisation.
    RxingBothWays,
    /// rqrr.
    Rqrr,
}

/// One step of the cascade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Pass {
    pub scale: Scale,
    pub prep: Prep,
    pub reader: Reader,
}

const fn pass(scale: Scale, prep: Prep, reader: Reader) -> Pass {
    Pass {
        scale,
        prep,
        reader,
    }
}

/// The cascade [`decode`] runs, in order: cheap passes that read many codes first, rqrr (ten
/// times slower per pass) last. A pass that resamples to the same image as an earlier pass
/// with the same pre-processing and reader is skipped.
pub const CASCADE: &[Pass] = &[
    // Big frames (photos, 4K screens) are read on a ≤1280 px copy first: several times faster
    // there, and modules are big in such photos. For frames up to 1280 px it is the frame.
    pass(Scale::Cap(1280), Prep::None, Reader::RxingHarder),
    pass(Scale::Full, Prep::None, Reader::RxingHarder),
    // Light-on-dark codes (dark web pages, device displays).
    pass(Scale::Full, Prep::Invert, Reader::RxingHarder),
    // A scale pyramid of block means: removes screen moiré and sensor noise, fills stylised or
    // printed-dot modules, and brings big modules into the range the binariser handles.
    pass(Scale::Down(2), Prep::None, Reader::RxingHarder),
    pass(Scale::Down(3), Prep::None, Reader::RxingHarder),
    // A mild blur at full size: the same against moiré when modules are small.
    pass(Scale::Full, Prep::Blur(1), Reader::RxingHarder),
    // Local-mean thresholds: shadows, uneven light, glare, low contrast. The window is fixed in
    // pixels, so the pyramid levels cover bigger modules.
    pass(Scale::Full, Prep::Threshold(15), Reader::RxingGlobal),
    pass(Scale::Full, Prep::InvertThreshold(15), Reader::RxingGlobal),
    pass(Scale::Full, Prep::Threshold(7), Reader::RxingGlobal),
    pass(Scale::Down(2), Prep::BlurThreshold(15), Reader::RxingGlobal),
    pass(Scale::Down(3), Prep::BlurThreshold(15), Reader::RxingGlobal),
    // Modules under ~2 px in small frames (skipped for big ones, see `MAX_UPSCALED`).
    pass(Scale::Up(2), Prep::None, Reader::RxingHarder),
    // rqrr fits the grid differently (quirc's capstone perspective): bent and curved codes.
    // Several times slower per pass than rxing, so last.
    pass(Scale::Down(2), Prep::Threshold(15), Reader::Rqrr),
    pass(Scale::Full, Prep::BlurThreshold(15), Reader::Rqrr),
    pass(Scale::Down(3), Prep::Threshold(15), Reader::Rqrr),
];

/// The passes [`decode_live`] runs on every frame before it decides whether the frame holds a
/// code: the frame (at most 1280 px) on rxing's black-and-white mask and on its inverse
/// (light-on-dark codes), then the half-size image (big or blurred modules). Together they read
/// most codes a webcam sees, and their finder-pattern search is the evidence for the decision.
/// The full-size scan uses rxing's ordinary row spacing, not the denser one ([`CASCADE`]'s
/// first pass, which follows when a code is probably there): on noise, where finder-pattern
/// candidates are everywhere, the denser scan alone costs about as much as everything else
/// here; the inverse is not searched at half size for the same reason, and read nothing more
/// in the measurements.
pub const LIVE_FIRST: &[Pass] = &[
    pass(Scale::Cap(1280), Prep::None, Reader::RxingBothWays),
    pass(Scale::Down(2), Prep::None, Reader::RxingHarder),
];

/// How much a decode may spend on a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// A picture someone chose (file, screenshot, clipboard): there is no next frame, so every
    /// pass of [`CASCADE`] runs until one reads a code.
    Still,
    /// A frame of a live stream (webcam): the next one comes 33 ms later, and while the user
    /// aims, most frames hold no code. [`LIVE_FIRST`] runs, then the rest of [`CASCADE`] only
    /// if a triple of finder patterns was seen.
    Live,
}

/// The QR codes in a still picture (every pass of [`CASCADE`] if need be).
pub fn decode(frame: &GrayImage) -> Vec<Found> {
    decode_explained(frame, Mode::Still).found
}

/// The QR codes in a frame of a live stream: as fast as [`decode`] on a frame whose code the
/// first passes read, and stops after them on a frame where no finder-pattern triple shows
/// (see [`Mode::Live`]). May miss a hard code [`decode`] reads; the next frame gets its chance.
pub fn decode_live(frame: &GrayImage) -> Vec<Found> {
    decode_explained(frame, Mode::Live).found
}

/// What a decode found and how.
#[derive(Debug, Clone, Default)]
pub struct Explained {
    pub found: Vec<Found>,
    /// The pass that read them (`None`: nothing was read).
    pub pass: Option<Pass>,
    /// Passes run (not counting those skipped as the same as an earlier one).
    pub passes_run: usize,
    /// [`Mode::Live`] only: the first passes saw no finder-pattern triple, so the rest of the
    /// cascade did not run.
    pub stopped_early: bool,
}

/// The QR codes in `frame` and how they were found (for diagnostics and the benchmark).
pub fn decode_explained(frame: &GrayImage, mode: Mode) -> Explained {
    let mut out = Explained::default();
    let Some(base) = base(frame) else {
        return out;
    };
    let mut cache = Cache::new(base);
    let mut done: Vec<(Resample, Prep, Reader)> = Vec::with_capacity(CASCADE.len() + 2);
    let mut finders = Finders::default();
    let mut run = |p: &Pass, out: &mut Explained, finders: &mut Finders| {
        let resample = cache.resample(p.scale);
        let key = (resample, p.prep, p.reader);
        // Reading both ways includes the ordinary hybrid pass of the same image.
        let covered =
            p.reader == Reader::Rxing && done.contains(&(resample, p.prep, Reader::RxingBothWays));
        if covered || done.contains(&key) {
            return false;
        }
        done.push(key);
        out.passes_run += 1;
        let (found, seen) = cache.run(p);
        finders.add(seen);
        if found.is_empty() {
            return false;
        }
        out.found = found;
        out.pass = Some(*p);
        true
    };
    if mode == Mode::Live {
        for p in LIVE_FIRST {
            if run(p, &mut out, &mut finders) {
                return out;
            }
        }
        if finders.triples == 0 {
            out.stopped_early = true;
            return out;
        }
    }
    for p in CASCADE {
        if run(p, &mut out, &mut finders) {
            return out;
        }
    }
    out
}

/// Runs one pass on `frame` (for measuring passes on their own).
pub fn run_pass(frame: &GrayImage, p: &Pass) -> Vec<Found> {
    match base(frame) {
        Some(base) => Cache::new(base).run(p).0,
        None => Vec::new(),
    }
}

fn base(frame: &GrayImage) -> Option<Luma<'_>> {
    let (w, h) = (frame.width() as usize, frame.height() as usize);
    // A QR code has at least 21×21 modules.
    if w < 21 || h < 21 {
        return None;
    }
    Some(Luma::borrowed(w, h, &frame.as_raw()[..w * h]))
}

/// How a pass resamples the frame: shrink (> 0) or grow (< 0) by an integer factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Resample(i32);

impl Resample {
    /// Frame pixels per pass-image pixel.
    fn frame_per_pixel(self) -> f32 {
        if self.0 >= 0 {
            self.0 as f32
        } else {
            1.0 / (-self.0) as f32
        }
    }
}

/// The frame and the resampled images passes have already asked for.
struct Cache<'a> {
    full: Luma<'a>,
    resampled: Vec<(Resample, Luma<'static>)>,
}

impl<'a> Cache<'a> {
    fn new(full: Luma<'a>) -> Self {
        Cache {
            full,
            resampled: Vec::new(),
        }
    }

    fn resample(&self, scale: Scale) -> Resample {
        match scale {
            Scale::Full => Resample(1),
            Scale::Down(f) => Resample(i32::from(f.max(1))),
            Scale::Up(f) => Resample(-i32::from(f.max(1))),
            Scale::Cap(max) => {
                let longer = self.full.w.max(self.full.h);
                Resample(longer.div_ceil(usize::from(max).max(1)).max(1) as i32)
            }
        }
    }

    fn image(&mut self, r: Resample) -> &Luma<'_> {
        if matches!(r, Resample(1 | -1)) {
            return &self.full;
        }
        let i = match self.resampled.iter().position(|(k, _)| *k == r) {
            Some(i) => i,
            None => {
                let img = if r.0 > 0 {
                    self.full.downscale(r.0 as usize)
                } else {
                    self.full.upscale((-r.0) as usize)
                };
                self.resampled.push((r, img));
                self.resampled.len() - 1
            }
        };
        &self.resampled[i].1
    }

    /// Runs `p`: the codes it read (in frame coordinates) and the finder patterns rxing saw.
    fn run(&mut self, p: &Pass) -> (Vec<Found>, Finders) {
        let nothing = (Vec::new(), Finders::default());
        let resample = self.resample(p.scale);
        if resample.0 < 0
            && self.full.w * self.full.h * (resample.0 * resample.0) as usize > MAX_UPSCALED
        {
            return nothing;
        }
        let img = self.image(resample);
        if img.w < 21 || img.h < 21 {
            return nothing;
        }
        let prepared;
        let img = match p.prep {
            Prep::None => img,
            Prep::Invert => {
                prepared = img.inverted();
                &prepared
            }
            Prep::Stretch => {
                prepared = img.stretched();
                &prepared
            }
            Prep::Sharpen => {
                prepared = img.sharpened();
                &prepared
            }
            Prep::Blur(r) => {
                prepared = img.blurred(usize::from(r));
                &prepared
            }
            Prep::Threshold(r) => {
                prepared = img.thresholded(usize::from(r), THRESHOLD_OFFSET, false);
                &prepared
            }
            Prep::InvertThreshold(r) => {
                prepared = img.thresholded(usize::from(r), THRESHOLD_OFFSET, true);
                &prepared
            }
            Prep::BlurThreshold(r) => {
                prepared = img
                    .blurred(1)
                    .thresholded(usize::from(r), THRESHOLD_OFFSET, false);
                &prepared
            }
        };
        let (mut found, finders) = match p.reader {
            Reader::Rxing => engines::rxing(img, Binarizer::Hybrid, false, false),
            Reader::RxingHarder => engines::rxing(img, Binarizer::Hybrid, true, false),
            Reader::RxingGlobal => engines::rxing(img, Binarizer::Global, true, false),
            Reader::RxingBothWays => engines::rxing(img, Binarizer::Hybrid, false, true),
            Reader::Rqrr => (engines::rqrr(img), Finders::default()),
        };
        // Back to frame coordinates.
        let to_frame = resample.frame_per_pixel();
        for f in &mut found {
            for c in f.corners.iter_mut().flatten() {
                *c *= to_frame;
            }
        }
        (found, finders)
    }
}

/// Upscaling passes are skipped when they would make an image of more pixels than this: small
/// modules in a frame that large are rare, and the pass would cost more than the rest.
const MAX_UPSCALED: usize = 2 << 20;

/// Grey levels a pixel must be below its local mean to count as dark: keeps flat areas (paper,
/// quiet zone) from turning into salt-and-pepper noise.
const THRESHOLD_OFFSET: u32 = 3;
