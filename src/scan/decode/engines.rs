//! The two QR readers behind the cascade, each wrapped so that it takes a plain luma buffer (or a
//! bit mask we binarised ourselves), returns [`Found`]s in that buffer's coordinates, and never
//! panics into the caller.
//!
//! rxing is driven step by step (binarise, find finder patterns, sample, decode) rather than
//! through its `QrReader`, with the same steps in the same order: so that a pass also reports
//! whether it saw finder patterns ([`Finders`], the live mode's evidence), and so that the
//! inverse of a mask can be read without binarising again.

use std::panic::{AssertUnwindSafe, catch_unwind};

use rxing::common::{BitMatrix, DetectorRXingResult, GlobalHistogramBinarizer, HybridBinarizer};
use rxing::qrcode::cpp_port::decoder::Decode;
use rxing::qrcode::cpp_port::detector::{FindFinderPatterns, GenerateFinderPatternSets, SampleQR};
use rxing::{BinaryBitmap, Luma8Source};

use super::Found;
use super::filters::Luma;

/// How rxing turns grey into black and white.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Binarizer {
    /// Local 8×8-block thresholds (zxing's hybrid binariser): the right default for photos.
    Hybrid,
    /// One threshold from the histogram: for images that are already black and white.
    Global,
}

/// What rxing's finder-pattern search saw in a pass, whether or not a code was read: the
/// evidence [`super::decode_live`] uses to decide whether a frame deserves the expensive passes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Finders {
    /// Triples of finder-pattern candidates (squares with a 1:1:3:1:1 profile across their
    /// centre in several directions) in a plausible QR arrangement: similar sizes, two sides of
    /// a roughly right-angled triangle, 19 to ~265 modules across. What rxing then samples.
    pub triples: usize,
}

impl Finders {
    pub(super) fn add(&mut self, other: Finders) {
        self.triples += other.triples;
    }
}

/// rxing (a port of zxing-cpp's QR reader) on `img`; with `inverted_too`, when nothing is read,
/// also on the inverse of the same black-and-white mask (light-on-dark codes, for the price of
/// one more finder-pattern scan: no second binarisation).
pub(super) fn rxing(
    img: &Luma,
    binarizer: Binarizer,
    try_harder: bool,
    inverted_too: bool,
) -> (Vec<Found>, Finders) {
    let mut finders = Finders::default();
    if img.w < 21 || img.h < 21 {
        return (Vec::new(), finders);
    }
    let run = || -> Option<Vec<Found>> {
        let source = Luma8Source::new_with_slice(&img.px, img.w as u32, img.h as u32).ok()?;
        let read = |mask: &BitMatrix, finders: &mut Finders| {
            let mut found = read_mask(mask, try_harder, finders);
            if found.is_empty() && inverted_too {
                let mut inverse = mask.clone();
                inverse.flip_self();
                found = read_mask(&inverse, try_harder, finders);
            }
            found
        };
        Some(match binarizer {
            Binarizer::Hybrid => {
                let bitmap = BinaryBitmap::new(HybridBinarizer::new(source));
                read(bitmap.get_black_matrix(), &mut finders)
            }
            Binarizer::Global => {
                let bitmap = BinaryBitmap::new(GlobalHistogramBinarizer::new(source));
                read(bitmap.get_black_matrix(), &mut finders)
            }
        })
    };
    let found = quietly(run).flatten().unwrap_or_default();
    (found, finders)
}

/// The QR codes in a black-and-white mask (set bits dark): what rxing's `QrReader` does for
/// `decode_multiple` with only QR codes allowed, step by step, so that the finder patterns it
/// saw can be counted. Each triple of finder patterns, most plausible first, is sampled and
/// decoded; a triple that shares a pattern with a code already read is skipped.
fn read_mask(mask: &BitMatrix, try_harder: bool, finders: &mut Finders) -> Vec<Found> {
    let mut patterns = FindFinderPatterns(mask, try_harder, 0);
    let triples = GenerateFinderPatternSets(&mut patterns);
    finders.triples += triples.len();
    let mut used = Vec::new();
    let mut found = Vec::new();
    for t in triples {
        if used.contains(&t.bl) || used.contains(&t.tl) || used.contains(&t.tr) {
            continue;
        }
        let Ok(sampled) = SampleQR(mask, &t) else {
            continue;
        };
        let Ok(decoded) = Decode(sampled.getBits()) else {
            continue;
        };
        if !decoded.isValid() {
            continue;
        }
        used.extend([t.bl, t.tl, t.tr]);
        let p = sampled.getPoints();
        let mut corners = [[0.0; 2]; 4];
        if p.len() >= 4 {
            // rxing's QR sampler reports (top-left, top-right, bottom-left, bottom-right);
            // `Found` goes round the code.
            for (c, q) in corners.iter_mut().zip([&p[0], &p[1], &p[3], &p[2]]) {
                *c = [q.x, q.y];
            }
        }
        found.push(Found {
            text: decoded.text(),
            corners,
        });
    }
    found
}

/// rqrr (a port of quirc) on `img`, which it binarises itself.
pub(super) fn rqrr(img: &Luma) -> Vec<Found> {
    if img.w < 21 || img.h < 21 {
        return Vec::new();
    }
    let (w, px) = (img.w, &img.px);
    quietly(|| {
        let mut prepared =
            rqrr::PreparedImage::prepare_from_greyscale(img.w, img.h, |x, y| px[y * w + x]);
        grids_to_found(prepared.detect_grids())
    })
    .unwrap_or_default()
}

fn grids_to_found<G: rqrr::BitGrid>(grids: Vec<rqrr::Grid<G>>) -> Vec<Found> {
    grids
        .into_iter()
        .filter_map(|grid| {
            let (_, text) = grid.decode().ok()?;
            let corners = grid.bounds.map(|p| [p.x as f32, p.y as f32]);
            Some(Found { text, corners })
        })
        .collect()
}

/// Runs `f`, turning a panic inside a reader into `None`, without printing it.
///
/// Both readers are third-party code run on arbitrary pixels, and rqrr does panic on some
/// (a degenerate perspective fit asserts in `geometry.rs`, about once in a few thousand
/// passes, e.g. on zxing-qrcode-6/7.png). A reader's bug must cost one pass, not the app, and
/// must not print a backtrace per webcam frame — so [`silence`] swaps in a panic hook that
/// stays quiet on the threads inside a reader and forwards everything else to the previous
/// hook, for the duration of the call only.
fn quietly<T>(f: impl FnOnce() -> T) -> Option<T> {
    let _silenced = silence::Guard::new();
    catch_unwind(AssertUnwindSafe(f)).ok()
}

/// A scoped panic hook: installed while at least one thread is inside a reader, removed (the
/// previous hook put back as it was) when the last one leaves.
///
/// Trade-off: the hook is process-wide, so code that calls `std::panic::set_hook` while a
/// reader runs on another thread has its hook replaced by the previous one when the reader
/// finishes. Kunci sets no panic hook of its own.
mod silence {
    use std::cell::Cell;
    use std::panic::{self, PanicHookInfo};
    use std::sync::{Mutex, PoisonError, RwLock};

    type Hook = Box<dyn Fn(&PanicHookInfo<'_>) + Sync + Send + 'static>;

    /// How many threads are inside a reader.
    static INSIDE: Mutex<usize> = Mutex::new(0);
    /// The hook that was installed before ours. Never held while the process's hook is being
    /// read or replaced, so a panic on another thread cannot deadlock with us.
    static PREVIOUS: RwLock<Option<Hook>> = RwLock::new(None);

    thread_local! {
        static QUIET: Cell<bool> = const { Cell::new(false) };
    }

    pub(super) struct Guard {
        active: bool,
    }

    impl Guard {
        pub(super) fn new() -> Self {
            // Hooks cannot be changed from a panicking thread (e.g. a decode run in a Drop
            // during unwinding); and a nested reader call is already covered.
            if std::thread::panicking() || QUIET.get() {
                return Guard { active: false };
            }
            let mut inside = INSIDE.lock().unwrap_or_else(PoisonError::into_inner);
            if *inside == 0 {
                let previous = panic::take_hook();
                *PREVIOUS.write().unwrap_or_else(PoisonError::into_inner) = Some(previous);
                panic::set_hook(Box::new(|info| {
                    if !QUIET.get() {
                        let previous = PREVIOUS.read().unwrap_or_else(PoisonError::into_inner);
                        if let Some(previous) = previous.as_ref() {
                            previous(info);
                        }
                    }
                }));
            }
            *inside += 1;
            QUIET.set(true);
            Guard { active: true }
        }
    }

    impl Drop for Guard {
        fn drop(&mut self) {
            if !self.active {
                return;
            }
            QUIET.set(false);
            if std::thread::panicking() {
                // Cannot happen (the reader's panic is caught before the guard drops); if it
                // did, our hook stays and keeps forwarding to the previous one.
                return;
            }
            let mut inside = INSIDE.lock().unwrap_or_else(PoisonError::into_inner);
            *inside -= 1;
            if *inside == 0 {
                let previous = PREVIOUS
                    .write()
                    .unwrap_or_else(PoisonError::into_inner)
                    .take();
                if let Some(previous) = previous {
                    panic::set_hook(previous);
                }
            }
        }
    }
}
