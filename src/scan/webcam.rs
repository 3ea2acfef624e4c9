//! Webcams.
//!
//! - [`devices`] lists the cameras (an empty list when there are none: show a friendly "no
//!   camera found", not an error);
//! - [`Camera`] captures on its own thread and keeps only the latest frame, in greyscale taken
//!   straight from the Y plane of YUYV/NV12 frames (RGB frames are converted; MJPEG only when
//!   the camera offers nothing else). The camera is released when the `Camera` is dropped.
//!   It is a [`FrameSource`] for the [`super::scanner::Scanner`].

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::scanner::FrameSource;
use super::{GrayImage, ScanError, file};

/// A camera the system offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CameraInfo {
    /// What to pass to [`Camera::open`].
    pub index: u32,
    /// The name the driver gives (e.g. "Integrated Camera").
    pub name: String,
}

/// The cameras on this computer, by index. No camera is not an error: the list is empty (show
/// "No camera found" and offer the other ways). An error means the system could not be asked
/// (or, on macOS, that camera access was refused).
pub fn devices() -> Result<Vec<CameraInfo>, ScanError> {
    #[cfg(target_os = "macos")]
    macos_permission()?;
    let listed = std::panic::catch_unwind(|| nokhwa::query(nokhwa::utils::ApiBackend::Auto))
        .map_err(|_| ScanError::NoCamera("the camera driver failed while listing cameras".into()))?
        .map_err(|e| ScanError::NoCamera(format!("the cameras cannot be listed ({e})")))?;
    let mut cameras: Vec<CameraInfo> = listed
        .iter()
        .enumerate()
        .filter_map(|(position, info)| {
            let index = match info.index() {
                nokhwa::utils::CameraIndex::Index(i) => *i,
                nokhwa::utils::CameraIndex::String(s) => s
                    .parse()
                    .unwrap_or(u32::try_from(position).unwrap_or(u32::MAX)),
            };
            capture_node(index).then(|| CameraInfo {
                index,
                name: info.human_name().trim().to_owned(),
            })
        })
        .collect();
    cameras.sort_by_key(|c| c.index);
    cameras.dedup_by_key(|c| c.index);
    Ok(cameras)
}

/// Linux: a UVC webcam shows up as two nodes, video capture (index 0 in sysfs) and metadata
/// (index 1), which cannot give pictures. Keep the capture node.
#[cfg(target_os = "linux")]
fn capture_node(index: u32) -> bool {
    std::fs::read_to_string(format!("/sys/class/video4linux/video{index}/index"))
        .map_or(true, |i| i.trim() == "0")
}

#[cfg(not(target_os = "linux"))]
fn capture_node(_index: u32) -> bool {
    true
}

/// macOS asks the user once whether Kunci may use the camera; wait for the answer.
#[cfg(target_os = "macos")]
fn macos_permission() -> Result<(), ScanError> {
    if nokhwa::nokhwa_check() {
        return Ok(());
    }
    let (tx, rx) = mpsc::sync_channel(1);
    nokhwa::nokhwa_initialize(move |granted| {
        let _ = tx.try_send(granted);
    });
    match rx.recv_timeout(Duration::from_secs(120)) {
        Ok(true) => Ok(()),
        _ => Err(ScanError::NoCamera(
            "camera access is not allowed; allow Kunci under System Settings → Privacy & \
             Security → Camera"
                .into(),
        )),
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

// ---------------------------------------------------------------------------------------------
// Camera

/// How long opening a camera may take before we give up.
const OPEN_TIMEOUT: Duration = Duration::from_secs(20);
/// How long [`FrameSource::next_frame`] waits for a new camera frame.
const FRAME_WAIT: Duration = Duration::from_millis(100);
/// Consecutive failed frames after which the camera is taken as gone.
const MAX_FAILURES: u32 = 50;

/// An open camera, capturing on its own thread. Only the latest frame is kept; it is released
/// when this is dropped.
pub struct Camera {
    info: CameraInfo,
    format: String,
    mirror: AtomicBool,
    shared: Arc<CameraShared>,
    thread: Option<JoinHandle<()>>,
    finished: mpsc::Receiver<()>,
}

struct CameraShared {
    state: Mutex<CameraState>,
    fresh: Condvar,
    stop: AtomicBool,
}

#[derive(Default)]
struct CameraState {
    frame: Option<GrayImage>,
    error: Option<String>,
    finished: bool,
}

type Ready = Result<(String, String), ScanError>;

impl Camera {
    /// Opens camera `index` (from [`devices`]) and starts capturing. `mirror`: whether previews
    /// should be shown mirrored (see [`FrameSource::mirror`]).
    pub fn open(index: u32, mirror: bool) -> Result<Camera, ScanError> {
        let shared = Arc::new(CameraShared {
            state: Mutex::new(CameraState::default()),
            fresh: Condvar::new(),
            stop: AtomicBool::new(false),
        });
        let (ready_tx, ready_rx) = mpsc::sync_channel::<Ready>(1);
        let (finished_tx, finished_rx) = mpsc::channel::<()>();
        let thread_shared = Arc::clone(&shared);
        let thread = thread::Builder::new()
            .name("kunci-camera".into())
            .spawn(move || {
                let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    capture_loop(index, &thread_shared, &ready_tx);
                }));
                let mut state = lock(&thread_shared.state);
                if run.is_err() {
                    let why = "the camera driver failed unexpectedly".to_owned();
                    let _ = ready_tx.try_send(Err(ScanError::NoCamera(why.clone())));
                    state.error.get_or_insert(why);
                }
                state.finished = true;
                drop(state);
                thread_shared.fresh.notify_all();
                drop(finished_tx);
            })
            .map_err(|e| ScanError::NoCamera(format!("cannot start the camera thread ({e})")))?;
        let mut camera = Camera {
            info: CameraInfo {
                index,
                name: String::new(),
            },
            format: String::new(),
            mirror: AtomicBool::new(mirror),
            shared,
            thread: Some(thread),
            finished: finished_rx,
        };
        match ready_rx.recv_timeout(OPEN_TIMEOUT) {
            Ok(Ok((name, format))) => {
                camera.info.name = name;
                camera.format = format;
                Ok(camera)
            }
            Ok(Err(e)) => Err(e),
            Err(_) => Err(ScanError::NoCamera(format!(
                "camera {index} did not start within {} s",
                OPEN_TIMEOUT.as_secs()
            ))),
        }
        // On error, dropping `camera` stops the thread.
    }

    /// Which camera this is.
    pub fn info(&self) -> &CameraInfo {
        &self.info
    }

    /// The capture format, e.g. "YUYV 1280×720 @ 30 fps".
    pub fn format(&self) -> &str {
        &self.format
    }

    /// Shows previews mirrored or not.
    pub fn set_mirror(&self, mirror: bool) {
        self.mirror.store(mirror, Ordering::Relaxed);
    }

    /// The latest frame, if one arrived since the last call; never waits.
    pub fn latest_frame(&self) -> Result<Option<GrayImage>, ScanError> {
        self.wait_frame(Duration::ZERO)
    }

    /// The latest frame, waiting up to `timeout` for one; `Ok(None)` when none came. An error
    /// when the camera stopped (unplugged, taken by another program).
    pub fn wait_frame(&self, timeout: Duration) -> Result<Option<GrayImage>, ScanError> {
        let deadline = Instant::now() + timeout;
        let mut state = lock(&self.shared.state);
        loop {
            if let Some(frame) = state.frame.take() {
                return Ok(Some(frame));
            }
            if let Some(error) = &state.error {
                return Err(ScanError::NoCamera(error.clone()));
            }
            if state.finished {
                return Err(ScanError::NoCamera("the camera stopped".into()));
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(None);
            }
            state = self
                .shared
                .fresh
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

impl FrameSource for Camera {
    fn next_frame(&mut self) -> Result<Option<GrayImage>, ScanError> {
        self.wait_frame(FRAME_WAIT)
    }

    fn mirror(&self) -> bool {
        self.mirror.load(Ordering::Relaxed)
    }
}

impl Drop for Camera {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        self.shared.fresh.notify_all();
        // The thread ends after the frame it is waiting for (a fraction of a second). A driver
        // that hangs must not hang the window: after 2 s the thread is left to end on its own.
        match self.finished.recv_timeout(Duration::from_secs(2)) {
            Ok(()) | Err(RecvTimeoutError::Disconnected) => {
                if let Some(thread) = self.thread.take() {
                    let _ = thread.join();
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
        }
    }
}

/// The camera thread: open, report, capture until told to stop or the camera fails.
fn capture_loop(index: u32, shared: &CameraShared, ready: &mpsc::SyncSender<Ready>) {
    use nokhwa::utils::{CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType};

    const WANTED: [FrameFormat; 6] = [
        FrameFormat::YUYV,
        FrameFormat::NV12,
        FrameFormat::GRAY,
        FrameFormat::RAWRGB,
        FrameFormat::RAWBGR,
        FrameFormat::MJPEG,
    ];
    let requested = RequestedFormat::with_formats(RequestedFormatType::None, &WANTED);
    let mut camera = match nokhwa::Camera::new(CameraIndex::Index(index), requested) {
        Ok(camera) => camera,
        Err(e) => {
            let _ = ready.send(Err(ScanError::NoCamera(format!(
                "camera {index} cannot be opened ({e})"
            ))));
            return;
        }
    };
    if let Ok(formats) = camera.compatible_camera_formats()
        && let Some(best) = choose_format(&formats)
        && best != camera.camera_format()
    {
        // Some drivers refuse; the format the camera opened with still works.
        let exact = [best.format()];
        let _ = camera.set_camera_requset(RequestedFormat::with_formats(
            RequestedFormatType::Exact(best),
            &exact,
        ));
    }
    let format = camera.camera_format();
    let described = format!(
        "{} {}×{} @ {} fps",
        format.format(),
        format.width(),
        format.height(),
        format.frame_rate()
    );
    if let Err(e) = camera.open_stream() {
        let _ = ready.send(Err(ScanError::NoCamera(format!(
            "camera {index} cannot start ({e}); is another program using it?"
        ))));
        return;
    }
    let name = camera.info().human_name();
    let _ = ready.send(Ok((name, described)));

    let mut converter = Converter::new(format.format(), format.width(), format.height());
    let mut failures = 0;
    while !shared.stop.load(Ordering::Relaxed) {
        let converted = match camera.frame_raw() {
            Ok(data) => converter.convert(&data),
            Err(e) => {
                thread::sleep(Duration::from_millis(20));
                Err(e.to_string())
            }
        };
        match converted {
            Ok(frame) => {
                failures = 0;
                lock(&shared.state).frame = Some(frame);
                shared.fresh.notify_all();
            }
            Err(why) => {
                failures += 1;
                if failures >= MAX_FAILURES {
                    lock(&shared.state).error =
                        Some(format!("the camera stopped giving pictures ({why})"));
                    break;
                }
            }
        }
    }
    let _ = camera.stop_stream();
}

/// The capture format to ask for: greyscale straight from a Y plane if the camera has one, then
/// raw RGB, then MJPEG; at least 10 fps if possible; as close to 1280×720 as possible.
fn choose_format(formats: &[nokhwa::utils::CameraFormat]) -> Option<nokhwa::utils::CameraFormat> {
    use nokhwa::utils::FrameFormat;
    formats.iter().copied().min_by_key(|f| {
        let class = match f.format() {
            FrameFormat::YUYV | FrameFormat::NV12 | FrameFormat::GRAY => 0,
            FrameFormat::RAWRGB | FrameFormat::RAWBGR => 1,
            FrameFormat::MJPEG => 2,
        };
        let pixels = i64::from(f.width()) * i64::from(f.height());
        (
            f.frame_rate() < 10,
            class,
            (pixels - 1280 * 720).abs(),
            std::cmp::Reverse(f.frame_rate()),
        )
    })
}

/// Raw camera frames → greyscale.
struct Converter {
    format: nokhwa::utils::FrameFormat,
    width: usize,
    height: usize,
    /// For 4:2:2 frames, where Y is: byte 0 (YUYV) or 1 (UYVY; macOS's "2vuy" is reported as
    /// YUYV). Decided on the first frame on macOS.
    luma_offset: Option<usize>,
}

impl Converter {
    fn new(format: nokhwa::utils::FrameFormat, width: u32, height: u32) -> Self {
        Converter {
            format,
            width: width as usize,
            height: height as usize,
            luma_offset: if cfg!(target_os = "macos") {
                None
            } else {
                Some(0)
            },
        }
    }

    fn convert(&mut self, data: &[u8]) -> Result<GrayImage, String> {
        use nokhwa::utils::FrameFormat;
        let (w, h) = (self.width, self.height);
        let pixels = w * h;
        if pixels == 0 {
            return Err("the camera reports a 0×0 picture size".into());
        }
        let short = || format!("a frame of {} bytes is too short for {w}×{h}", data.len());
        match self.format {
            FrameFormat::MJPEG => file::load_bytes(data, "camera frame").map_err(|e| e.to_string()),
            FrameFormat::YUYV if data.len() == pixels * 3 / 2 => plane(data, w, h, w),
            FrameFormat::YUYV if data.len() == pixels * 3 => {
                // 10-bit biplanar Y (macOS): 16-bit little-endian samples, high byte second.
                sampled(&data[1..], w, h, w * 2, 2)
            }
            FrameFormat::YUYV => {
                if data.len() < pixels * 2 {
                    return Err(short());
                }
                let stride = row_stride(data.len(), h, w * 2);
                let offset = *self
                    .luma_offset
                    .get_or_insert_with(|| luma_offset_422(data));
                sampled(&data[offset..], w, h, stride, 2)
            }
            FrameFormat::NV12 => {
                if data.len() < pixels {
                    return Err(short());
                }
                let stride = if (data.len() * 2).is_multiple_of(h * 3) {
                    (data.len() * 2 / (h * 3)).max(w)
                } else {
                    w
                };
                plane(data, w, h, stride)
            }
            FrameFormat::GRAY => {
                if data.len() < pixels {
                    return Err(short());
                }
                #[allow(unused_mut)]
                let mut grey = plane(data, w, h, row_stride(data.len(), h, w))?;
                // AVFoundation's 8-bit grey is "white is zero".
                #[cfg(target_os = "macos")]
                image::imageops::invert(&mut grey);
                Ok(grey)
            }
            FrameFormat::RAWRGB | FrameFormat::RAWBGR => {
                if data.len() < pixels * 3 {
                    return Err(short());
                }
                let stride = row_stride(data.len(), h, w * 3);
                let bgr = self.format == FrameFormat::RAWBGR;
                let mut out = GrayImage::new(w as u32, h as u32);
                for (dst, src) in out.chunks_exact_mut(w).zip(data.chunks(stride)) {
                    for (d, p) in dst.iter_mut().zip(src.chunks_exact(3)) {
                        let (r, b) = if bgr { (p[2], p[0]) } else { (p[0], p[2]) };
                        *d = ((19595 * u32::from(r)
                            + 38470 * u32::from(p[1])
                            + 7471 * u32::from(b)
                            + 32768)
                            >> 16) as u8;
                    }
                }
                Ok(out)
            }
        }
    }
}

/// Bytes per row when rows may be padded: `len / height` if that is a whole number at least
/// `min`, else `min`.
fn row_stride(len: usize, height: usize, min: usize) -> usize {
    if len.is_multiple_of(height) && len / height >= min {
        len / height
    } else {
        min
    }
}

/// A `w × h` 8-bit plane with `stride` bytes per row.
fn plane(data: &[u8], w: usize, h: usize, stride: usize) -> Result<GrayImage, String> {
    sampled(data, w, h, stride, 1)
}

/// Every `step`-th byte of each row (`stride` bytes apart) of a `w × h` picture.
fn sampled(
    data: &[u8],
    w: usize,
    h: usize,
    stride: usize,
    step: usize,
) -> Result<GrayImage, String> {
    if stride * (h - 1) + (w - 1) * step >= data.len() {
        return Err(format!(
            "a frame of {} bytes is too short for {w}×{h}",
            data.len()
        ));
    }
    let mut out = GrayImage::new(w as u32, h as u32);
    for (row, dst) in out.chunks_exact_mut(w).enumerate() {
        let src = &data[row * stride..];
        for (x, d) in dst.iter_mut().enumerate() {
            *d = src[x * step];
        }
    }
    Ok(out)
}

/// In a 4:2:2 frame, which byte of each pair is luma: chroma of a mostly grey scene (a QR code)
/// stays near 128, luma does not.
fn luma_offset_422(data: &[u8]) -> usize {
    let spread = |offset: usize| -> u64 {
        data.iter()
            .skip(offset)
            .step_by(2)
            .step_by(7)
            .take(50_000)
            .map(|&b| u64::from(b.abs_diff(128)))
            .sum()
    };
    if spread(1) > spread(0) { 1 } else { 0 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nokhwa::utils::{CameraFormat, FrameFormat};

    fn converted(format: FrameFormat, w: u32, h: u32, data: &[u8]) -> Result<GrayImage, String> {
        let mut converter = Converter::new(format, w, h);
        converter.luma_offset = Some(0);
        converter.convert(data)
    }

    #[test]
    fn yuyv_gives_the_y_bytes_even_with_padded_rows() {
        // 2×2, rows of 4 bytes (Y U Y V).
        let data = [10, 128, 20, 128, 30, 128, 40, 128];
        let grey = converted(FrameFormat::YUYV, 2, 2, &data).unwrap();
        assert_eq!(grey.as_raw(), &[10, 20, 30, 40]);
        // Same with 4 bytes of padding per row.
        let data = [10, 128, 20, 128, 0, 0, 0, 0, 30, 128, 40, 128, 0, 0, 0, 0];
        let grey = converted(FrameFormat::YUYV, 2, 2, &data).unwrap();
        assert_eq!(grey.as_raw(), &[10, 20, 30, 40]);
        assert!(converted(FrameFormat::YUYV, 2, 2, &data[..7]).is_err());
    }

    #[test]
    fn uyvy_is_recognised_by_its_grey_chroma() {
        let uyvy: Vec<u8> = (0..400u32)
            .flat_map(|i| [128, (i * 37 % 200) as u8 + 20])
            .collect();
        assert_eq!(luma_offset_422(&uyvy), 1);
        let yuyv: Vec<u8> = uyvy.iter().skip(1).copied().chain([128]).collect();
        assert_eq!(luma_offset_422(&yuyv), 0);
    }

    #[test]
    fn nv12_grey_and_rgb_frames_convert() {
        // NV12 2×2: the Y plane, then one UV pair.
        let grey = converted(FrameFormat::NV12, 2, 2, &[1, 2, 3, 4, 128, 128]).unwrap();
        assert_eq!(grey.as_raw(), &[1, 2, 3, 4]);
        let grey = converted(FrameFormat::GRAY, 2, 1, &[7, 9]).unwrap();
        if cfg!(target_os = "macos") {
            assert_eq!(grey.as_raw(), &[248, 246]);
        } else {
            assert_eq!(grey.as_raw(), &[7, 9]);
        }
        let red_white = [255, 0, 0, 255, 255, 255];
        let grey = converted(FrameFormat::RAWRGB, 2, 1, &red_white).unwrap();
        assert_eq!(grey.as_raw(), &[76, 255]);
        let grey = converted(FrameFormat::RAWBGR, 2, 1, &red_white).unwrap();
        assert_eq!(grey.as_raw(), &[29, 255]);
        assert!(converted(FrameFormat::RAWRGB, 2, 1, &red_white[..5]).is_err());
        assert!(converted(FrameFormat::NV12, 0, 0, &[]).is_err());
    }

    #[test]
    fn mjpeg_frames_are_decoded() {
        let picture = GrayImage::from_fn(16, 8, |x, _| image::Luma([if x < 8 { 0 } else { 255 }]));
        let mut jpeg = Vec::new();
        picture
            .write_to(
                &mut std::io::Cursor::new(&mut jpeg),
                image::ImageFormat::Jpeg,
            )
            .unwrap();
        let grey = converted(FrameFormat::MJPEG, 16, 8, &jpeg).unwrap();
        assert_eq!(grey.dimensions(), (16, 8));
        assert!(grey.get_pixel(1, 1)[0] < 30 && grey.get_pixel(14, 1)[0] > 225);
        assert!(converted(FrameFormat::MJPEG, 16, 8, &jpeg[..20]).is_err());
    }

    #[test]
    fn the_y_plane_is_preferred_to_mjpeg() {
        let f = CameraFormat::new_from;
        let formats = [
            f(1280, 720, FrameFormat::MJPEG, 30),
            f(1280, 720, FrameFormat::YUYV, 10),
            f(640, 480, FrameFormat::YUYV, 30),
        ];
        assert_eq!(choose_format(&formats), Some(formats[1]));
        // Too slow at 720p: a smaller Y format at a usable rate rather than MJPEG.
        let formats = [
            f(1280, 720, FrameFormat::MJPEG, 30),
            f(1280, 720, FrameFormat::YUYV, 5),
            f(640, 480, FrameFormat::YUYV, 30),
        ];
        assert_eq!(choose_format(&formats), Some(formats[2]));
        let formats = [
            f(1920, 1080, FrameFormat::MJPEG, 30),
            f(1280, 720, FrameFormat::MJPEG, 30),
            f(1280, 720, FrameFormat::MJPEG, 15),
        ];
        assert_eq!(choose_format(&formats), Some(formats[1]));
        assert_eq!(choose_format(&[]), None);
    }
}
