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

use crate::i18n::{Language, Localize};

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
    lang: Language,
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

impl ScanDialog {
    pub fn new(lang: Language) -> Self {
        let (tx, rx) = mpsc::channel();
        ScanDialog {
            lang,
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
        what: String,
        work: impl FnOnce() -> Found + Send + 'static,
    ) {
        self.busy = Some(what);
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

    /// `from` names where the frames came from ("the screen"), in the dialog's language.
    fn frames_work(
        lang: Language,
        from: String,
        frames: Result<Vec<GrayImage>, ScanError>,
    ) -> Found {
        match frames {
            Ok(frames) => Found::Texts {
                from,
                texts: texts_in(&frames),
            },
            Err(e) => Found::Failed(e.localize(lang)),
        }
    }

    /// Captures every monitor (after the app has minimised the window for a moment).
    pub fn capture_screen(&mut self, ctx: &egui::Context) {
        let lang = self.lang;
        self.spawn(ctx, tr!(lang, "scan.busy.screen"), move || {
            // Give the window manager a moment to hide Kunci's window.
            std::thread::sleep(Duration::from_millis(400));
            Self::frames_work(lang, tr!(lang, "scan.from.screen"), screen::capture())
        });
    }

    /// Reads an image file (picked, or dropped onto the window).
    pub fn open_file(&mut self, ctx: &egui::Context, path: PathBuf) {
        let lang = self.lang;
        self.spawn(ctx, tr!(lang, "scan.busy.file"), move || {
            let from = path.display().to_string();
            Self::frames_work(lang, from, file::load(&path).map(|f| vec![f]))
        });
    }

    pub fn paste(&mut self, ctx: &egui::Context) {
        let lang = self.lang;
        self.spawn(ctx, tr!(lang, "scan.busy.clipboard"), move || {
            Self::frames_work(
                lang,
                tr!(lang, "scan.from.clipboard"),
                clipboard::image().map(|f| vec![f]),
            )
        });
    }

    fn pick_file(&mut self, ctx: &egui::Context) {
        let lang = self.lang;
        let tx = self.tx.clone();
        let ctx2 = ctx.clone();
        // The native dialog blocks its thread; on macOS it must run on the main thread.
        let pick = move || {
            rfd::FileDialog::new()
                .set_title(tr!(lang, "scan.file_dialog.title"))
                .add_filter(
                    tr!(lang, "scan.file_dialog.pictures"),
                    &["png", "jpg", "jpeg", "webp", "bmp"],
                )
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
                        let found =
                            Self::frames_work(lang, from, file::load(&path).map(|f| vec![f]));
                        let _ = tx.send(found);
                        ctx2.request_repaint();
                    }
                });
        }
    }

    fn list_cameras(&mut self, ctx: &egui::Context) {
        let lang = self.lang;
        self.spawn(ctx, tr!(lang, "scan.busy.cameras"), move || {
            Found::Cameras(webcam::devices().map_err(|e| e.localize(lang)))
        });
    }

    fn start_camera(&mut self, ctx: &egui::Context) {
        let (index, mirror, lang) = (self.chosen_camera, self.mirror, self.lang);
        let repaint = ctx.clone();
        self.camera = None;
        self.spawn(ctx, tr!(lang, "scan.busy.camera"), move || {
            Found::CameraStarted(
                webcam::Camera::open(index, mirror)
                    .map(|camera| {
                        Scanner::start_notifying(camera, looks_like_otpauth, move || {
                            repaint.request_repaint()
                        })
                    })
                    .map_err(|e| e.localize(lang)),
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
        let lang = self.lang;
        if texts.is_empty() {
            self.message = Some((tr!(lang, "scan.nothing_found", from = from), true));
            return ScanOutcome::Keep;
        }
        let mut notes = Vec::new();
        for text in texts {
            match classify(&text) {
                Ok(Payload::Account(uri)) => return ScanOutcome::Review(uri),
                Ok(Payload::Migration(batch)) => {
                    for reason in &batch.skipped {
                        notes.push(tr!(lang, "scan.skipped", reason = reason.localize(lang)));
                    }
                    if let Err(e) = self.collector.add(batch) {
                        notes.push(capitalize(&e.localize(lang)));
                    }
                }
                Ok(Payload::NotAnAccount(what)) => notes.push(capitalize(&what.localize(lang))),
                Err(e) => notes.push(capitalize(&e.localize(lang))),
            }
        }
        if self.collector.is_complete() {
            if let Some(batch) = self.collector.finish() {
                self.picks = batch.accounts.into_iter().map(|uri| (uri, true)).collect();
            }
            self.collector.clear();
        } else if !self.collector.is_empty() {
            notes.push(tr!(
                lang,
                "scan.export_progress",
                progress = progress(lang, &self.collector)
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
        let lang = self.lang;
        super::dialog_width(ui, 460.0);
        ui.heading(tr!(lang, "scan.title"));
        ui.label(tr!(lang, "scan.intro"));
        ui.add_space(4.0);
        let idle = self.busy.is_none();
        ui.horizontal_wrapped(|ui| {
            if ui
                .add_enabled(idle, egui::Button::new(tr!(lang, "scan.screen")))
                .on_hover_text(tr!(lang, "scan.screen_hover"))
                .clicked()
            {
                self.stop_camera();
                self.wants_minimize = true;
                self.capture_screen(&ctx);
            }
            if ui
                .add_enabled(idle, egui::Button::new(tr!(lang, "scan.webcam")))
                .clicked()
            {
                self.list_cameras(&ctx);
            }
            if ui
                .add_enabled(idle, egui::Button::new(tr!(lang, "scan.open_picture")))
                .clicked()
            {
                self.stop_camera();
                self.pick_file(&ctx);
            }
            if ui
                .add_enabled(idle, egui::Button::new(tr!(lang, "scan.paste_picture")))
                .on_hover_text(tr!(lang, "scan.paste_picture_hover"))
                .clicked()
            {
                self.stop_camera();
                self.paste(&ctx);
            }
        });
        ui.label(RichText::new(tr!(lang, "scan.drop_hint")).weak());

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
        if ui.button(tr!(lang, "common.close")).clicked() {
            self.stop_camera();
            return ScanOutcome::Close;
        }
        outcome
    }

    fn camera_ui(&mut self, ui: &mut Ui, ctx: &egui::Context) -> ScanOutcome {
        let lang = self.lang;
        if let Some(Err(why)) = &self.cameras {
            ui.colored_label(ui.visuals().warn_fg_color, capitalize(why));
        }
        let Some(Ok(cameras)) = &self.cameras else {
            return ScanOutcome::Keep;
        };
        if cameras.is_empty() {
            ui.label(tr!(lang, "scan.no_camera"));
            return ScanOutcome::Keep;
        }
        let cameras = cameras.clone();
        ui.horizontal(|ui| {
            let chosen = cameras
                .iter()
                .find(|c| c.index == self.chosen_camera)
                .map_or_else(String::new, |c| c.name.clone());
            egui::ComboBox::from_label(tr!(lang, "scan.camera"))
                .selected_text(chosen)
                .show_ui(ui, |ui| {
                    for camera in &cameras {
                        ui.selectable_value(&mut self.chosen_camera, camera.index, &camera.name);
                    }
                });
            if ui
                .checkbox(&mut self.mirror, tr!(lang, "scan.mirror"))
                .changed()
                && let Some(view) = &self.camera
            {
                view.scanner.set_mirror(self.mirror);
            }
            if self.camera.is_none() {
                if ui
                    .add_enabled(
                        self.busy.is_none(),
                        egui::Button::new(tr!(lang, "scan.start")),
                    )
                    .clicked()
                {
                    self.start_camera(ctx);
                }
            } else if ui.button(tr!(lang, "scan.stop")).clicked() {
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
                ui.label(tr!(lang, "scan.hold_steady"));
                ScanOutcome::Keep
            }
            ScanState::Accepted => {
                let texts: Vec<String> = snapshot.accepted.into_iter().map(|f| f.text).collect();
                self.camera = None; // releases the camera
                self.take_texts(&tr!(lang, "scan.from.camera"), texts)
            }
            ScanState::Failed(why) => {
                let why = tr!(lang, "scan.camera_failed", reason = why);
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
        let lang = self.lang;
        ui.separator();
        ui.label(RichText::new(tr!(lang, "scan.export_accounts")).strong());
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
        let label = tr!(lang, "scan.import", count = chosen.len());
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

/// How far reading a multi-QR export has come.
fn progress(lang: Language, collector: &BatchCollector) -> String {
    let missing = collector.missing();
    match collector.expected() {
        None => tr!(lang, "scan.progress.none"),
        Some(expected) if missing.is_empty() => {
            tr!(lang, "scan.progress.all", expected = expected)
        }
        Some(expected) => {
            let list: Vec<String> = missing.iter().map(|i| (i + 1).to_string()).collect();
            tr!(
                lang,
                "scan.progress.some",
                received = collector.received(),
                expected = expected,
                missing = list.join(", ")
            )
        }
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
