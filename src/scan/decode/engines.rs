//! The two QR readers behind the cascade, each wrapped so that it takes a plain luma buffer (or a
//! bit mask we binarised ourselves), returns [`Found`]s in that buffer's coordinates, and never
//! panics into the caller.

use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};

use rxing::common::{GlobalHistogramBinarizer, HybridBinarizer};
use rxing::multi::MultipleBarcodeReader;
use rxing::qrcode::cpp_port::QrReader;
use rxing::{BarcodeFormat, BinaryBitmap, DecodeHints, Luma8Source};

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

fn hints(try_harder: bool) -> DecodeHints {
    DecodeHints {
        TryHarder: Some(try_harder),
        PossibleFormats: Some(HashSet::from([BarcodeFormat::QR_CODE])),
        ..DecodeHints::default()
    }
}

/// rxing (a port of zxing-cpp's QR reader) on `img`.
pub(super) fn rxing(img: &Luma, binarizer: Binarizer, try_harder: bool) -> Vec<Found> {
    if img.w < 21 || img.h < 21 {
        return Vec::new();
    }
    let run = || -> Option<Vec<rxing::RXingResult>> {
        let source = Luma8Source::new_with_slice(&img.px, img.w as u32, img.h as u32).ok()?;
        let hints = hints(try_harder);
        match binarizer {
            Binarizer::Hybrid => {
                let mut bitmap = BinaryBitmap::new(HybridBinarizer::new(source));
                QrReader
                    .decode_multiple_with_hints(&mut bitmap, &hints)
                    .ok()
            }
            Binarizer::Global => {
                let mut bitmap = BinaryBitmap::new(GlobalHistogramBinarizer::new(source));
                QrReader
                    .decode_multiple_with_hints(&mut bitmap, &hints)
                    .ok()
            }
        }
    };
    let results = quietly(run).flatten().unwrap_or_default();
    results
        .into_iter()
        .filter(|r| r.getBarcodeFormat() == &BarcodeFormat::QR_CODE)
        .map(|r| {
            let p = r.getPoints();
            let mut corners = [[0.0; 2]; 4];
            if p.len() >= 4 {
                // rxing's QR reader reports (top-left, top-right, bottom-left, bottom-right);
                // `Found` goes round the code.
                for (c, q) in corners.iter_mut().zip([&p[0], &p[1], &p[3], &p[2]]) {
                    *c = [q.x, q.y];
                }
            }
            Found {
                text: r.getText().to_owned(),
                corners,
            }
        })
        .collect()
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
