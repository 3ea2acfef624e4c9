//! The Scan dialog: find the enrolment QR code on the screen, through a webcam, in an image
//! file or on the clipboard, and say what it holds. Capturing and decoding run on threads;
//! results come back through a channel and wake the UI.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::Duration;

use egui::{Color32, ColorImage, RichText, Stroke, TextureHandle, TextureOptions, Ui};
use kunci::otp::OtpUri;
use kunci::scan::payload::{BatchCollector, Payload, classify};
use kunci::scan::scanner::{ScanState, Scanner, looks_like_otpauth};
use kunci::scan::webcam::{self, CameraInfo};
use kunci::scan::{GrayImage, ScanError, clipboard, decode, file, screen};

/// What the dialog asks the app to do.
pub enum ScanOutcome {
    Keep,
    Close,
    /// One account: show it in the Add dialog for review.
    Review(OtpUri),
    /// Accounts from a Google Authenticator export, chosen by the user.
    Import(Vec<OtpUri>),
}

/// Work done off the UI thread, reported back.
enum Found {
    Texts { from: String, texts: Vec<String> },
    Failed(String),
    Cameras(Result<Vec<CameraInfo>, String>),
    CameraStarted(Result<Scanner, String>),
}

struct CameraView {
    scanner: Scanner,
    texture: Option<TextureHandle>,
    shown_frame: u64,
}

pub struct ScanDialog {
    tx: Sender<Found>,
    rx: Receiver<Found>,
    busy: Option<String>,
    message: Option<(String, bool)>,
    cameras: Option<Result<Vec<CameraInfo>, String>>,
    chosen_camera: u32,
    mirror: bool,
    camera: Option<CameraView>,
    collector: BatchCollector,
    /// Accounts of a collected export, with whether each is ticked.
    picks: Vec<(OtpUri, bool)>,
    /// Set when the screen is to be captured: the window is minimised first.
    pub wants_minimize: bool,
}

impl Default for ScanDialog {
    fn default() -> Self {
        let (tx, rx) = mpsc::channel();
        ScanDialog {
            tx,
            rx,
            busy: None,
            message: None,
            cameras: None,
            chosen_camera: 0,
            mirror: true,
            camera: None,
            collector: BatchCollector::new(),
            picks: Vec::new(),
            wants_minimize: false,
        }
    }
}

/// Decodes every frame; the texts of all codes found, without repeats.
fn texts_in(frames: &[GrayImage]) -> Vec<String> {
    let mut texts: Vec<String> = Vec::new();
    for frame in frames {
        for found in decode::decode(frame) {
            if !texts.contains(&found.text) {
                texts.push(found.text);
            }
        }
    }
    texts
}

impl ScanDialog {
    /// Runs `work` on a thread; its result arrives through the channel and wakes the UI.
    fn spawn(
        &mut self,
        ctx: &egui::Context,
        what: &str,
        work: impl FnOnce() -> Found + Send + 'static,
    ) {
        self.busy = Some(what.to_string());
        self.message = None;
        let tx = self.tx.clone();
        let ctx = ctx.clone();
        let _ = std::thread::Builder::new()
            .name("kunci-scan".into())
            .spawn(move || {
                let _ = tx.send(work());
                ctx.request_repaint();
            });
    }

    fn frames_work(from: &str, frames: Result<Vec<GrayImage>, ScanError>) -> Found {
        match frames {
            Ok(frames) => Found::Texts {
                from: from.to_string(),
                texts: texts_in(&frames),
            },
            Err(e) => Found::Failed(e.to_string()),
        }
    }

    /// Captures every monitor (after the app has minimised the window for a moment).
    pub fn capture_screen(&mut self, ctx: &egui::Context) {
        self.spawn(ctx, "Looking for a QR code on the screen…", || {
            // Give the window manager a moment to hide Kunci's window.
            std::thread::sleep(Duration::from_millis(400));
            Self::frames_work("the screen", screen::capture())
        });
    }

    /// Reads an image file (picked, or dropped onto the window).
    pub fn open_file(&mut self, ctx: &egui::Context, path: PathBuf) {
        self.spawn(ctx, "Reading the picture…", move || {
            let from = path.display().to_string();
            Self::frames_work(&from, file::load(&path).map(|f| vec![f]))
        });
    }

    pub fn paste(&mut self, ctx: &egui::Context) {
        self.spawn(ctx, "Reading the picture on the clipboard…", || {
            Self::frames_work("the clipboard", clipboard::image().map(|f| vec![f]))
        });
    }

    fn pick_file(&mut self, ctx: &egui::Context) {
        let tx = self.tx.clone();
        let ctx2 = ctx.clone();
        // The native dialog blocks its thread; on macOS it must run on the main thread.
        let pick = || {
            rfd::FileDialog::new()
                .set_title("Open a picture of the QR code")
                .add_filter("Pictures", &["png", "jpg", "jpeg", "webp", "bmp"])
                .pick_file()
        };
        if cfg!(target_os = "macos") {
            if let Some(path) = pick() {
                self.open_file(ctx, path);
            }
        } else {
            let _ = std::thread::Builder::new()
                .name("kunci-file-dialog".into())
                .spawn(move || {
                    if let Some(path) = pick() {
                        let from = path.display().to_string();
                        let _ =
                            tx.send(Self::frames_work(&from, file::load(&path).map(|f| vec![f])));
                        ctx2.request_repaint();
                    }
                });
        }
    }

    fn list_cameras(&mut self, ctx: &egui::Context) {
        self.spawn(ctx, "Looking for cameras…", || {
            Found::Cameras(webcam::devices().map_err(|e| e.to_string()))
        });
    }

    fn start_camera(&mut self, ctx: &egui::Context) {
        let (index, mirror) = (self.chosen_camera, self.mirror);
        let repaint = ctx.clone();
        self.camera = None;
        self.spawn(ctx, "Starting the camera…", move || {
            Found::CameraStarted(
                webcam::Camera::open(index, mirror)
                    .map(|camera| {
                        Scanner::start_notifying(camera, looks_like_otpauth, move || {
                            repaint.request_repaint()
                        })
                    })
                    .map_err(|e| e.to_string()),
            )
        });
    }

    /// True while a capture, file or camera start is in progress.
    pub fn is_busy(&self) -> bool {
        self.busy.is_some()
    }

    /// Stops the camera (it is released at once).
    pub fn stop_camera(&mut self) {
        self.camera = None;
    }

    /// Turns decoded texts into an outcome, a list to pick from, or a message.
    fn take_texts(&mut self, from: &str, texts: Vec<String>) -> ScanOutcome {
        if texts.is_empty() {
            self.message = Some((format!("No QR code was found in {from}."), true));
            return ScanOutcome::Keep;
        }
        let mut notes = Vec::new();
        for text in texts {
            match classify(&text) {
                Ok(Payload::Account(uri)) => return ScanOutcome::Review(uri),
                Ok(Payload::Migration(batch)) => {
                    for reason in &batch.skipped {
                        notes.push(format!("Skipped: {reason}"));
                    }
                    if let Err(e) = self.collector.add(batch) {
                        notes.push(e.to_string());
                    }
                }
                Ok(Payload::NotAnAccount(what)) => notes.push(capitalize(&what.to_string())),
                Err(e) => notes.push(capitalize(&e.to_string())),
            }
        }
        if self.collector.is_complete() {
            if let Some(batch) = self.collector.finish() {
                self.picks = batch.accounts.into_iter().map(|uri| (uri, true)).collect();
            }
            self.collector.clear();
        } else if !self.collector.is_empty() {
            notes.push(format!(
                "Google Authenticator export: {}. Show the next QR code and scan again.",
                self.collector.progress()
            ));
        }
        if !notes.is_empty() {
            self.message = Some((notes.join("\n"), self.picks.is_empty()));
        }
        ScanOutcome::Keep
    }

    fn drain(&mut self) -> ScanOutcome {
        while let Ok(found) = self.rx.try_recv() {
            self.busy = None;
            match found {
                Found::Texts { from, texts } => {
                    let outcome = self.take_texts(&from, texts);
                    if !matches!(outcome, ScanOutcome::Keep) {
                        return outcome;
                    }
                }
                Found::Failed(why) => self.message = Some((capitalize(&why), true)),
                Found::Cameras(list) => {
                    if let Ok(cameras) = &list {
                        self.chosen_camera = cameras.first().map_or(0, |c| c.index);
                    }
                    self.cameras = Some(list);
                }
                Found::CameraStarted(Ok(scanner)) => {
                    self.camera = Some(CameraView {
                        scanner,
                        texture: None,
                        shown_frame: u64::MAX,
                    })
                }
                Found::CameraStarted(Err(why)) => self.message = Some((capitalize(&why), true)),
            }
        }
        ScanOutcome::Keep
    }

    pub fn ui(&mut self, ui: &mut Ui) -> ScanOutcome {
        let ctx = ui.ctx().clone();
        let outcome = self.drain();
        if !matches!(outcome, ScanOutcome::Keep) {
            return outcome;
        }
        super::dialog_width(ui, 460.0);
        ui.heading("Scan a QR code");
        ui.label(
            "Show the enrolment QR code (the \"barcode\" of Enable TOTP on SPSE) on this screen, \
             in front of a webcam, or in a picture.",
        );
        ui.add_space(4.0);
        let idle = self.busy.is_none();
        ui.horizontal_wrapped(|ui| {
            if ui
                .add_enabled(idle, egui::Button::new("Scan the screen"))
                .on_hover_text("Kunci hides for a moment and reads every monitor")
                .clicked()
            {
                self.stop_camera();
                self.wants_minimize = true;
                self.capture_screen(&ctx);
            }
            if ui
                .add_enabled(idle, egui::Button::new("Use a webcam"))
                .clicked()
            {
                self.list_cameras(&ctx);
            }
            if ui
                .add_enabled(idle, egui::Button::new("Open a picture…"))
                .clicked()
            {
                self.stop_camera();
                self.pick_file(&ctx);
            }
            if ui
                .add_enabled(idle, egui::Button::new("Paste a picture"))
                .on_hover_text("A screenshot copied to the clipboard (Ctrl+V)")
                .clicked()
            {
                self.stop_camera();
                self.paste(&ctx);
            }
        });
        ui.label(RichText::new("You can also drop a picture file onto this window.").weak());

        if let Some(what) = &self.busy {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(what);
            });
        }
        if let Some((text, is_problem)) = &self.message {
            let color = if *is_problem {
                ui.visuals().warn_fg_color
            } else {
                ui.visuals().text_color()
            };
            ui.colored_label(color, text);
        }
        let mut outcome = self.camera_ui(ui, &ctx);
        if matches!(outcome, ScanOutcome::Keep) {
            outcome = self.picks_ui(ui);
        }
        ui.separator();
        if ui.button("Close").clicked() {
            self.stop_camera();
            return ScanOutcome::Close;
        }
        outcome
    }

    fn camera_ui(&mut self, ui: &mut Ui, ctx: &egui::Context) -> ScanOutcome {
        if let Some(Err(why)) = &self.cameras {
            ui.colored_label(ui.visuals().warn_fg_color, capitalize(why));
        }
        let Some(Ok(cameras)) = &self.cameras else {
            return ScanOutcome::Keep;
        };
        if cameras.is_empty() {
            ui.label(
                "No camera was found. Scan the screen, open a picture, or type the setup key \
                 shown under the QR code instead.",
            );
            return ScanOutcome::Keep;
        }
        let cameras = cameras.clone();
        ui.horizontal(|ui| {
            let chosen = cameras
                .iter()
                .find(|c| c.index == self.chosen_camera)
                .map_or_else(String::new, |c| c.name.clone());
            egui::ComboBox::from_label("Camera")
                .selected_text(chosen)
                .show_ui(ui, |ui| {
                    for camera in &cameras {
                        ui.selectable_value(&mut self.chosen_camera, camera.index, &camera.name);
                    }
                });
            if ui.checkbox(&mut self.mirror, "Mirror").changed()
                && let Some(view) = &self.camera
            {
                view.scanner.set_mirror(self.mirror);
            }
            if self.camera.is_none() {
                if ui
                    .add_enabled(self.busy.is_none(), egui::Button::new("Start"))
                    .clicked()
                {
                    self.start_camera(ctx);
                }
            } else if ui.button("Stop").clicked() {
                self.stop_camera();
            }
        });
        let Some(view) = &mut self.camera else {
            return ScanOutcome::Keep;
        };
        let snapshot = view.scanner.snapshot();
        if let Some(frame) = &snapshot.preview
            && snapshot.preview_number != view.shown_frame
        {
            let image = ColorImage::from_gray(
                [frame.width() as usize, frame.height() as usize],
                frame.as_raw(),
            );
            match &mut view.texture {
                Some(texture) => texture.set(image, TextureOptions::LINEAR),
                None => {
                    view.texture = Some(ctx.load_texture("camera", image, TextureOptions::LINEAR))
                }
            }
            view.shown_frame = snapshot.preview_number;
        }
        if let (Some(texture), Some(frame)) = (&view.texture, &snapshot.preview) {
            let width = ui.available_width().min(440.0);
            let scale = width / frame.width().max(1) as f32;
            let size = egui::vec2(width, frame.height() as f32 * scale);
            let response = ui.add(egui::Image::new((texture.id(), size)));
            // Outline the codes the decoder sees.
            for found in &snapshot.found {
                let points: Vec<egui::Pos2> = found
                    .corners
                    .iter()
                    .chain(found.corners.first())
                    .map(|[x, y]| response.rect.min + egui::vec2(x * scale, y * scale))
                    .collect();
                ui.painter().add(egui::Shape::line(
                    points,
                    Stroke::new(3.0, Color32::from_rgb(0x2e, 0xcc, 0x71)),
                ));
            }
        }
        match &snapshot.state {
            ScanState::Running => {
                ui.label("Hold the QR code steady in front of the camera…");
                ScanOutcome::Keep
            }
            ScanState::Accepted => {
                let texts: Vec<String> = snapshot.accepted.into_iter().map(|f| f.text).collect();
                self.camera = None; // releases the camera
                self.take_texts("the camera picture", texts)
            }
            ScanState::Failed(why) => {
                let why = capitalize(why);
                self.camera = None;
                self.message = Some((why, true));
                ScanOutcome::Keep
            }
            _ => {
                self.camera = None;
                ScanOutcome::Keep
            }
        }
    }

    fn picks_ui(&mut self, ui: &mut Ui) -> ScanOutcome {
        if self.picks.is_empty() {
            return ScanOutcome::Keep;
        }
        ui.separator();
        ui.label(RichText::new("Accounts in the Google Authenticator export").strong());
        egui::ScrollArea::vertical()
            .max_height(200.0)
            .show(ui, |ui| {
                for (uri, ticked) in &mut self.picks {
                    let name = uri.display_name();
                    ui.checkbox(ticked, name);
                }
            });
        let chosen: Vec<OtpUri> = self
            .picks
            .iter()
            .filter(|(_, ticked)| *ticked)
            .map(|(uri, _)| uri.clone())
            .collect();
        let label = format!("Import {} account(s)", chosen.len());
        if ui
            .add_enabled(!chosen.is_empty(), egui::Button::new(label))
            .clicked()
        {
            self.picks.clear();
            return ScanOutcome::Import(chosen);
        }
        ScanOutcome::Keep
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
