//! QR decoder benchmark: `cargo bench --bench qr`.
//!
//! Over the real photos in `tests/data/qr/` (MANIFEST.tsv) and the simulated webcam-at-screen
//! photos in `tests/data/qr-screen/` (sources in `tests/data/NOTICE`): success rate per set and in total (exact text match),
//! median decode time per image at the original size and letterboxed to 1280×720, the cost of
//! a 1280×720 frame with no code, and — when `zbarimg` is on PATH — zbar's success rate on the
//! same files and the ratio.
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
use kunci::scan::decode::{self, Pass, Prep, Reader, Scale};

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
        "cascade: {} passes; timings single-threaded, fastest of {REPEATS} runs per image, \
         median over images (shared machine: expect noise)\n",
        decode::CASCADE.len()
    );

    let zbar = zbar_available();
    let mut total = (0, 0, 0, 0, 0); // images, ours, ours at 720p, zbar, zbar-checked
    let mut all_full = Vec::new();
    let mut all_720 = Vec::new();
    let mut hits = vec![0usize; decode::CASCADE.len()];
    for set in &sets {
        let Some(first) = set.first() else { continue };
        let (mut ok, mut ok720, mut zok) = (0, 0, 0);
        let (mut t_full, mut t_720) = (Vec::new(), Vec::new());
        let (mut failed, mut failed720, mut zfailed) = (Vec::new(), Vec::new(), Vec::new());
        for case in set {
            let (t, out) = timed(|| decode::decode_explained(&case.image, decode::Mode::Still));
            t_full.push(t);
            if reads(&out.found, &case.expected) {
                ok += 1;
                if let Some(p) = out
                    .pass
                    .and_then(|p| decode::CASCADE.iter().position(|c| *c == p))
                {
                    hits[p] += 1;
                }
            } else {
                failed.push(case.name.as_str());
            }
            let frame = letterbox(&case.image);
            let (t, found) = timed(|| decode::decode(&frame));
            t_720.push(t);
            if reads(&found, &case.expected) {
                ok720 += 1;
            } else {
                failed720.push(case.name.as_str());
            }
            if zbar {
                if zbar_reads(&case.path, &case.expected) {
                    zok += 1;
                } else {
                    zfailed.push(case.name.as_str());
                }
            }
        }
        let n = set.len();
        println!("== {} ({n} images)", first.set);
        println!("kunci:      {ok}/{n} ({:.1}%)", pct(ok, n));
        println!("  at 1280×720: {ok720}/{n} ({:.1}%)", pct(ok720, n));
        if zbar {
            println!("zbarimg:    {zok}/{n} ({:.1}%)", pct(zok, n));
            println!("ratio kunci/zbar: {:.2}", ok as f64 / zok.max(1) as f64);
        }
        println!(
            "median decode time per image: {} original size, {} at 1280×720",
            ms(median(t_full.clone())),
            ms(median(t_720.clone()))
        );
        println!("failed: {}", list(&failed));
        println!("failed at 1280×720: {}", list(&failed720));
        if zbar {
            println!("zbar failed: {}", list(&zfailed));
        }
        println!();
        total.0 += n;
        total.1 += ok;
        total.2 += ok720;
        total.3 += zok;
        all_full.extend(t_full);
        all_720.extend(t_720);
    }
    let (n, ok, ok720, zok, _) = total;
    println!("== total ({n} images)");
    println!("kunci:      {ok}/{n} ({:.1}%)", pct(ok, n));
    println!("  at 1280×720: {ok720}/{n} ({:.1}%)", pct(ok720, n));
    if zbar {
        println!("zbarimg:    {zok}/{n} ({:.1}%)", pct(zok, n));
        println!("ratio kunci/zbar: {:.2}", ok as f64 / zok.max(1) as f64);
    } else {
        println!("zbarimg not on PATH: no comparison");
    }
    println!(
        "median decode time per image: {} original size, {} at 1280×720",
        ms(median(all_full)),
        ms(median(all_720))
    );
    println!("passes that read the codes (original size):");
    for (p, h) in decode::CASCADE.iter().zip(&hits) {
        println!("  {h:4}  {p:?}");
    }
    println!();
    no_code(&sets);
}

fn list(names: &[&str]) -> String {
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(" ")
    }
}

/// The whole cascade on 1280×720 frames that hold no code: the worst case per frame.
fn no_code(sets: &[Vec<Case>]) {
    // Uniform noise (deterministic xorshift).
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let noise = GrayImage::from_fn(1280, 720, |_, _| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        Luma([(state >> 56) as u8])
    });
    // A real photo of a screen with its code painted over in the page's grey.
    let painted = sets
        .iter()
        .flatten()
        .find(|c| c.set == "qr-screen")
        .and_then(|c| {
            let mut frame = letterbox(&c.image);
            let found = decode::decode(&frame);
            let corners = found.first()?.corners;
            paint_out(&mut frame, corners);
            decode::decode(&frame).is_empty().then_some(frame)
        });
    let flat = GrayImage::from_pixel(1280, 720, Luma([200]));
    let mut frames = vec![("uniform noise", noise), ("flat grey", flat)];
    if let Some(p) = painted {
        frames.push(("screen photo, code painted out", p));
    }
    for (what, frame) in frames {
        let times: Vec<Duration> = (0..5).map(|_| timed(|| decode::decode(&frame)).0).collect();
        println!("no-code 1280×720 frame ({what}): {}", ms(median(times)));
        let per_pass: Vec<String> = decode::CASCADE
            .iter()
            .map(|p| {
                format!(
                    "{:.1}",
                    timed(|| decode::run_pass(&frame, p)).0.as_secs_f64() * 1e3
                )
            })
            .collect();
        println!("  per pass (ms): {}", per_pass.join(" "));
    }
}

/// Fills the bounding box of `corners`, grown by a quarter on each side, with its mean grey.
fn paint_out(frame: &mut GrayImage, corners: [[f32; 2]; 4]) {
    let xs = corners.map(|c| c[0]);
    let ys = corners.map(|c| c[1]);
    let (x0, x1) = (
        xs.iter().copied().fold(f32::MAX, f32::min),
        xs.iter().copied().fold(0.0, f32::max),
    );
    let (y0, y1) = (
        ys.iter().copied().fold(f32::MAX, f32::min),
        ys.iter().copied().fold(0.0, f32::max),
    );
    let (gx, gy) = ((x1 - x0) / 4.0, (y1 - y0) / 4.0);
    let clampx = |v: f32| (v.max(0.0) as u32).min(frame.width());
    let clampy = |v: f32| (v.max(0.0) as u32).min(frame.height());
    let (x0, x1, y0, y1) = (
        clampx(x0 - gx),
        clampx(x1 + gx),
        clampy(y0 - gy),
        clampy(y1 + gy),
    );
    let mut sum = 0u64;
    let mut n = 0u64;
    for y in y0..y1 {
        for x in x0..x1 {
            sum += u64::from(frame.get_pixel(x, y)[0]);
            n += 1;
        }
    }
    let mean = (sum / n.max(1)) as u8;
    for y in y0..y1 {
        for x in x0..x1 {
            frame.put_pixel(x, y, Luma([mean]));
        }
    }
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
    let readers = [Reader::RxingHarder, Reader::RxingGlobal, Reader::Rqrr];
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
