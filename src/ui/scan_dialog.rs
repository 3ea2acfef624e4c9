//! The Scan dialog: find the enrolment QR code on the screen, through a webcam, in an image
//! file or on the clipboard, and say what it holds. Capturing, decoding and starting the camera
//! are jobs; the webcam's own scanner thread wakes the UI with each frame.

use std::path::PathBuf;
use std::time::Duration;

use egui::{Color32, ColorImage, RichText, Stroke, TextureHandle, TextureOptions, Ui};
use kunci::otp::OtpUri;
use kunci::otp::migration::BatchCollector;
use kunci::scan::payload::{Payload, classify};
use kunci::scan::scanner::{ScanState, Scanner, looks_like_otpauth};
use kunci::scan::webcam::{self, CameraInfo};
use kunci::scan::{GrayImage, ScanError, clipboard, decode, file, screen};

use super::command::Command;
use super::job::Job;
use crate::i18n::{Language, Localize};

/// Work done off the UI thread, reported back.
enum WorkDone {
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
    /// The work in progress, and what it is (shown beside the spinner).
    work: Option<(String, Job<WorkDone>)>,
    /// The native file dialog, while it is open.
    picking: Option<Job<Option<PathBuf>>>,
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
        ScanDialog {
            lang,
            work: None,
            picking: None,
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
    /// Runs `work` as a job; `what` says what it is while it runs.
    fn spawn(
        &mut self,
        ctx: &egui::Context,
        what: String,
        work: impl FnOnce() -> WorkDone + Send + 'static,
    ) {
        self.message = None;
        self.work = Some((what, Job::spawn(ctx, "scan", work)));
    }

    /// `from` names where the frames came from ("the screen"), in the dialog's language.
    fn frames_work(
        lang: Language,
        from: String,
        frames: Result<Vec<GrayImage>, ScanError>,
    ) -> WorkDone {
        match frames {
            Ok(frames) => WorkDone::Texts {
                from,
                texts: texts_in(&frames),
            },
            Err(e) => WorkDone::Failed(e.localize(lang)),
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
        let (title, pictures) = (
            tr!(self.lang, "scan.file_dialog.title"),
            tr!(self.lang, "scan.file_dialog.pictures"),
        );
        self.picking = Some(Job::pick(ctx, move || {
            rfd::FileDialog::new()
                .set_title(title)
                .add_filter(pictures, &["png", "jpg", "jpeg", "webp", "bmp"])
                .pick_file()
        }));
    }

    fn list_cameras(&mut self, ctx: &egui::Context) {
        let lang = self.lang;
        self.spawn(ctx, tr!(lang, "scan.busy.cameras"), move || {
            WorkDone::Cameras(webcam::devices().map_err(|e| e.localize(lang)))
        });
    }

    fn start_camera(&mut self, ctx: &egui::Context) {
        let (index, mirror, lang) = (self.chosen_camera, self.mirror, self.lang);
        let repaint = ctx.clone();
        self.camera = None;
        self.spawn(ctx, tr!(lang, "scan.busy.camera"), move || {
            WorkDone::CameraStarted(
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
        self.work.is_some() || self.picking.is_some()
    }

    /// Stops the camera (it is released at once).
    pub fn stop_camera(&mut self) {
        self.camera = None;
    }

    /// Turns decoded texts into a command, a list to pick from, or a message.
    fn take_texts(&mut self, from: &str, texts: Vec<String>) -> Option<Command> {
        let lang = self.lang;
        if texts.is_empty() {
            self.message = Some((tr!(lang, "scan.nothing_found", from = from), true));
            return None;
        }
        let mut notes = Vec::new();
        for text in texts {
            match classify(&text) {
                Ok(Payload::Account(uri)) => return Some(Command::Review(uri)),
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
        None
    }

    /// Moves the picker and the work on.
    fn poll(&mut self, ctx: &egui::Context) -> Option<Command> {
        if let Some(picked) = self.picking.as_ref().and_then(Job::poll) {
            self.picking = None;
            if let Some(path) = picked.flatten() {
                self.open_file(ctx, path);
            }
        }
        let found = self.work.as_ref().and_then(|(_, job)| job.poll())?;
        self.work = None;
        match found.unwrap_or_else(|| WorkDone::Failed(tr!(self.lang, "common.failed"))) {
            WorkDone::Texts { from, texts } => return self.take_texts(&from, texts),
            WorkDone::Failed(why) => self.message = Some((capitalize(&why), true)),
            WorkDone::Cameras(list) => {
                if let Ok(cameras) = &list {
                    self.chosen_camera = cameras.first().map_or(0, |c| c.index);
                }
                self.cameras = Some(list);
            }
            WorkDone::CameraStarted(Ok(scanner)) => {
                self.camera = Some(CameraView {
                    scanner,
                    texture: None,
                    shown_frame: u64::MAX,
                })
            }
            WorkDone::CameraStarted(Err(why)) => self.message = Some((capitalize(&why), true)),
        }
        None
    }

    pub fn ui(&mut self, ui: &mut Ui) -> Option<Command> {
        let ctx = ui.ctx().clone();
        if let Some(command) = self.poll(&ctx) {
            return Some(command);
        }
        let lang = self.lang;
        super::dialog_width(ui, 460.0);
        ui.heading(tr!(lang, "scan.title"));
        ui.label(tr!(lang, "scan.intro"));
        ui.add_space(4.0);
        let idle = !self.is_busy();
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

        if let Some((what, _)) = &self.work {
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
        if outcome.is_none() {
            outcome = self.picks_ui(ui);
        }
        ui.separator();
        if ui.button(tr!(lang, "common.close")).clicked() {
            self.stop_camera();
            return Some(Command::CloseDialog);
        }
        outcome
    }

    fn camera_ui(&mut self, ui: &mut Ui, ctx: &egui::Context) -> Option<Command> {
        let lang = self.lang;
        if let Some(Err(why)) = &self.cameras {
            ui.colored_label(ui.visuals().warn_fg_color, capitalize(why));
        }
        let Some(Ok(cameras)) = &self.cameras else {
            return None;
        };
        if cameras.is_empty() {
            ui.label(tr!(lang, "scan.no_camera"));
            return None;
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
                    .add_enabled(!self.is_busy(), egui::Button::new(tr!(lang, "scan.start")))
                    .clicked()
                {
                    self.start_camera(ctx);
                }
            } else if ui.button(tr!(lang, "scan.stop")).clicked() {
                self.stop_camera();
            }
        });
        let Some(view) = &mut self.camera else {
            return None;
        };
        let snapshot = view.scanner.snapshot();
        if let Some(frame) = &snapshot.preview
            && snapshot.preview_number != view.shown_frame
        {
            let image = preview_image(frame, ctx.input(|i| i.max_texture_side));
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
                None
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
                None
            }
            _ => {
                self.camera = None;
                None
            }
        }
    }

    fn picks_ui(&mut self, ui: &mut Ui) -> Option<Command> {
        if self.picks.is_empty() {
            return None;
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
            return Some(Command::ImportScanned(chosen));
        }
        None
    }
}

/// A camera frame as a texture egui takes: egui refuses (panics on) a side longer than the
/// painter's limit, and a camera may send larger frames than that (Kunci lowers the limit to
/// [`super::cheap_frames::MAX_TEXTURE_SIDE`]). The preview is shown far smaller anyway; the
/// codes' outlines are placed by the frame's own size, not the texture's.
fn preview_image(frame: &GrayImage, max_side: usize) -> ColorImage {
    let (width, height) = (frame.width() as usize, frame.height() as usize);
    let longest = width.max(height);
    if longest <= max_side {
        return ColorImage::from_gray([width, height], frame.as_raw());
    }
    let scale = |side: usize| ((side * max_side / longest).max(1)) as u32;
    let smaller = image::imageops::thumbnail(frame, scale(width), scale(height));
    ColorImage::from_gray(
        [smaller.width() as usize, smaller.height() as usize],
        smaller.as_raw(),
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camera_previews_fit_the_largest_texture() {
        let frame = GrayImage::from_fn(5000, 2000, |x, _| image::Luma([(x % 251) as u8]));
        let image = preview_image(&frame, 4096);
        assert_eq!(image.size, [4096, 1638]);
        // Small enough: every pixel as it came.
        let frame = GrayImage::from_fn(1280, 720, |x, y| image::Luma([((x + y) % 251) as u8]));
        let image = preview_image(&frame, 4096);
        assert_eq!(image.size, [1280, 720]);
        assert_eq!(image.pixels[1281], Color32::from_gray(2), "pixel (1, 1)");
        // A sliver is never scaled to nothing.
        let image = preview_image(&GrayImage::new(9000, 1), 4096);
        assert_eq!(image.size, [4096, 1]);
    }
}
