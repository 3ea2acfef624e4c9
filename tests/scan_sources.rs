//! Frame sources for QR enrolment: image files in every pixel format, bad and hostile files,
//! screen capture and the clipboard on a real (private) X server, the webcam with no camera,
//! and the frame pipeline fed from real photos.
//!
//! Needs ImageMagick (`convert`, `display`), `qrencode`, `Xvfb` and `xclip`; `scripts/test`
//! installs them. A missing tool is a failure, never a skip.
#![cfg(target_os = "linux")]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use image::{DynamicImage, GrayImage, ImageBuffer, ImageFormat, Luma, Rgb, Rgba};
use kunci::scan::decode::decode;
use kunci::scan::scanner::{self, FilesSource, FrameSource, ScanState, Scanner};
use kunci::scan::webcam;
use kunci::scan::{Found, ScanError, clipboard, file, screen};

mod common;

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");
const HOW_TO_RUN: &str = "run scripts/test (it installs imagemagick, qrencode, xvfb and xclip)";
const URI: &str = "otpauth://totp/LPSE%20Kota%20Bandung:penyedia01?secret=JBSWY3DPEHPK3PXP&\
                   issuer=LPSE%20Kota%20Bandung&digits=6&period=30";

// ---------------------------------------------------------------------------------------------
// An allocator that can tell the largest single allocation made by a piece of code, to show
// that a decompression bomb is refused before its pixels are allocated.

struct Tracking;

thread_local! {
    static TRACKING: Cell<bool> = const { Cell::new(false) };
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

fn note(size: usize) {
    let _ = TRACKING.try_with(|on| {
        if on.get() {
            let _ = LARGEST.try_with(|l| l.set(l.get().max(size)));
        }
    });
}

// SAFETY: every call is forwarded to the system allocator unchanged; `note` only touches
// const-initialised thread-locals without destructors, which never allocate.
unsafe impl GlobalAlloc for Tracking {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        // SAFETY: same contract as ours.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Tracking = Tracking;

/// Runs `f` and returns its result with the largest single allocation it made on this thread.
fn largest_allocation<T>(f: impl FnOnce() -> T) -> (T, usize) {
    LARGEST.with(|l| l.set(0));
    TRACKING.with(|t| t.set(true));
    let out = f();
    TRACKING.with(|t| t.set(false));
    (out, LARGEST.with(Cell::get))
}

// ---------------------------------------------------------------------------------------------
// Helpers

/// Looks `name` up on PATH; a missing tool fails the test.
fn tool(name: &str) -> PathBuf {
    common::find_on_path(name).unwrap_or_else(|| panic!("`{name}` not found on PATH: {HOW_TO_RUN}"))
}

fn run_ok(cmd: &mut Command, what: &str) -> String {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("kunci-scan-")
        .tempdir()
        .unwrap()
}

/// A QR code of `text`, 6 px per module, 4-module quiet zone: dark modules 0, light 255.
fn qr(text: &str) -> GrayImage {
    qrcode::QrCode::new(text.as_bytes())
        .unwrap()
        .render::<Luma<u8>>()
        .quiet_zone(true)
        .module_dimensions(6, 6)
        .build()
}

fn texts(found: &[Found]) -> Vec<String> {
    found.iter().map(|f| f.text.clone()).collect()
}

/// Loads `path` both ways (file and bytes), checks the picture is not inverted or blacked out
/// (light corner, dark finder pattern) and reads `URI` from it.
fn assert_reads(path: &Path, what: &str) {
    let grey = file::load(path).unwrap_or_else(|e| panic!("{what}: {e}"));
    let bytes = fs::read(path).unwrap();
    let again = file::load_bytes(&bytes, "bytes").unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(grey, again, "{what}: load and load_bytes differ");
    let corner = grey.get_pixel(1, 1)[0];
    let darkest = grey.pixels().map(|p| p[0]).min().unwrap();
    assert!(
        corner > 200 && darkest < 60,
        "{what}: expected a light quiet zone and dark modules, got corner {corner}, darkest \
         {darkest}"
    );
    let found = texts(&decode(&grey));
    assert_eq!(found, vec![URI.to_owned()], "{what}: decoded {found:?}");
}

/// The bytes of a PNG chunk with its CRC.
fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    0xedb8_8320 ^ (crc >> 1)
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc_input = kind.to_vec();
    crc_input.extend_from_slice(data);
    out.extend_from_slice(&crc32(&crc_input).to_be_bytes());
    out
}

/// A PNG that declares `width × height` 8-bit grey pixels and holds no pixel data.
fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(png_chunk(b"IHDR", &ihdr));
    png.extend(png_chunk(b"IEND", &[]));
    png
}

fn unreadable_reason(result: Result<GrayImage, ScanError>, what: &str) -> String {
    match result {
        Err(ScanError::Unreadable { reason, .. }) => reason.to_string(),
        Err(other) => panic!("{what}: expected Unreadable, got {other:?}"),
        Ok(img) => panic!(
            "{what}: expected an error, got a {:?} picture",
            img.dimensions()
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// (a) Image files

#[test]
fn every_pixel_format_loads_as_a_readable_grey_picture() {
    let dir = tempdir();
    let d = dir.path();
    let grey = qr(URI);
    let (w, h) = grey.dimensions();

    // 8-bit grey PNG.
    grey.save(d.join("grey.png")).unwrap();
    assert_reads(&d.join("grey.png"), "8-bit grey PNG");

    // Transparent background: dark modules opaque black, the rest fully transparent *black*
    // (what "export with transparent background" gives). Naive conversion: black on black.
    let rgba = ImageBuffer::from_fn(w, h, |x, y| {
        if grey.get_pixel(x, y)[0] < 128 {
            Rgba([0u8, 0, 0, 255])
        } else {
            Rgba([0, 0, 0, 0])
        }
    });
    rgba.save(d.join("transparent.png")).unwrap();
    assert_reads(
        &d.join("transparent.png"),
        "RGBA PNG, transparent background",
    );

    // Grey + alpha, half-transparent light parts.
    let grey_alpha = ImageBuffer::from_fn(w, h, |x, y| {
        if grey.get_pixel(x, y)[0] < 128 {
            image::LumaA([0u8, 255])
        } else {
            image::LumaA([0, 10])
        }
    });
    grey_alpha.save(d.join("grey-alpha.png")).unwrap();
    assert_reads(&d.join("grey-alpha.png"), "grey+alpha PNG");

    // 16-bit grey and 16-bit RGBA (dark blue modules on transparent).
    let grey16: ImageBuffer<Luma<u16>, Vec<u16>> = ImageBuffer::from_fn(w, h, |x, y| {
        Luma([u16::from(grey.get_pixel(x, y)[0]) * 257])
    });
    grey16.save(d.join("grey16.png")).unwrap();
    assert_reads(&d.join("grey16.png"), "16-bit grey PNG");
    let rgba16: ImageBuffer<Rgba<u16>, Vec<u16>> = ImageBuffer::from_fn(w, h, |x, y| {
        if grey.get_pixel(x, y)[0] < 128 {
            Rgba([0, 0, 20000, 65535])
        } else {
            Rgba([0, 0, 0, 0])
        }
    });
    rgba16.save(d.join("rgba16.png")).unwrap();
    assert_reads(&d.join("rgba16.png"), "16-bit RGBA PNG");

    // RGB: a dark green code on a pale yellow page, as BMP, JPEG and lossless WebP.
    let rgb = ImageBuffer::from_fn(w, h, |x, y| {
        if grey.get_pixel(x, y)[0] < 128 {
            Rgb([10u8, 60, 20])
        } else {
            Rgb([255, 250, 220])
        }
    });
    rgb.save(d.join("rgb.bmp")).unwrap();
    assert_reads(&d.join("rgb.bmp"), "24-bit BMP");
    DynamicImage::ImageRgba8(rgba.clone())
        .save(d.join("rgba.bmp"))
        .unwrap();
    assert_reads(&d.join("rgba.bmp"), "32-bit BMP with alpha");
    rgb.save(d.join("rgb.jpg")).unwrap();
    assert_reads(&d.join("rgb.jpg"), "RGB JPEG");
    grey.save(d.join("grey.jpg")).unwrap();
    assert_reads(&d.join("grey.jpg"), "grey JPEG");
    let mut webp = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut webp)
        .encode(rgba.as_raw(), w, h, image::ExtendedColorType::Rgba8)
        .unwrap();
    fs::write(d.join("rgba.webp"), &webp).unwrap();
    assert_reads(&d.join("rgba.webp"), "lossless WebP with alpha");

    // The format comes from the bytes, not the name.
    fs::copy(d.join("grey.png"), d.join("actually-a-png.jpg")).unwrap();
    assert_reads(&d.join("actually-a-png.jpg"), "PNG named .jpg");
}

#[test]
fn formats_made_by_other_tools_load() {
    let convert = tool("convert");
    let identify = tool("identify");
    let qrencode = tool("qrencode");
    let dir = tempdir();
    let d = dir.path();
    qr(URI).save(d.join("qr.png")).unwrap();

    // qrencode writes a 1-bit PNG (what crashes an established app).
    let one_bit = d.join("qrencode.png");
    run_ok(
        Command::new(&qrencode)
            .args(["-s", "5", "-m", "4", "-o"])
            .arg(&one_bit)
            .arg(URI),
        "qrencode",
    );
    let header = fs::read(&one_bit).unwrap();
    assert_eq!(
        header[24], 1,
        "qrencode should write a 1-bit PNG (bit depth byte)"
    );
    assert_reads(&one_bit, "qrencode's 1-bit PNG");

    // A palette PNG, and one whose background is a transparent palette entry.
    let palette = d.join("palette.png");
    run_ok(
        Command::new(&convert)
            .arg(d.join("qr.png"))
            .args(["-fill", "#102060", "-opaque", "black", "-colors", "4"])
            .arg(format!("PNG8:{}", palette.display())),
        "convert to palette PNG",
    );
    assert_eq!(
        fs::read(&palette).unwrap()[25],
        3,
        "colour type 3 (palette) expected"
    );
    assert_reads(&palette, "palette PNG");
    let palette_alpha = d.join("palette-alpha.png");
    run_ok(
        Command::new(&convert)
            .arg(d.join("qr.png"))
            .args(["-transparent", "white"])
            .arg(format!("PNG8:{}", palette_alpha.display())),
        "convert to palette PNG with transparency",
    );
    assert_reads(&palette_alpha, "palette PNG with a transparent entry");

    // CMYK JPEG (Adobe, as print workflows and some scanners write).
    let cmyk = d.join("cmyk.jpg");
    run_ok(
        Command::new(&convert)
            .arg(d.join("qr.png"))
            .args(["-colorspace", "CMYK", "-quality", "95"])
            .arg(&cmyk),
        "convert to CMYK JPEG",
    );
    let space = run_ok(
        Command::new(&identify)
            .args(["-format", "%[colorspace]"])
            .arg(&cmyk),
        "identify",
    );
    assert_eq!(
        space.trim(),
        "CMYK",
        "ImageMagick did not write a CMYK JPEG"
    );
    assert_reads(&cmyk, "CMYK JPEG");
}

#[test]
fn bad_files_give_clear_errors() {
    let dir = tempdir();
    let d = dir.path();
    let mut png = Vec::new();
    qr(URI)
        .write_to(&mut std::io::Cursor::new(&mut png), ImageFormat::Png)
        .unwrap();
    let mut jpeg = Vec::new();
    qr(URI)
        .write_to(&mut std::io::Cursor::new(&mut jpeg), ImageFormat::Jpeg)
        .unwrap();

    let reason = unreadable_reason(file::load_bytes(&[], "empty.png"), "empty");
    assert!(reason.contains("empty"), "{reason}");

    let reason = unreadable_reason(
        file::load_bytes(b"hello, this is not a picture\n", "notes.txt"),
        "text",
    );
    assert!(reason.contains("not a picture"), "{reason}");
    let reason = unreadable_reason(
        file::load_bytes(format!("{URI}\n").as_bytes(), "uri.txt"),
        "otpauth text",
    );
    assert!(reason.contains("text"), "{reason}");
    let reason = unreadable_reason(
        file::load_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "page.pdf"),
        "pdf",
    );
    assert!(reason.contains("PDF"), "{reason}");
    let reason = unreadable_reason(
        file::load_bytes(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "anim.gif"),
        "gif",
    );
    assert!(reason.contains("GIF"), "{reason}");

    // Truncated: at every cut the loader answers without panicking; PNG cuts are errors.
    for cut in [9, 20, 33, 60, png.len() / 2, png.len() - 13] {
        let reason = unreadable_reason(file::load_bytes(&png[..cut], "cut.png"), "cut PNG");
        assert!(!reason.is_empty());
    }
    for cut in [3, 30, jpeg.len() / 3, jpeg.len() - 2] {
        // A cut JPEG may decode partly (grey below the cut): no panic is what matters.
        let _ = file::load_bytes(&jpeg[..cut], "cut.jpg");
    }
    let reason = unreadable_reason(file::load_bytes(&png[..png.len() / 2], "x"), "half PNG");
    assert!(
        reason.contains("incomplete") || reason.contains("damaged"),
        "{reason}"
    );

    // Corrupt: bytes flipped inside the compressed data.
    let mut corrupt = png.clone();
    let middle = corrupt.len() / 2;
    for b in &mut corrupt[middle..middle + 16] {
        *b ^= 0x5a;
    }
    let reason = unreadable_reason(file::load_bytes(&corrupt, "corrupt.png"), "corrupt PNG");
    assert!(reason.contains("damaged"), "{reason}");

    // 0×0.
    let reason = unreadable_reason(file::load_bytes(&png_header(0, 0), "0x0.png"), "0×0 PNG");
    assert!(reason.contains("0×0"), "{reason}");
    let reason = unreadable_reason(file::load_bytes(&png_header(0, 50), "0x50.png"), "0×50 PNG");
    assert!(reason.contains("empty"), "{reason}");

    // Files that are not there, or folders.
    let reason = unreadable_reason(file::load(&d.join("missing.png")), "missing");
    assert!(reason.contains("no such file"), "{reason}");
    let reason = unreadable_reason(file::load(d), "folder");
    assert!(reason.contains("folder"), "{reason}");
}

#[test]
fn decompression_bombs_are_refused_before_allocating() {
    let mut bmp = b"BM".to_vec();
    bmp.extend_from_slice(&[0; 12]);
    bmp.extend_from_slice(&40u32.to_le_bytes());
    bmp.extend_from_slice(&30000i32.to_le_bytes());
    bmp.extend_from_slice(&(-30000i32).to_le_bytes());
    bmp.extend_from_slice(&[1, 0, 24, 0]);
    bmp.extend_from_slice(&[0; 24]);

    let mut jpeg = vec![0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0xff, 0xc0, 0, 11, 8];
    jpeg.extend_from_slice(&60000u16.to_be_bytes());
    jpeg.extend_from_slice(&50000u16.to_be_bytes());
    jpeg.extend_from_slice(&[1, 1, 0x11, 0]);

    let mut webp = b"RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0".to_vec();
    webp.extend_from_slice(&19999u32.to_le_bytes()[..3]);
    webp.extend_from_slice(&19999u32.to_le_bytes()[..3]);

    let bombs: [(&str, Vec<u8>, (u32, u32)); 5] = [
        ("20000×20000 PNG", png_header(20000, 20000), (20000, 20000)),
        ("PNG 16385 wide", png_header(16385, 10), (16385, 10)),
        ("30000×30000 BMP", bmp, (30000, 30000)),
        ("50000×60000 JPEG", jpeg, (50000, 60000)),
        ("20000×20000 WebP", webp, (20000, 20000)),
    ];
    for (what, bytes, (width, height)) in bombs {
        let (result, largest) = largest_allocation(|| file::load_bytes(&bytes, what));
        match result {
            Err(ScanError::TooLarge {
                width: w,
                height: h,
                limit,
            }) => {
                assert_eq!((w, h, limit), (width, height, file::MAX_SIDE), "{what}");
            }
            other => panic!("{what}: expected TooLarge, got {other:?}"),
        }
        assert!(
            largest < 1 << 20,
            "{what}: {largest} bytes were allocated at once before refusing it"
        );
    }
    // The message says what to do.
    let message = file::load_bytes(&png_header(20000, 20000), "bomb.png")
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("20000×20000") && message.contains("16384"),
        "{message}"
    );

    // The limit itself is fine (header only: refused as incomplete, not as too large).
    let reason = unreadable_reason(file::load_bytes(&png_header(16384, 16), "edge.png"), "edge");
    assert!(!reason.contains("large"), "{reason}");
}

// ---------------------------------------------------------------------------------------------
// (b) Screen capture and clipboard on a private X server

/// Serialises the tests that change this process's environment (DISPLAY and friends); no
/// other test in this file reads it.
static ENV_LOCK: Mutex<()> = Mutex::new(());

fn set_env(vars: &[(&str, Option<&str>)]) {
    for (name, value) in vars {
        // SAFETY: only the tests holding ENV_LOCK touch the environment, and nothing in this
        // test binary reads it from C code on other threads.
        unsafe {
            match value {
                Some(v) => std::env::set_var(name, v),
                None => std::env::remove_var(name),
            }
        }
    }
}

/// Children killed when the test ends, pass or fail.
#[derive(Default)]
struct Processes(Vec<Child>);

impl Drop for Processes {
    fn drop(&mut self) {
        while let Some(mut child) = self.0.pop() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Starts Xvfb with one screen of `geometry` (e.g. "1280x800x24"); returns ":N".
fn start_xvfb(procs: &mut Processes, geometry: &str, log: &Path) -> String {
    let (xvfb, display) = common::x11::start_xvfb(&tool("Xvfb"), geometry, log);
    procs.0.push(xvfb);
    display
}

/// Shows `png` at (x, y) with ImageMagick's `display`.
fn show_image(procs: &mut Processes, display: &str, png: &Path, x: u32, y: u32) {
    let child = Command::new(tool("display"))
        .args(["-geometry", &format!("+{x}+{y}")])
        .arg(png)
        .env("DISPLAY", display)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start display");
    procs.0.push(child);
}

/// Captures the screen until `URI` is read (the viewer takes a moment to paint), returning
/// the frames of the successful capture and which of them held the code.
fn capture_until_found() -> (Vec<GrayImage>, Vec<usize>) {
    let start = Instant::now();
    loop {
        let frames = screen::capture().unwrap_or_else(|e| panic!("capture failed: {e}"));
        let holding: Vec<usize> = frames
            .iter()
            .enumerate()
            .filter(|(_, f)| texts(&decode(f)).contains(&URI.to_owned()))
            .map(|(i, _)| i)
            .collect();
        if !holding.is_empty() {
            return (frames, holding);
        }
        assert!(
            start.elapsed() < Duration::from_secs(40),
            "the QR code shown on screen was not read from {} captured frame(s) of sizes {:?}",
            frames.len(),
            frames.iter().map(GrayImage::dimensions).collect::<Vec<_>>()
        );
        thread::sleep(Duration::from_millis(300));
    }
}

/// Splits the X screen into two RandR monitors side by side, as a laptop with an external
/// monitor has. The left one takes Xvfb's output, so the automatic whole-screen monitor goes.
fn two_monitors(display: &str, width: u16, height: u16) {
    use x11rb::connection::Connection;
    use x11rb::protocol::randr::{ConnectionExt as _, MonitorInfo};
    use x11rb::protocol::xproto::ConnectionExt as _;
    let (conn, screen) = x11rb::connect(Some(display)).expect("connect to Xvfb");
    let root = conn.setup().roots[screen].root;
    let resources = conn
        .randr_get_screen_resources(root)
        .unwrap()
        .reply()
        .unwrap();
    let output = *resources.outputs.first().expect("Xvfb has an output");
    for (name, x, outputs) in [
        ("KUNCI-LEFT", 0, vec![output]),
        ("KUNCI-RIGHT", width / 2, Vec::new()),
    ] {
        let atom = conn
            .intern_atom(false, name.as_bytes())
            .unwrap()
            .reply()
            .unwrap()
            .atom;
        let monitor = MonitorInfo {
            name: atom,
            primary: x == 0,
            automatic: false,
            x: x as i16,
            y: 0,
            width: width / 2,
            height,
            width_in_millimeters: 300,
            height_in_millimeters: 300,
            outputs,
        };
        conn.randr_set_monitor(root, monitor)
            .unwrap()
            .check()
            .unwrap();
    }
    let monitors = conn
        .randr_get_monitors(root, true)
        .unwrap()
        .reply()
        .unwrap()
        .monitors;
    let rects: Vec<_> = monitors
        .iter()
        .map(|m| (m.x, m.y, m.width, m.height))
        .collect();
    assert_eq!(
        rects.len(),
        2,
        "Xvfb did not take the two monitors: {rects:?}"
    );
}

#[test]
fn screen_capture_reads_a_qr_code_shown_on_x11() {
    let _env = ENV_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempdir();
    let png = dir.path().join("enrol.png");
    qr(URI).save(&png).unwrap();

    // 24-bit screen split into two monitors; the code on the right one.
    let mut procs = Processes::default();
    let display = start_xvfb(&mut procs, "1280x800x24", &dir.path().join("xvfb24.log"));
    two_monitors(&display, 1280, 800);
    set_env(&[
        ("DISPLAY", Some(&display)),
        ("WAYLAND_DISPLAY", None),
        ("WAYLAND_SOCKET", None),
        ("XDG_SESSION_TYPE", None),
    ]);
    show_image(&mut procs, &display, &png, 800, 200);
    let (frames, holding) = capture_until_found();
    let sizes: Vec<_> = frames.iter().map(GrayImage::dimensions).collect();
    assert_eq!(sizes, vec![(640, 800), (640, 800)], "one frame per monitor");
    assert_eq!(
        holding,
        vec![1],
        "the code is on the right-hand monitor only"
    );
    drop(procs);

    // 16-bit (RGB565) screen, one monitor.
    let mut procs = Processes::default();
    let display = start_xvfb(&mut procs, "1024x768x16", &dir.path().join("xvfb16.log"));
    set_env(&[("DISPLAY", Some(&display))]);
    show_image(&mut procs, &display, &png, 100, 100);
    let (frames, _) = capture_until_found();
    assert_eq!(frames.len(), 1);
    assert_eq!(frames[0].dimensions(), (1024, 768));
    drop(procs);
    set_env(&[("DISPLAY", None)]);
}

#[test]
fn screen_capture_without_a_display_says_why() {
    let _env = ENV_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    set_env(&[
        ("DISPLAY", None),
        ("WAYLAND_DISPLAY", None),
        ("WAYLAND_SOCKET", None),
        ("XDG_SESSION_TYPE", None),
    ]);
    match screen::capture() {
        Err(ScanError::NoScreen(why)) => assert!(why.contains("DISPLAY"), "{why}"),
        other => panic!("expected NoScreen, got {other:?}"),
    }

    // An X display that is not there.
    set_env(&[("DISPLAY", Some(":4077"))]);
    match screen::capture() {
        Err(ScanError::NoScreen(why)) => assert!(why.contains(":4077"), "{why}"),
        other => panic!("expected NoScreen, got {other:?}"),
    }

    // Wayland with no desktop portal reachable: a clear error, quickly.
    let saved_bus = std::env::var("DBUS_SESSION_BUS_ADDRESS").ok();
    set_env(&[
        ("DISPLAY", None),
        ("WAYLAND_DISPLAY", Some("wayland-kunci-test")),
        (
            "DBUS_SESSION_BUS_ADDRESS",
            Some("unix:path=/nonexistent/kunci-test-bus"),
        ),
    ]);
    let start = Instant::now();
    let result = screen::capture();
    set_env(&[
        ("WAYLAND_DISPLAY", None),
        ("DBUS_SESSION_BUS_ADDRESS", saved_bus.as_deref()),
    ]);
    match result {
        Err(ScanError::NoScreen(why)) => assert!(why.contains("portal"), "{why}"),
        other => panic!("expected NoScreen, got {other:?}"),
    }
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "took {:?}",
        start.elapsed()
    );
}

#[test]
fn clipboard_picture_is_read_and_its_absence_explained() {
    let _env = ENV_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let xclip = tool("xclip");
    let dir = tempdir();
    let png = dir.path().join("pasted.png");
    // A screenshot-like RGBA picture with a transparent background.
    let grey = qr(URI);
    let rgba = ImageBuffer::from_fn(grey.width(), grey.height(), |x, y| {
        if grey.get_pixel(x, y)[0] < 128 {
            Rgba([0u8, 0, 0, 255])
        } else {
            Rgba([0, 0, 0, 0])
        }
    });
    rgba.save(&png).unwrap();

    let mut procs = Processes::default();
    let display = start_xvfb(&mut procs, "800x600x24", &dir.path().join("xvfb.log"));
    set_env(&[
        ("DISPLAY", Some(&display)),
        ("WAYLAND_DISPLAY", None),
        ("WAYLAND_SOCKET", None),
    ]);

    // Nothing copied yet.
    match clipboard::image() {
        Err(ScanError::NoClipboardImage(why)) => {
            assert!(why.to_string().contains("empty"), "{why}")
        }
        other => panic!("expected NoClipboardImage, got {other:?}"),
    }

    // Text copied.
    let own = |args: &[&str], input: Option<&Path>| -> Child {
        let mut cmd = Command::new(&xclip);
        cmd.args(["-quiet", "-selection", "clipboard"])
            .args(args)
            .env("DISPLAY", &display)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        match input {
            Some(path) => cmd.arg("-i").arg(path).stdin(Stdio::null()),
            None => cmd.stdin(Stdio::piped()),
        };
        cmd.spawn().expect("start xclip")
    };
    let text = dir.path().join("text.txt");
    fs::write(&text, "just some words").unwrap();
    procs.0.push(own(&[], Some(&text)));
    let message = retry(|| match clipboard::image() {
        Err(ScanError::NoClipboardImage(why)) if why.to_string().contains("text") => {
            Ok(why.to_string())
        }
        other => Err(format!("{other:?}")),
    });
    assert!(message.contains("picture"), "{message}");

    // A picture copied.
    procs.0.push(own(&["-t", "image/png"], Some(&png)));
    let frame = retry(|| clipboard::image().map_err(|e| e.to_string()));
    assert!(
        frame.get_pixel(1, 1)[0] > 200,
        "transparent background must come out white"
    );
    assert_eq!(texts(&decode(&frame)), vec![URI.to_owned()]);
    drop(procs);
    set_env(&[("DISPLAY", None)]);
}

/// Retries `f` for up to 10 s (xclip takes the selection asynchronously).
fn retry<T>(mut f: impl FnMut() -> Result<T, String>) -> T {
    let start = Instant::now();
    loop {
        match f() {
            Ok(v) => return v,
            Err(e) if start.elapsed() > Duration::from_secs(10) => {
                panic!("still failing after 10 s: {e}")
            }
            Err(_) => thread::sleep(Duration::from_millis(100)),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// (c) Webcam and the frame pipeline

#[test]
fn no_camera_is_a_friendly_outcome() {
    match webcam::devices() {
        Ok(list) if list.is_empty() => {}
        Ok(list) => eprintln!("this machine has cameras: {list:?}"),
        Err(e) => panic!("listing cameras must not fail when there are none: {e}"),
    }
    match webcam::Camera::open(97, false) {
        Err(ScanError::NoCamera(why)) => assert!(why.contains("97"), "{why}"),
        Err(other) => panic!("expected NoCamera, got {other}"),
        Ok(camera) => panic!("camera 97 opened: {:?}", camera.info()),
    }
}

#[test]
fn looks_like_otpauth_accepts_authenticator_payloads_only() {
    for yes in [
        "otpauth://totp/x?secret=A",
        "OTPAUTH://TOTP/x",
        "otpauth-migration://offline?data=x",
        "  otpauth://hotp/x",
    ] {
        assert!(scanner::looks_like_otpauth(yes), "{yes}");
    }
    for no in [
        "https://example.com",
        "otpaut",
        "",
        "WIFI:S:x;;",
        "mailto:otpauth",
    ] {
        assert!(!scanner::looks_like_otpauth(no), "{no}");
    }
}

/// Wraps a source: counts the frames pulled and notes when it is dropped (= camera released).
struct Watched<S> {
    inner: S,
    pulled: Arc<AtomicUsize>,
    dropped: Arc<AtomicBool>,
}

impl<S: FrameSource> FrameSource for Watched<S> {
    fn next_frame(&mut self) -> Result<Option<GrayImage>, ScanError> {
        let frame = self.inner.next_frame()?;
        if frame.is_some() {
            self.pulled.fetch_add(1, Ordering::SeqCst);
        }
        Ok(frame)
    }

    fn mirror(&self) -> bool {
        self.inner.mirror()
    }
}

impl<S> Drop for Watched<S> {
    fn drop(&mut self) {
        self.dropped.store(true, Ordering::SeqCst);
    }
}

fn watched<S>(inner: S) -> (Watched<S>, Arc<AtomicUsize>, Arc<AtomicBool>) {
    let pulled = Arc::new(AtomicUsize::new(0));
    let dropped = Arc::new(AtomicBool::new(false));
    let source = Watched {
        inner,
        pulled: Arc::clone(&pulled),
        dropped: Arc::clone(&dropped),
    };
    (source, pulled, dropped)
}

#[test]
fn scanner_reads_real_webcam_photos_and_stops_at_the_first_otpauth() {
    let dir = Path::new(MANIFEST_DIR).join("tests/data/qr-screen");
    let mut paths = Vec::new();
    let mut expected = Vec::new();
    for i in 0..6 {
        let jpg = dir.join(format!("screen-{i:03}.jpg"));
        let txt = dir.join(format!("screen-{i:03}.txt"));
        let text = fs::read_to_string(&txt).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (the photo set lives in tests/data/qr-screen)",
                txt.display()
            )
        });
        paths.push(jpg);
        expected.push(text.trim().to_owned());
    }
    // A 30 fps "camera" that keeps seeing these six scenes.
    let files = FilesSource::new(paths)
        .with_interval(Duration::from_millis(33))
        .repeat(100_000);
    let (source, pulled, dropped) = watched(files);
    let scanner = Scanner::start(source, scanner::looks_like_otpauth);
    let snapshot = scanner.wait(Duration::from_secs(300));
    assert_eq!(
        snapshot.state,
        ScanState::Accepted,
        "no otpauth code read within 300 s from {} frames ({} decoded)",
        snapshot.frames,
        snapshot.decoded
    );
    let accepted = snapshot.accepted.expect("accepted code");
    assert!(
        expected.contains(&accepted.text),
        "read {:?}, which none of the photos holds",
        accepted.text
    );
    assert!(snapshot.found.iter().any(|f| f.text == accepted.text));
    assert!(snapshot.preview.is_some());

    // The source is released right away and no frame is pulled after that.
    let released = Instant::now();
    while !dropped.load(Ordering::SeqCst) {
        assert!(
            released.elapsed() < Duration::from_secs(2),
            "source not released 2 s after the code was accepted"
        );
        thread::sleep(Duration::from_millis(5));
    }
    assert!(scanner.source_released());
    let count = pulled.load(Ordering::SeqCst);
    thread::sleep(Duration::from_millis(300));
    assert_eq!(
        pulled.load(Ordering::SeqCst),
        count,
        "frames pulled after the stop"
    );
    let after = scanner.snapshot();
    assert_eq!(after.frames as usize, count);
    assert!(after.decoded <= after.frames);
    eprintln!(
        "pulled {count} frames, decoded {}, dropped {} before {:?}",
        after.decoded, after.dropped, accepted.text
    );
}

/// A fast synthetic camera: frame `n` has `n` (mod 256) in its first pixel.
struct Counter {
    next: u32,
    limit: u32,
    interval: Duration,
    mirror: bool,
}

impl FrameSource for Counter {
    fn next_frame(&mut self) -> Result<Option<GrayImage>, ScanError> {
        if self.next >= self.limit {
            return Err(ScanError::NoMoreFrames);
        }
        thread::sleep(self.interval);
        self.next += 1;
        let mut frame = GrayImage::new(40, 30);
        frame.put_pixel(0, 0, Luma([(self.next % 256) as u8]));
        frame.put_pixel(1, 0, Luma([(self.next / 256) as u8]));
        Ok(Some(frame))
    }

    fn mirror(&self) -> bool {
        self.mirror
    }
}

fn frame_number(frame: &GrayImage) -> u32 {
    u32::from(frame.get_pixel(0, 0)[0]) + 256 * u32::from(frame.get_pixel(1, 0)[0])
}

#[test]
fn scanner_drops_stale_frames_and_decodes_the_newest() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen_by_decoder = Arc::clone(&seen);
    let counter = Counter {
        next: 0,
        limit: 400,
        interval: Duration::from_millis(2),
        mirror: false,
    };
    let (source, pulled, dropped) = watched(counter);
    // A slow decoder (50 ms a frame) that "finds" a code in frame 150 and later.
    let scanner = Scanner::start_with(
        source,
        move |frame: &GrayImage| {
            let n = frame_number(frame);
            seen_by_decoder.lock().unwrap().push(n);
            thread::sleep(Duration::from_millis(50));
            let text = if n >= 150 {
                "otpauth://totp/x?secret=A"
            } else {
                "hello"
            };
            vec![Found {
                text: text.into(),
                corners: [[0.0; 2]; 4],
            }]
        },
        scanner::looks_like_otpauth,
    );
    let snapshot = scanner.wait(Duration::from_secs(60));
    assert_eq!(snapshot.state, ScanState::Accepted);
    let seen = seen.lock().unwrap().clone();
    assert!(
        seen.windows(2).all(|w| w[1] > w[0]),
        "frames decoded out of order: {seen:?}"
    );
    assert!(
        seen.len() < 100 && snapshot.dropped > 0,
        "the decoder should skip frames it cannot keep up with: decoded {seen:?}, dropped {}",
        snapshot.dropped
    );
    // Each decoded frame was the newest when the decoder took it: gaps, not a queue.
    assert!(seen.windows(2).any(|w| w[1] - w[0] > 5), "{seen:?}");
    let started = Instant::now();
    while !dropped.load(Ordering::SeqCst) {
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "source not released"
        );
        thread::sleep(Duration::from_millis(5));
    }
    let last = *seen.last().unwrap();
    let count = pulled.load(Ordering::SeqCst) as u32;
    assert!(
        count < last + 60,
        "the source went on for {} frames after the accepted one",
        count - last
    );
}

#[test]
fn scanner_ends_fails_and_stops_cleanly() {
    // Files with no code: Ended after every frame was seen.
    let dir = tempdir();
    let blank = dir.path().join("blank.png");
    GrayImage::from_pixel(64, 48, Luma([255]))
        .save(&blank)
        .unwrap();
    let scanner = Scanner::start(
        FilesSource::new([&blank, &blank, &blank]),
        scanner::looks_like_otpauth,
    );
    let snapshot = scanner.wait(Duration::from_secs(60));
    assert_eq!(snapshot.state, ScanState::Ended);
    assert_eq!(snapshot.frames, 3);

    // A QR that is not an authenticator code is shown, not accepted.
    let web = dir.path().join("web.png");
    qr("https://lpse.example.go.id/eproc4").save(&web).unwrap();
    let scanner = Scanner::start(FilesSource::new([&web]), scanner::looks_like_otpauth);
    let snapshot = scanner.wait(Duration::from_secs(60));
    assert_eq!(snapshot.state, ScanState::Ended);
    assert_eq!(
        texts(&snapshot.found),
        vec!["https://lpse.example.go.id/eproc4"]
    );
    assert!(snapshot.accepted.is_none());

    // An unreadable file: Failed, with the reason.
    let scanner = Scanner::start(
        FilesSource::new([dir.path().join("gone.png")]),
        scanner::looks_like_otpauth,
    );
    match scanner.wait(Duration::from_secs(60)).state {
        ScanState::Failed(why) => assert!(why.contains("no such file"), "{why}"),
        other => panic!("expected Failed, got {other:?}"),
    }

    // Dropping the scanner releases an endless source promptly.
    let (source, _, dropped) = watched(Counter {
        next: 0,
        limit: u32::MAX,
        interval: Duration::from_millis(10),
        mirror: false,
    });
    let scanner = Scanner::start_with(source, |_: &GrayImage| Vec::new(), |_: &str| true);
    thread::sleep(Duration::from_millis(100));
    drop(scanner);
    let started = Instant::now();
    while !dropped.load(Ordering::SeqCst) {
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "source not released"
        );
        thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn mirrored_previews_flip_the_picture_and_the_outline() {
    // Many runs: the decoder may accept a frame before the source thread has finished with it,
    // and an accepted snapshot must still carry that frame's preview every time.
    for run in 0..200 {
        let (source, _, _) = watched(Counter {
            next: 0,
            limit: 1,
            interval: Duration::ZERO,
            mirror: true,
        });
        let scanner = Scanner::start_with(
            source,
            |_: &GrayImage| {
                vec![Found {
                    text: "otpauth://totp/x?secret=A".into(),
                    corners: [[5.0, 2.0], [15.0, 2.0], [15.0, 12.0], [5.0, 12.0]],
                }]
            },
            scanner::looks_like_otpauth,
        );
        let snapshot = scanner.wait(Duration::from_secs(30));
        assert_eq!(snapshot.state, ScanState::Accepted, "run {run}");
        let preview = snapshot
            .preview
            .unwrap_or_else(|| panic!("run {run}: accepted without a preview"));
        // Frame 1 marks pixel (0, 0); mirrored it is at the right edge.
        assert_eq!(preview.get_pixel(39, 0)[0], 1, "run {run}");
        assert_eq!(
            snapshot.found[0].corners,
            [[35.0, 2.0], [25.0, 2.0], [25.0, 12.0], [35.0, 12.0]],
            "run {run}"
        );
    }
}
