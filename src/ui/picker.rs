//! The quick picker: the window in a compact mode over whatever the user was doing, brought up
//! by the shortcut, the tray or `kunci pick`. The search field has the focus; typing filters
//! as the main list's search does, Up/Down move, Enter copies the selected code (the next one
//! in the last seconds of a period), Shift+Enter types it into the window the user came from,
//! Esc closes. The account that window's title names is selected first.

use egui::{Key, Modifiers, RichText, Sense, Ui};
use kunci::accounts::{AccountId, named_in_title};
use kunci::desktop::{PreviousWindow, Typing};
use kunci::settings::Language;

use super::account_row::{Row, SecretState, group_digits};
use super::cheap_frames;

/// The picker's size, in points: a search field, six accounts and a line of keys.
pub const PICKER_SIZE: [f32; 2] = [400.0, 330.0];

/// What the person chose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickerOutcome {
    /// Copy this account's code.
    Copy(AccountId),
    /// Type this account's code into the earlier window.
    Type(AccountId),
    /// Leave the picker for the whole window.
    OpenWindow,
    Close,
}

pub struct Picker {
    query: String,
    selected: Option<AccountId>,
    previous: Option<PreviousWindow>,
    /// Whether Shift+Enter can type here (said in the picker before it is pressed).
    typing: Typing,
    focus_search: bool,
    /// Said at the top: why the last Shift+Enter did not type.
    pub notice: Option<String>,
}

impl Picker {
    /// A picker over `previous` (the window that had the focus), preselecting the account its
    /// title names.
    pub fn open(previous: Option<PreviousWindow>, typing: Typing, rows: &[Row]) -> Picker {
        let mut picker = Picker {
            query: String::new(),
            selected: None,
            previous,
            typing,
            focus_search: true,
            notice: None,
        };
        picker.selected = picker.preselected(rows);
        picker
    }

    /// The account the earlier window's title names, if any.
    fn preselected(&self, rows: &[Row]) -> Option<AccountId> {
        let title = self.previous.as_ref()?.title();
        let order = ordered(rows);
        let index = named_in_title(title, order.iter().map(|r| &r.account))?;
        Some(order[index].account.id.clone())
    }

    /// The window the code would be typed into.
    pub fn previous(&self) -> Option<&PreviousWindow> {
        self.previous.as_ref()
    }

    pub fn typing(&self) -> Typing {
        self.typing
    }

    /// Asks for the focus to go to the search field again (the picker came back).
    pub fn refocus(&mut self) {
        self.focus_search = true;
    }

    #[cfg(test)]
    pub fn selected(&self) -> Option<&AccountId> {
        self.selected.as_ref()
    }

    /// Draws the picker over the whole window; returns what was chosen.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        lang: Language,
        rows: &[Row],
        now: u64,
    ) -> Option<PickerOutcome> {
        let needle = self.query.trim().to_lowercase();
        let shown: Vec<&Row> = ordered(rows)
            .into_iter()
            .filter(|r| r.account.matches(&needle))
            .collect();
        if !shown
            .iter()
            .any(|r| Some(&r.account.id) == self.selected.as_ref())
        {
            self.selected = shown.first().map(|r| r.account.id.clone());
        }
        let position = shown
            .iter()
            .position(|r| Some(&r.account.id) == self.selected.as_ref());

        // The keys first, before the search field could take them.
        let (up, down, typed, copied, closed) = ui.input_mut(|i| {
            (
                i.consume_key(Modifiers::NONE, Key::ArrowUp),
                i.consume_key(Modifiers::NONE, Key::ArrowDown),
                i.consume_key(Modifiers::SHIFT, Key::Enter),
                i.consume_key(Modifiers::NONE, Key::Enter),
                i.consume_key(Modifiers::NONE, Key::Escape),
            )
        });
        let mut outcome = None;
        if let Some(at) = position {
            let moved = if up {
                at.checked_sub(1)
            } else if down {
                Some((at + 1).min(shown.len() - 1))
            } else {
                None
            };
            if let Some(to) = moved {
                self.selected = Some(shown[to].account.id.clone());
            }
        }
        let chosen = self.selected.clone();
        if closed {
            outcome = Some(PickerOutcome::Close);
        } else if typed {
            outcome = chosen.clone().map(PickerOutcome::Type);
        } else if copied {
            outcome = chosen.clone().map(PickerOutcome::Copy);
        }

        egui::Panel::bottom("picker-keys")
            .frame(cheap_frames::edge_panel(ui.style()))
            .show(ui, |ui| {
                ui.add_space(4.0);
                ui.label(RichText::new(self.keys_hint(lang)).small().weak());
                ui.horizontal(|ui| {
                    if ui
                        .small_button(tr!(lang, "quick.picker.open_window"))
                        .clicked()
                    {
                        outcome = Some(PickerOutcome::OpenWindow);
                    }
                });
                ui.add_space(2.0);
            });
        cheap_frames::central_panel(ui, |ui| {
            if let Some(notice) = &self.notice {
                ui.colored_label(ui.visuals().warn_fg_color, notice);
            }
            let search = ui.add(
                egui::TextEdit::singleline(&mut self.query)
                    .hint_text(tr!(lang, "quick.picker.search_hint"))
                    .desired_width(f32::INFINITY),
            );
            search.widget_info(|| {
                egui::WidgetInfo::labeled(
                    egui::Role::TextInput,
                    true,
                    tr!(lang, "quick.picker.search_label"),
                )
            });
            if std::mem::take(&mut self.focus_search) {
                search.request_focus();
            }
            ui.add_space(4.0);
            if shown.is_empty() {
                let text = if rows.is_empty() {
                    tr!(lang, "quick.picker.no_accounts")
                } else {
                    tr!(lang, "quick.picker.no_match", search = self.query.trim())
                };
                ui.label(text);
                return;
            }
            egui::ScrollArea::vertical().show(ui, |ui| {
                for row in &shown {
                    let selected = Some(&row.account.id) == self.selected.as_ref();
                    let response = row_ui(ui, row, selected, now, lang);
                    if selected && (up || down) {
                        response.scroll_to_me(None);
                    }
                    if response.double_clicked() {
                        outcome = Some(PickerOutcome::Copy(row.account.id.clone()));
                    } else if response.clicked() {
                        self.selected = Some(row.account.id.clone());
                    }
                }
            });
        });
        outcome
    }

    /// "Enter copies · Shift+Enter types into … · Esc closes", saying when typing cannot work.
    fn keys_hint(&self, lang: Language) -> String {
        let shift_enter = match (self.typing, &self.previous) {
            (Typing::Possible, Some(window)) if !window.title().trim().is_empty() => tr!(
                lang,
                "quick.picker.keys_type_into",
                title = shorten(window.title(), 40)
            ),
            (Typing::Possible, Some(_)) => tr!(lang, "quick.picker.keys_type"),
            (Typing::Possible, None) => tr!(lang, "quick.picker.keys_no_window"),
            (Typing::NotOnWayland, _) => tr!(lang, "quick.picker.keys_wayland"),
            (Typing::NeedsPermission, _) => tr!(lang, "quick.picker.keys_permission"),
            (Typing::NoDesktop, _) => tr!(lang, "quick.picker.keys_no_window"),
        };
        tr!(lang, "quick.picker.keys", shift_enter = shift_enter)
    }
}

/// Pinned accounts first, then the others, each in list order.
fn ordered(rows: &[Row]) -> Vec<&Row> {
    let (pinned, others): (Vec<&Row>, Vec<&Row>) = rows.iter().partition(|r| r.account.pinned);
    pinned.into_iter().chain(others).collect()
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut short: String = text.chars().take(max.saturating_sub(1)).collect();
        short.push('…');
        short
    }
}

/// One account: its names on the left, its code and the seconds left on the right.
fn row_ui(ui: &mut Ui, row: &Row, selected: bool, now: u64, lang: Language) -> egui::Response {
    let account = &row.account;
    let name = account.display_name();
    let code = match &row.secret {
        SecretState::Ready(_) => row
            .code(now)
            .map(|c| group_digits(&c))
            .unwrap_or_else(|| "—".into()),
        SecretState::Loading => "…".into(),
        SecretState::Failed(_) => "⚠".into(),
    };
    let height = 30.0;
    let (rect, response) =
        ui.allocate_exact_size(egui::vec2(ui.available_width(), height), Sense::click());
    let label = tr!(lang, "quick.picker.row", name = name);
    response.widget_info(|| egui::WidgetInfo::selected(egui::Role::Button, true, selected, &label));
    if ui.is_rect_visible(rect) {
        let visuals = ui.visuals();
        if selected {
            ui.painter()
                .rect_filled(rect, 4.0, visuals.selection.bg_fill.gamma_multiply(0.5));
        } else if response.hovered() {
            ui.painter().rect_filled(rect, 4.0, visuals.faint_bg_color);
        }
        let text_color = visuals.text_color();
        let inner = rect.shrink2(egui::vec2(8.0, 0.0));
        let code_galley = ui.painter().layout_no_wrap(
            code,
            egui::FontId::monospace(17.0),
            visuals.strong_text_color(),
        );
        let code_pos = egui::pos2(
            inner.right() - code_galley.size().x,
            inner.center().y - code_galley.size().y / 2.0,
        );
        let name_width = (inner.width() - code_galley.size().x - 12.0).max(20.0);
        let mut job = egui::text::LayoutJob::simple_singleline(
            name,
            egui::FontId::proportional(14.0),
            text_color,
        );
        job.wrap = egui::text::TextWrapping::truncate_at_width(name_width);
        let name_galley = ui.painter().layout_job(job);
        let name_pos = egui::pos2(inner.left(), inner.center().y - name_galley.size().y / 2.0);
        ui.painter().galley(name_pos, name_galley, text_color);
        ui.painter().galley(code_pos, code_galley, text_color);
    }
    response
}
