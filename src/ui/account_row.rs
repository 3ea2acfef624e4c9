//! One account in the list: names, the code in large digits (and the next one near the end of
//! its period), the countdown, a drag handle and the row menu. Drawn in a fixed height so the
//! list can skip the rows that are out of view.

use egui::emath::GuiRounding as _;
use egui::{Align, Layout, Response, RichText, Sense, Ui, WidgetInfo};
use kunci::accounts::{Account, AccountId};
use kunci::otp::{self, Kind, Secret};
use kunci::settings::Language;

use super::countdown::Countdown;

/// The height of every account row, in points.
pub const ROW_HEIGHT: f32 = 58.0;

/// In the last seconds of a period the next code is shown too, and copying asks which one:
/// a code copied now may expire before the sign-in page checks it.
pub const NEXT_CODE_SECONDS: u64 = 5;

/// What the user did with a row this frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowAction {
    /// Clicked the row itself.
    Select,
    /// Copy the code (or ask which one, near the end of the period).
    Copy,
    /// Clicked the next code shown beside the current one.
    CopyNext,
    Edit,
    TogglePin,
    Reenrol,
    /// Show the account as a QR code (to move it to another device).
    ShowQr,
    Delete,
    NextHotp,
}

/// The dragged account, as the drag-and-drop payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraggedAccount(pub AccountId);

/// An account as the window holds it: its metadata and, once loaded, its secret.
pub struct Row {
    pub account: Account,
    pub secret: SecretState,
}

pub enum SecretState {
    Loading,
    Ready(Secret),
    Failed(String),
}

/// How a row is drawn this frame.
pub struct RowLook {
    pub now: u64,
    pub selected: bool,
    /// Under its issuer's header the issuer is already shown, so the row shows the label first
    /// (a lone account of its issuer has no header: its row shows the issuer).
    pub under_issuer_header: bool,
    pub lang: Language,
}

/// Groups digits for reading aloud and typing: "123 456", "1234 5678", "123 4567".
pub fn group_digits(code: &str) -> String {
    let split = code.len() / 2;
    if code.len() < 6 || !code.is_ascii() {
        return code.to_string();
    }
    format!("{} {}", &code[..split], &code[split..])
}

impl Row {
    /// The current code, if the secret is loaded.
    pub fn code(&self, now: u64) -> Option<String> {
        match &self.secret {
            SecretState::Ready(secret) => otp::generate(secret, &self.account.params, now).ok(),
            _ => None,
        }
    }

    /// The code of the next period, shown in the last [`NEXT_CODE_SECONDS`] of this one
    /// (TOTP only).
    pub fn next_code(&self, now: u64) -> Option<String> {
        let params = &self.account.params;
        if params.kind != Kind::Totp || params.seconds_left(now) > NEXT_CODE_SECONDS {
            return None;
        }
        self.code(now + params.seconds_left(now))
    }

    /// The first line and, outside an issuer's group, the label under the issuer.
    fn title(&self, under_issuer_header: bool) -> (&str, Option<&str>) {
        let Account { issuer, label, .. } = &self.account;
        match (issuer.is_empty(), label.is_empty()) {
            (false, false) if under_issuer_header => (label, None),
            (false, false) => (issuer, Some(label)),
            (false, true) => (issuer, None),
            (true, false) => (label, None),
            (true, true) => (self.account.id.as_str(), None),
        }
    }

    /// Draws the row into `ui` (sized by the list to [`ROW_HEIGHT`]). Returns what was done
    /// and the row's background, where other rows can be dropped.
    pub fn ui(&self, ui: &mut Ui, look: &RowLook) -> (Option<RowAction>, Response) {
        let RowLook {
            now,
            selected,
            under_issuer_header,
            lang,
        } = *look;
        let account = &self.account;
        let name = account.display_name();
        let mut action = None;
        let rect = ui.max_rect();
        // The background first, so that the controls drawn over it get their clicks.
        let background = ui.interact(rect, ui.scope_id().with("row"), Sense::click());
        // Labels and hover texts are made only when asked for (a screen reader, a hover):
        // a frame that only moves the countdowns makes none.
        background.widget_info(|| {
            WidgetInfo::labeled(
                egui::Role::Button,
                true,
                tr!(lang, "list.row.select", name = name),
            )
        });
        if background.clicked() {
            action = Some(RowAction::Select);
        }
        let fill = if selected {
            ui.visuals().selection.bg_fill.gamma_multiply(0.35)
        } else {
            ui.visuals().faint_bg_color
        };
        // The row lies on the panel: blended over it once here, the fill is opaque and looks
        // the same.
        let fill = ui.visuals().panel_fill.blend(fill);
        let on_pixels = rect.round_to_pixels(ui.pixels_per_point());
        ui.painter().add(rounded_fill(on_pixels, 4.0, fill));
        background.context_menu(|ui| {
            if let Some(chosen) = self.menu_items(ui, lang) {
                action = Some(chosen);
            }
        });

        // Right to left: the menu, countdown and code keep their room; the names get the
        // rest and are cut short when they do not fit.
        ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
            ui.add_space(2.0);
            let menu = ui.menu_button("…", |ui| self.menu_items(ui, lang));
            if let Some(Some(chosen)) = menu.inner {
                action = Some(chosen);
            }
            let menu_label = || tr!(lang, "list.menu.label", name = name);
            menu.response
                .widget_info(|| WidgetInfo::labeled(egui::Role::Button, true, menu_label()));
            menu.response.on_hover_ui(|ui| {
                ui.label(menu_label());
            });

            match account.params.kind {
                Kind::Totp => {
                    let period = u64::from(account.params.period);
                    ui.add(Countdown::new(account.params.seconds_left(now), period).language(lang));
                }
                Kind::Hotp => {
                    if ui
                        .button(tr!(lang, "list.hotp_next"))
                        .on_hover_text(tr!(lang, "list.hotp_next_hint"))
                        .clicked()
                    {
                        action = Some(RowAction::NextHotp);
                    }
                }
            }
            self.code_ui(ui, now, lang, &mut action);
            ui.with_layout(Layout::left_to_right(Align::Center), |ui| {
                ui.add_space(2.0);
                let handle = grip(ui).on_hover_ui(|ui| {
                    ui.label(tr!(lang, "list.drag_hint"));
                });
                handle.widget_info(|| {
                    WidgetInfo::labeled(
                        egui::Role::Button,
                        true,
                        tr!(lang, "list.drag_handle", name = name),
                    )
                });
                handle.dnd_set_drag_payload(DraggedAccount(account.id.clone()));

                let (title, second) = self.title(under_issuer_header);
                let two_lines = second.is_some() || !account.note.is_empty();
                // The names are not selectable text, so that clicks on them reach the row
                // (select, right-click menu).
                ui.vertical(|ui| {
                    // One line sits in the middle of the row, two share it.
                    ui.add_space(if two_lines { 8.0 } else { 18.0 });
                    ui.add(
                        egui::Label::new(RichText::new(title).strong())
                            .truncate()
                            .selectable(false),
                    );
                    ui.horizontal(|ui| {
                        if let Some(second) = second {
                            ui.add(
                                egui::Label::new(RichText::new(second).weak())
                                    .truncate()
                                    .selectable(false),
                            );
                        }
                        if !account.note.is_empty() {
                            ui.add(
                                egui::Label::new(RichText::new(&account.note).weak().italics())
                                    .truncate()
                                    .selectable(false),
                            );
                        }
                    });
                });
            });
        });
        (action, background)
    }

    /// The row menu (the "…" button and a right click): what was chosen.
    fn menu_items(&self, ui: &mut Ui, lang: Language) -> Option<RowAction> {
        let code_ready = matches!(self.secret, SecretState::Ready(_));
        let copy = egui::Button::new(tr!(lang, "list.menu.copy"));
        if ui.add_enabled(code_ready, copy).clicked() {
            return Some(RowAction::Copy);
        }
        if ui.button(tr!(lang, "list.menu.edit")).clicked() {
            return Some(RowAction::Edit);
        }
        let pin = if self.account.pinned {
            tr!(lang, "list.menu.unpin")
        } else {
            tr!(lang, "list.menu.pin")
        };
        if ui.button(pin).clicked() {
            return Some(RowAction::TogglePin);
        }
        if ui.button(tr!(lang, "list.menu.reenrol")).clicked() {
            return Some(RowAction::Reenrol);
        }
        let qr = egui::Button::new(tr!(lang, "transfer.menu.show_qr"));
        if ui.add_enabled(code_ready, qr).clicked() {
            return Some(RowAction::ShowQr);
        }
        ui.separator();
        ui.button(tr!(lang, "list.menu.delete"))
            .clicked()
            .then_some(RowAction::Delete)
    }

    /// The next code, in the last seconds of a period: small and captioned, so it is never
    /// taken for the code to type now.
    fn next_code_ui(
        &self,
        ui: &mut Ui,
        next: &str,
        lang: Language,
        action: &mut Option<RowAction>,
    ) {
        let column = egui::vec2(76.0, ROW_HEIGHT - 8.0);
        let layout = Layout::top_down(Align::Center);
        ui.allocate_ui_with_layout(column, layout, |ui| {
            ui.add_space(6.0);
            ui.label(RichText::new(tr!(lang, "list.next_caption")).small().weak());
            let digits = group_digits(next);
            let text = RichText::new(&digits).monospace().size(15.0).weak();
            // A clickable label, not a frameless button: a button egui has not seen in the
            // pass before asks for two more frames (to learn its hover state), and this one
            // is new in every row five seconds before each new code.
            let next_button = ui
                .add(
                    egui::Label::new(text)
                        .sense(Sense::click())
                        .selectable(false),
                )
                .on_hover_text(tr!(lang, "list.copy_next_hint"));
            next_button.widget_info(|| WidgetInfo::labeled(egui::Role::Button, true, &digits));
            if next_button.clicked() {
                *action = Some(RowAction::CopyNext);
            }
        });
    }

    /// The code (right to left: the next code, then the current one), or why there is none.
    fn code_ui(&self, ui: &mut Ui, now: u64, lang: Language, action: &mut Option<RowAction>) {
        match &self.secret {
            SecretState::Loading => {
                ui.spinner()
                    .on_hover_text(tr!(lang, "list.reading_keychain"));
            }
            SecretState::Failed(why) => {
                ui.colored_label(ui.visuals().error_fg_color, "⚠")
                    .on_hover_text(why);
            }
            SecretState::Ready(_) => {
                // The next code's column takes one id from the row whether it shows or not,
                // so the widgets after it keep theirs when it goes: egui draws a widget it
                // has not seen before twice more (to style it), which a new code would
                // otherwise cost every row.
                if let Some(next) = self.next_code(now) {
                    ui.push_id("next-code", |ui| self.next_code_ui(ui, &next, lang, action));
                } else {
                    ui.skip_ahead_auto_ids(1);
                }
                if let Some(code) = self.code(now) {
                    let text = RichText::new(group_digits(&code)).monospace().size(26.0);
                    let copy = ui
                        .add(egui::Button::new(text).frame(false))
                        .on_hover_ui(|ui| {
                            ui.label(tr!(lang, "list.copy_hint"));
                        });
                    if copy.clicked() {
                        *action = Some(RowAction::Copy);
                    }
                }
            }
        }
    }
}

/// A filled rectangle with rounded corners, as egui's `rect_filled` draws it but cut into
/// rectangles and four small corner fans. egui fans the whole shape out from one corner, in
/// long thin triangles across the row; a software rasterizer (llvmpipe, on machines without a
/// GPU driver) pays for those by the pixel many times over, and this was a large part of a
/// frame's cost. `rect` should lie on whole pixels: its straight edges are not feathered.
fn rounded_fill(rect: egui::Rect, radius: f32, color: egui::Color32) -> egui::Mesh {
    use egui::{Pos2, Rect, pos2, vec2};
    let r = radius
        .min(rect.width() / 2.0)
        .min(rect.height() / 2.0)
        .max(0.0);
    // Three rectangles and four corners of STEPS triangles: sized once, as this runs for
    // every row in every frame.
    const STEPS: u32 = 4;
    let mut mesh = egui::Mesh::default();
    mesh.vertices.reserve(3 * 4 + 4 * (STEPS as usize + 2));
    mesh.indices.reserve(3 * 6 + 4 * STEPS as usize * 3);
    // The middle column, full height; the left and right columns between the corners.
    let middle = Rect::from_min_max(
        pos2(rect.left() + r, rect.top()),
        pos2(rect.right() - r, rect.bottom()),
    );
    mesh.add_colored_rect(middle, color);
    for x in [rect.left(), rect.right() - r] {
        let side = Rect::from_min_size(pos2(x, rect.top() + r), vec2(r, rect.height() - 2.0 * r));
        mesh.add_colored_rect(side, color);
    }
    if r <= 0.0 {
        return mesh;
    }
    // Each corner: a quarter disc around its centre, in a few steps (the radius is small).
    let corners = [
        (pos2(rect.left() + r, rect.top() + r), std::f32::consts::PI),
        (
            pos2(rect.right() - r, rect.top() + r),
            1.5 * std::f32::consts::PI,
        ),
        (pos2(rect.right() - r, rect.bottom() - r), 0.0),
        (
            pos2(rect.left() + r, rect.bottom() - r),
            0.5 * std::f32::consts::PI,
        ),
    ];
    for (centre, start) in corners {
        let first = mesh.vertices.len() as u32;
        mesh.colored_vertex(centre, color);
        for i in 0..=STEPS {
            let angle = start + std::f32::consts::FRAC_PI_2 * i as f32 / STEPS as f32;
            let at: Pos2 = centre + r * vec2(angle.cos(), angle.sin());
            mesh.colored_vertex(at, color);
        }
        for i in 0..STEPS {
            mesh.add_triangle(first, first + 1 + i, first + 2 + i);
        }
    }
    mesh
}

/// The drag handle: two columns of dots.
fn grip(ui: &mut Ui) -> Response {
    let (rect, response) = ui.allocate_exact_size(egui::vec2(12.0, 24.0), Sense::drag());
    let response = response.on_hover_cursor(egui::CursorIcon::Grab);
    if ui.is_rect_visible(rect) {
        let color = ui.style().interact(&response).fg_stroke.color;
        for column in [-2.5, 2.5] {
            for row in [-6.0, 0.0, 6.0] {
                let center = rect.center() + egui::vec2(column, row);
                // 1.8, not 1.5: tessellated (`cheap_frames`), the dots keep the weight the
                // pre-drawn discs gave them.
                ui.painter().circle_filled(center, 1.8, color);
            }
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use kunci::otp::Params;

    #[test]
    fn a_rounded_fill_has_its_corners_on_the_circles() {
        let rect = egui::Rect::from_min_max(egui::pos2(10.0, 20.0), egui::pos2(110.0, 80.0));
        let mesh = rounded_fill(rect, 4.0, egui::Color32::RED);
        assert_eq!(mesh.indices.len(), 3 * 6 + 4 * 4 * 3);
        // Every vertex is within the rectangle; the corner fans' rims are 4 from their centres.
        let centres = [(14.0, 24.0), (106.0, 24.0), (106.0, 76.0), (14.0, 76.0)];
        for (corner, &(cx, cy)) in centres.iter().enumerate() {
            let fan = &mesh.vertices[12 + corner * 6..12 + (corner + 1) * 6];
            assert_eq!(fan[0].pos, egui::pos2(cx, cy));
            for v in &fan[1..] {
                assert!(rect.expand(1e-4).contains(v.pos), "{:?}", v.pos);
                let r = (v.pos - egui::pos2(cx, cy)).length();
                assert!((r - 4.0).abs() < 1e-4, "corner {corner}: {r}");
                // Each fan lies in its own corner of the rectangle.
                assert!((v.pos.x - cx) * (cx - 60.0) >= -1e-4, "corner {corner}");
                assert!((v.pos.y - cy) * (cy - 50.0) >= -1e-4, "corner {corner}");
            }
        }
    }

    #[test]
    fn digits_are_grouped_for_reading() {
        assert_eq!(group_digits("123456"), "123 456");
        assert_eq!(group_digits("1234567"), "123 4567");
        assert_eq!(group_digits("12345678"), "1234 5678");
    }

    #[test]
    fn the_next_code_appears_in_the_last_seconds() {
        let row = Row {
            account: Account {
                id: AccountId::random(),
                issuer: "GitHub".into(),
                label: "ada".into(),
                params: Params::default(),
                added: 0,
                note: String::new(),
                pinned: false,
            },
            secret: SecretState::Ready(kunci::otp::parse_setup_key("JBSWY3DPEHPK3PXP").unwrap()),
        };
        assert_eq!(row.next_code(54), None, "6 s left");
        assert_eq!(row.next_code(55), row.code(60), "5 s left");
        assert_eq!(row.next_code(59), row.code(60));
        assert_ne!(row.code(59), row.code(60));
    }
}
