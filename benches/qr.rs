//! QR decoder benchmark: `cargo bench --bench qr`.
//!
//! Over the real photos in `tests/data/qr/` (MANIFEST.tsv) and the simulated webcam-at-screen
//! photos in `tests/data/qr-screen/` (sources in `tests/data/NOTICE`), in both decoder modes
//! (still: `decode`, the full cascade; live: `decode_live`, what the webcam scanner runs):
//! success rate per set and in total (exact text match) and median decode time per image, at
//! the original size and letterboxed to 1280×720; how the live mode ended on each image. Then
//! 1280×720 frames *without* a code — flat grey, uniform noise, a dim noisy room, and the
//! photos of both sets with their code blanked out (one generic rule for all: the decoded
//! outline grown by 60%, filled with the grey around it) — in both modes, with the still
//! cascade's cost per pass; and the frames a second the live decoder can look at, on frames
//! without a code and on a stream where a code is in view one frame in four. When `zbarimg` is
//! on PATH, zbar's success rate on the same files and the ratio.
//!
//! `cargo bench --bench qr -- --passes` instead runs every candidate pass on its own over every
//! image and prints what each one reads and costs (for choosing the cascade).
//!
//! Timings are single-threaded; each image is decoded [`REPEATS`] times and the fastest run
//! counts (the machine is shared, so slower runs measure the neighbours, not us).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use image::{GrayImage, Luma, imageops};
use kunci::scan::decode::{self, Mode, Pass, Prep, Reader, Scale};

const REPEATS: usize = 3;

struct Case {
    set: &'static str,
    name: String,
    path: PathBuf,
    expected: String,
    image: GrayImage,
}

/// The photo sets carried in the repository.
fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

fn load(path: &Path) -> GrayImage {
    image::open(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
        .to_luma8()
}

fn read_text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// `qr/`: every row of MANIFEST.tsv (image path, expected-text path, ...).
fn photo_set(data: &Path) -> Vec<Case> {
    let dir = data.join("qr");
    read_text(&dir.join("MANIFEST.tsv"))
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let mut cols = line.split('\t');
            let (img, txt) = (cols.next().unwrap(), cols.next().unwrap());
            let path = dir.join(img);
            Case {
                set: "qr",
                name: img.to_owned(),
                image: load(&path),
                expected: read_text(&dir.join(txt)),
                path,
            }
        })
        .collect()
}

/// `qr-screen/`: every `screen-NNN.jpg` with its `screen-NNN.txt`.
fn screen_set(data: &Path) -> Vec<Case> {
    let dir = data.join("qr-screen");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".jpg"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let path = dir.join(&name);
            Case {
                set: "qr-screen",
                expected: read_text(&path.with_extension("txt")),
                image: load(&path),
                name,
                path,
            }
        })
        .collect()
}

/// `img` scaled to fit 1280×720 (up or down, aspect kept) and centred on a mid-grey frame of
/// exactly 1280×720, as a webcam would deliver it.
fn letterbox(img: &GrayImage) -> GrayImage {
    let (w, h) = (img.width() as f64, img.height() as f64);
    let s = (1280.0 / w).min(720.0 / h);
    let (nw, nh) = (
        ((w * s).round() as u32).clamp(1, 1280),
        ((h * s).round() as u32).clamp(1, 720),
    );
    let resized = imageops::resize(img, nw, nh, imageops::FilterType::Triangle);
    let mut frame = GrayImage::from_pixel(1280, 720, Luma([128]));
    imageops::replace(
        &mut frame,
        &resized,
        i64::from((1280 - nw) / 2),
        i64::from((720 - nh) / 2),
    );
    frame
}

fn reads(found: &[kunci::scan::Found], expected: &str) -> bool {
    found.iter().any(|f| f.text == expected)
}

/// Fastest of [`REPEATS`] runs of `f`, and its last result.
fn timed<T>(mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut out = None;
    for _ in 0..REPEATS {
        let t = Instant::now();
        let r = f();
        best = best.min(t.elapsed());
        out = Some(r);
    }
    (best, out.unwrap())
}

fn median(mut v: Vec<Duration>) -> Duration {
    if v.is_empty() {
        return Duration::ZERO;
    }
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// zbarimg's verdict on one file: `--raw` prints each symbol's text followed by a newline.
fn zbar_reads(path: &Path, expected: &str) -> bool {
    let Ok(out) = Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(path)
        .output()
    else {
        return false;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let text = text.strip_suffix('\n').unwrap_or(&text);
    text == expected || text.lines().any(|l| l == expected)
}

fn zbar_available() -> bool {
    Command::new("zbarimg")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn pct(n: usize, of: usize) -> f64 {
    100.0 * n as f64 / of.max(1) as f64
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `cargo test --all-targets` runs benches too (without `--bench`), in the debug profile:
    // the floors are asserted by tests/qr_decode.rs, so only the real benchmark measures.
    if !args.iter().any(|a| a == "--bench") {
        println!(
            "benches/qr: run `cargo bench --bench qr` to measure; nothing to do under cargo test"
        );
        return;
    }
    let data = data_dir();
    println!("photo sets: {}", data.display());
    let sets = [photo_set(&data), screen_set(&data)];
    if args.iter().any(|a| a == "--passes") {
        passes(&sets);
        return;
    }
    println!(
        "cascade: {} passes (live: {} first, the rest only after a finder-pattern triple); \
         timings single-threaded, fastest of {REPEATS} runs per image, median over images \
         (shared machine: expect noise)\n",
        decode::CASCADE.len(),
        decode::LIVE_FIRST.len()
    );

    let zbar = zbar_available();
    let mut total = Tally::default();
    let mut hits = vec![0usize; decode::CASCADE.len()];
    let mut live_hits = LiveHits::default();
    let mut code_frames_720 = Vec::new();
    for set in &sets {
        let Some(first) = set.first() else { continue };
        let mut tally = Tally::default();
        for case in set {
            let frame = letterbox(&case.image);
            for (mode, size, image) in [
                (Mode::Still, 0, &case.image),
                (Mode::Still, 1, &frame),
                (Mode::Live, 0, &case.image),
                (Mode::Live, 1, &frame),
            ] {
                let (t, out) = timed(|| decode::decode_explained(image, mode));
                let ok = reads(&out.found, &case.expected);
                let m = usize::from(mode == Mode::Live);
                tally.times[m][size].push(t);
                if ok {
                    tally.read[m][size] += 1;
                } else {
                    tally.failed[m][size].push(case.name.clone());
                }
                match (mode, size) {
                    (Mode::Still, 0) if ok => {
                        let p = out.pass.expect("a pass read it");
                        let i = decode::CASCADE.iter().position(|c| *c == p);
                        hits[i.expect("a cascade pass")] += 1;
                    }
                    (Mode::Live, _) => live_hits.add(&out, ok),
                    _ => {}
                }
            }
            if case.set == "qr-screen" {
                code_frames_720.push(frame);
            }
            if zbar {
                if zbar_reads(&case.path, &case.expected) {
                    tally.zbar += 1;
                } else {
                    tally.zbar_failed.push(case.name.clone());
                }
            }
            tally.n += 1;
        }
        println!("== {} ({} images)", first.set, set.len());
        tally.print(zbar);
        println!();
        total.merge(tally);
    }
    println!("== total ({} images)", total.n);
    total.print_summary(zbar);
    println!("passes that read the codes (still, original size):");
    for (p, h) in decode::CASCADE.iter().zip(&hits) {
        println!("  {h:4}  {p:?}");
    }
    live_hits.print();
    println!();
    no_code(&sets, &code_frames_720);
}

/// Successes, failures and times per mode (still, live) and size (stored, 1280×720).
#[derive(Default)]
struct Tally {
    n: usize,
    read: [[usize; 2]; 2],
    failed: [[Vec<String>; 2]; 2],
    times: [[Vec<Duration>; 2]; 2],
    zbar: usize,
    zbar_failed: Vec<String>,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        self.n += other.n;
        self.zbar += other.zbar;
        for m in 0..2 {
            for s in 0..2 {
                self.read[m][s] += other.read[m][s];
                self.times[m][s].extend(&other.times[m][s]);
            }
        }
    }

    fn print_summary(&self, zbar: bool) {
        let n = self.n;
        for (m, label) in [(0, "kunci:     "), (1, "kunci live:")] {
            let [stored, at720] = self.read[m];
            println!("{label} {stored}/{n} ({:.1}%)", pct(stored, n));
            println!("  at 1280×720: {at720}/{n} ({:.1}%)", pct(at720, n));
        }
        if zbar {
            println!("zbarimg:    {}/{n} ({:.1}%)", self.zbar, pct(self.zbar, n));
            println!(
                "ratio kunci/zbar: {:.2}",
                self.read[0][0] as f64 / self.zbar.max(1) as f64
            );
        } else {
            println!("zbarimg not on PATH: no comparison");
        }
        for (m, label) in [(0, "still"), (1, "live")] {
            println!(
                "median decode time per image ({label}): {} original size, {} at 1280×720",
                ms(median(self.times[m][0].clone())),
                ms(median(self.times[m][1].clone()))
            );
        }
    }

    fn print(&self, zbar: bool) {
        self.print_summary(zbar);
        for (m, label) in [(0, ""), (1, " (live)")] {
            println!("failed{label}: {}", list(&self.failed[m][0]));
            println!("failed{label} at 1280×720: {}", list(&self.failed[m][1]));
        }
        if zbar {
            println!("zbar failed: {}", list(&self.zbar_failed));
        }
    }
}

/// How [`Mode::Live`] ended on the images with a code.
#[derive(Default)]
struct LiveHits {
    first: usize,
    rest: usize,
    stopped_early: usize,
    missed_after_all: usize,
    passes_run: Vec<usize>,
}

impl LiveHits {
    fn add(&mut self, out: &decode::Explained, ok: bool) {
        self.passes_run.push(out.passes_run);
        match out.pass {
            Some(p) if ok && decode::LIVE_FIRST.contains(&p) => self.first += 1,
            Some(_) if ok => self.rest += 1,
            _ if out.stopped_early => self.stopped_early += 1,
            _ => self.missed_after_all += 1,
        }
    }

    fn print(&self) {
        let mut runs = self.passes_run.clone();
        runs.sort_unstable();
        println!(
            "live, on the images with a code (both sizes): read by the first passes {}, by the \
             rest of the cascade {}; missed: {} stopped early (no finder-pattern triple), {} \
             after every pass; passes run per frame: median {}, most {}",
            self.first,
            self.rest,
            self.stopped_early,
            self.missed_after_all,
            runs.get(runs.len() / 2).copied().unwrap_or(0),
            runs.last().copied().unwrap_or(0),
        );
    }
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(" ")
    }
}

/// Deterministic xorshift64 bytes.
struct Rng(u64);

impl Rng {
    fn byte(&mut self) -> u8 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 56) as u8
    }

    /// Roughly normal (sum of four uniforms), mean 0, standard deviation `sd`.
    fn normal(&mut self, sd: f32) -> f32 {
        let sum: f32 = (0..4).map(|_| f32::from(self.byte())).sum();
        // Four uniforms on 0..=255: mean 510, standard deviation 255·√(4/12) ≈ 147.2.
        (sum - 510.0) / 147.2 * sd
    }
}

/// Frames with no code, in kinds, as a webcam might deliver them while the user aims:
/// synthetic ones, and the photos of both sets with their code blanked out.
fn no_code_frames(sets: &[Vec<Case>]) -> Vec<(&'static str, Vec<GrayImage>)> {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let noise = GrayImage::from_fn(1280, 720, |_, _| Luma([rng.byte()]));
    let flat = GrayImage::from_pixel(1280, 720, Luma([200]));
    // A dim room through a webcam at high gain: soft shading (a lit area, vignetting) under
    // sensor noise.
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let dim = GrayImage::from_fn(1280, 720, |x, y| {
        let (dx, dy) = (x as f32 / 1280.0 - 0.4, y as f32 / 720.0 - 0.45);
        let shade = 25.0 + 70.0 * (-(dx * dx + dy * dy) * 4.0).exp();
        Luma([(shade + rng.normal(10.0)).clamp(0.0, 255.0) as u8])
    });
    let blanked = |set: &str| -> Vec<GrayImage> {
        sets.iter()
            .flatten()
            .filter(|c| c.set == set)
            .filter_map(|c| blank_code(letterbox(&c.image)))
            .collect()
    };
    vec![
        ("flat grey", vec![flat]),
        ("uniform noise", vec![noise]),
        ("dim room, sensor noise", vec![dim]),
        ("qr-screen photos, code blanked", blanked("qr-screen")),
        ("qr photos, code blanked", blanked("qr")),
    ]
}

/// `frame` with every code the still decoder reads in it covered (its outline grown by 60%
/// about its centre, filled with the mean grey just outside that), if nothing is read
/// afterwards. The same for every frame: no image is fitted by hand.
fn blank_code(mut frame: GrayImage) -> Option<GrayImage> {
    let found = decode::decode(&frame);
    if found.is_empty() {
        return None;
    }
    for f in &found {
        let c = f.corners;
        let cx = c.iter().map(|p| p[0]).sum::<f32>() / 4.0;
        let cy = c.iter().map(|p| p[1]).sum::<f32>() / 4.0;
        let grown = |k: f32| c.map(|p| [cx + (p[0] - cx) * k, cy + (p[1] - cy) * k]);
        let (inner, outer) = (grown(1.6), grown(1.9));
        let (mut sum, mut n) = (0u64, 0u64);
        for (x, y, p) in frame.enumerate_pixels() {
            let q = [x as f32, y as f32];
            if inside(&outer, q) && !inside(&inner, q) {
                sum += u64::from(p[0]);
                n += 1;
            }
        }
        let fill = Luma([(sum / n.max(1)) as u8]);
        for (x, y, p) in frame.enumerate_pixels_mut() {
            if inside(&inner, [x as f32, y as f32]) {
                *p = fill;
            }
        }
    }
    decode::decode(&frame).is_empty().then_some(frame)
}

/// Whether `q` is inside the convex quadrilateral `quad` (corners in order, either way round).
fn inside(quad: &[[f32; 2]; 4], q: [f32; 2]) -> bool {
    let side =
        |a: [f32; 2], b: [f32; 2]| (b[0] - a[0]) * (q[1] - a[1]) - (b[1] - a[1]) * (q[0] - a[0]);
    let s: Vec<f32> = (0..4).map(|i| side(quad[i], quad[(i + 1) % 4])).collect();
    s.iter().all(|&v| v >= 0.0) || s.iter().all(|&v| v <= 0.0)
}

/// Frames without a code: what each costs in both modes, and how many frames a second the live
/// decoder can look at — on them, and on a stream where a code is in view one frame in four.
fn no_code(sets: &[Vec<Case>], code_frames: &[GrayImage]) {
    let kinds = no_code_frames(sets);
    println!("frames without a code, 1280×720 (ms: median over frames, [slowest]):");
    println!(
        "  {:34} {:>6}  {:>16}  {:>16}  {:>10}",
        "kind", "frames", "still", "live", "live fps"
    );
    let mut all_live = Vec::new();
    for (what, frames) in &kinds {
        let (mut still, mut live) = (Vec::new(), Vec::new());
        for frame in frames {
            still.push(timed(|| decode::decode(frame)).0);
            live.push(timed(|| decode::decode_live(frame)).0);
        }
        all_live.extend(&live);
        let fps = 1.0 / median(live.clone()).as_secs_f64().max(1e-6);
        println!(
            "  {what:34} {:>6}  {:>16}  {:>16}  {fps:10.0}",
            frames.len(),
            with_max(&still),
            with_max(&live)
        );
    }
    // Per-pass costs of the still cascade on the synthetic kinds and one blanked screen photo.
    for (what, frames) in &kinds {
        let Some(frame) = frames.first() else {
            continue;
        };
        let per_pass: Vec<String> = decode::CASCADE
            .iter()
            .map(|p| {
                format!(
                    "{:.1}",
                    timed(|| decode::run_pass(frame, p)).0.as_secs_f64() * 1e3
                )
            })
            .collect();
        println!("  still per pass, {what} (ms): {}", per_pass.join(" "));
    }
    let with_code: Vec<Duration> = code_frames
        .iter()
        .map(|f| timed(|| decode::decode_live(f)).0)
        .collect();
    let blanked_screens = kinds
        .iter()
        .find(|(w, _)| w.starts_with("qr-screen"))
        .map_or(&[][..], |(_, f)| f.as_slice());
    let without: Vec<Duration> = blanked_screens
        .iter()
        .map(|f| timed(|| decode::decode_live(f)).0)
        .collect();
    println!(
        "live, qr-screen frames with a code (1280×720): {} median per frame",
        with_max(&with_code)
    );
    let mean = |v: &[Duration]| v.iter().sum::<Duration>().as_secs_f64() / v.len().max(1) as f64;
    let nocode_fps = 1.0 / median(all_live).as_secs_f64().max(1e-6);
    // Aiming: three frames without the code, then one with it.
    let mixed = (3.0 * mean(&without) + mean(&with_code)) / 4.0;
    println!("frames a second the live decoder looks at (one core):");
    println!(
        "  frames without a code (median over all {} frames above): {nocode_fps:.0}",
        kinds.iter().map(|(_, f)| f.len()).sum::<usize>()
    );
    println!(
        "  mixed stream (3 of 4 frames without a code, qr-screen photos): {:.0} \
         (mean {} per frame)",
        1.0 / mixed.max(1e-6),
        ms(Duration::from_secs_f64(mixed))
    );
}

/// "median [slowest]".
fn with_max(v: &[Duration]) -> String {
    let max = v.iter().max().copied().unwrap_or_default();
    format!(
        "{} [{:.1}]",
        ms(median(v.to_vec())),
        max.as_secs_f64() * 1e3
    )
}

/// Every candidate pass on its own over every image: what it reads, what only it reads, and
/// its median cost; then a greedy order (most new reads per millisecond first).
fn passes(sets: &[Vec<Case>]) {
    let scales = [
        Scale::Full,
        Scale::Down(2),
        Scale::Down(3),
        Scale::Down(4),
        Scale::Up(2),
    ];
    let preps = [
        Prep::None,
        Prep::Invert,
        Prep::Stretch,
        Prep::Sharpen,
        Prep::Blur(1),
        Prep::Blur(2),
        Prep::Threshold(7),
        Prep::Threshold(15),
        Prep::Threshold(31),
        Prep::InvertThreshold(15),
        Prep::BlurThreshold(15),
    ];
    let preps: Vec<Prep> = match std::env::var("KUNCI_BENCH_PREPS") {
        Ok(only) => preps
            .iter()
            .copied()
            .filter(|p| only.contains(&format!("{p:?}")))
            .collect(),
        Err(_) => preps.to_vec(),
    };
    let readers = [
        Reader::RxingHarder,
        Reader::RxingBothWays,
        Reader::RxingGlobal,
        Reader::Rqrr,
    ];
    let mut candidates = Vec::new();
    for scale in scales {
        for &prep in &preps {
            for reader in readers {
                let thresholded = matches!(
                    prep,
                    Prep::Threshold(_) | Prep::InvertThreshold(_) | Prep::BlurThreshold(_)
                );
                if reader == Reader::RxingGlobal && !thresholded {
                    continue;
                }
                // Reading the inverse mask too only makes sense on grey images.
                if reader == Reader::RxingBothWays && !matches!(prep, Prep::None | Prep::Blur(_)) {
                    continue;
                }
                candidates.push(Pass {
                    scale,
                    prep,
                    reader,
                });
            }
        }
    }
    let cases: Vec<&Case> = sets.iter().flatten().collect();
    // KUNCI_BENCH_720=1: the letterboxed 1280×720 frames instead of the files as stored.
    let letterboxed: Option<Vec<GrayImage>> = std::env::var_os("KUNCI_BENCH_720")
        .map(|_| cases.iter().map(|c| letterbox(&c.image)).collect());
    let only = std::env::var("KUNCI_BENCH_ONLY").ok();
    let mut table = Vec::new(); // (pass, reads per case, median ms)
    for p in &candidates {
        if let Some(o) = &only
            && !format!("{p:?}").contains(o.as_str())
        {
            continue;
        }
        let mut ok = Vec::new();
        let mut times = Vec::new();
        for (i, c) in cases.iter().enumerate() {
            let image = letterboxed.as_ref().map_or(&c.image, |l| &l[i]);
            let t = Instant::now();
            let found = decode::run_pass(image, p);
            times.push(t.elapsed());
            ok.push(reads(&found, &c.expected));
        }
        let med = median(times).as_secs_f64() * 1e3;
        let qr = ok
            .iter()
            .zip(&cases)
            .filter(|(o, c)| **o && c.set == "qr")
            .count();
        let scr = ok
            .iter()
            .zip(&cases)
            .filter(|(o, c)| **o && c.set != "qr")
            .count();
        println!("{qr:4} {scr:3}  {med:7.2} ms  {p:?}");
        table.push((*p, ok, med));
    }
    if let Ok(path) = std::env::var("KUNCI_BENCH_MATRIX") {
        let mut out = String::from("pass");
        for c in &cases {
            out += &format!("\t{}", c.name);
        }
        for (p, ok, med) in &table {
            out += &format!("\n{p:?} {med:.2}");
            for o in ok {
                out += if *o { "\t1" } else { "\t0" };
            }
        }
        std::fs::write(&path, out + "\n").expect("write matrix");
    }
    let union = |i: usize| table.iter().any(|(_, ok, _)| ok[i]);
    let reachable: Vec<&str> = (0..cases.len())
        .filter(|&i| union(i))
        .map(|i| cases[i].name.as_str())
        .collect();
    println!("\nread by some pass: {} / {}", reachable.len(), cases.len());
    let never: Vec<&str> = (0..cases.len())
        .filter(|&i| !union(i))
        .map(|i| cases[i].name.as_str())
        .collect();
    println!("read by no pass: {}", never.join(" "));
    // Greedy cover: most newly read images per ms.
    let mut covered = vec![false; cases.len()];
    println!("\ngreedy order (new reads, median ms):");
    loop {
        let best = table
            .iter()
            .map(|(p, ok, med)| {
                let new = ok.iter().zip(&covered).filter(|(o, c)| **o && !**c).count();
                (p, ok, *med, new)
            })
            .filter(|t| t.3 > 0)
            .max_by(|a, b| {
                (a.3 as f64 / (a.2 + 0.5))
                    .partial_cmp(&(b.3 as f64 / (b.2 + 0.5)))
                    .unwrap()
            });
        let Some((p, ok, med, new)) = best else { break };
        for (c, o) in covered.iter_mut().zip(ok) {
            *c |= *o;
        }
        let total = covered.iter().filter(|c| **c).count();
        println!("  +{new:3} = {total:3}  {med:7.2} ms  {p:?}");
    }
}
