//! The home screen's list: the search field, pinned accounts and one collapsible group per
//! issuer with two or more accounts (a lone account shows its issuer in its row), the
//! selection and its keys, and reordering by drag or Alt+Up/Down.
//!
//! Only the lines in view are drawn (headers and rows have fixed heights, so where each line
//! is can be computed without drawing it): 500 accounts cost no more per frame than ten.

use std::collections::BTreeSet;

use egui::{Key, Modifiers, Rect, RichText, Sense, Ui, UiBuilder, WidgetInfo};
use kunci::accounts::groups::{self, Group, GroupKey, Line};
use kunci::accounts::{Account, AccountId};
use kunci::otp::Secret;
use kunci::settings::Language;

use super::account_row::{DraggedAccount, ROW_HEIGHT, Row, RowAction, RowLook, SecretState};

/// The height of a group's header, in points.
const HEADER_HEIGHT: f32 = 26.0;
/// Space between lines.
const GAP: f32 = 4.0;

/// What the list asks the app to do; moves are already made in the list and only need saving.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListAction {
    /// Copy the account's code (or ask which one, near the end of the period).
    Copy(AccountId),
    CopyNext(AccountId),
    Edit(AccountId),
    TogglePin(AccountId),
    Reenrol(AccountId),
    ShowQr(AccountId),
    Delete(AccountId),
    NextHotp(AccountId),
    /// Save the account's new place in the list.
    Move {
        id: AccountId,
        position: usize,
    },
    /// A group was folded or unfolded: save the settings.
    CollapsedChanged,
}

/// The accounts in list order (as in `accounts.json`), what is searched for and selected.
#[derive(Default)]
pub struct ListView {
    pub rows: Vec<Row>,
    pub search: String,
    /// `None`: the first account in view (Enter copies the best match of a search).
    selected: Option<AccountId>,
    scroll_to_selected: bool,
}

/// The search field's id, so Ctrl+F can focus it.
fn search_id() -> egui::Id {
    egui::Id::unique("account-search")
}

impl ListView {
    /// The accounts as the store opened them; secrets follow.
    pub fn set_accounts(&mut self, accounts: Vec<Account>) {
        self.rows = accounts
            .into_iter()
            .map(|account| Row {
                account,
                secret: SecretState::Loading,
            })
            .collect();
    }

    pub fn row(&self, id: &AccountId) -> Option<&Row> {
        self.rows.iter().find(|r| &r.account.id == id)
    }

    fn row_mut(&mut self, id: &AccountId) -> Option<&mut Row> {
        self.rows.iter_mut().find(|r| &r.account.id == id)
    }

    pub fn set_secret(&mut self, id: &AccountId, secret: SecretState) {
        if let Some(row) = self.row_mut(id) {
            row.secret = secret;
        }
    }

    /// A new account, at the end (where the store put it), selected and scrolled to.
    pub fn push(&mut self, account: Account, secret: Secret) {
        self.selected = Some(account.id.clone());
        self.scroll_to_selected = true;
        self.rows.push(Row {
            account,
            secret: SecretState::Ready(secret),
        });
    }

    pub fn remove(&mut self, id: &AccountId) -> Option<Row> {
        let index = self.rows.iter().position(|r| &r.account.id == id)?;
        Some(self.rows.remove(index))
    }

    /// New metadata for an account (renamed, note, pinned, counter).
    pub fn update(&mut self, account: Account) {
        if let Some(row) = self.row_mut(&account.id) {
            row.account = account;
        }
    }

    /// The order the store saved (which may include other processes' changes); accounts the
    /// store did not list stay at the end.
    pub fn apply_order(&mut self, order: &[AccountId]) {
        let place = |row: &Row| {
            order
                .iter()
                .position(|id| *id == row.account.id)
                .unwrap_or(usize::MAX)
        };
        self.rows.sort_by_cached_key(place);
    }

    /// The search field (in the toolbar).
    pub fn search_ui(&mut self, ui: &mut Ui, lang: Language, width: f32) {
        let search_label = ui.label(tr!(lang, "list.search"));
        let search = ui
            .add(
                egui::TextEdit::singleline(&mut self.search)
                    .id(search_id())
                    .hint_text(tr!(lang, "list.search_hint"))
                    .desired_width(width),
            )
            .labelled_by(search_label.id);
        if search.changed() {
            self.selected = None;
            self.scroll_to_selected = true;
        }
    }

    /// The groups and lines in view: the accounts matching the search, folded groups folded.
    fn layout(&self, collapsed: &BTreeSet<String>) -> (Vec<Group>, Vec<Line>) {
        let needle = self.search.trim().to_lowercase();
        let groups = groups::group(
            self.rows
                .iter()
                .enumerate()
                .filter(|(_, r)| r.account.matches(&needle))
                .map(|(i, r)| (i, &r.account)),
        );
        // While searching every match is shown, folded or not: it is what was asked for.
        let searching = !needle.is_empty();
        let lines = groups::lines(&groups, |key| {
            !searching && collapsed.contains(&key.to_setting())
        });
        (groups, lines)
    }

    /// The selected account's index in `rows`: the chosen one if in view, else the first.
    fn selection(&self, lines: &[Line]) -> Option<usize> {
        let mut in_view = lines.iter().filter_map(|line| match line {
            Line::Account { index, .. } => Some(*index),
            Line::Header { .. } => None,
        });
        let first = in_view.clone().next();
        match &self.selected {
            Some(id) => in_view.find(|&i| &self.rows[i].account.id == id).or(first),
            None => first,
        }
    }

    /// The list, or what to say when there is nothing to list.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        now: u64,
        lang: Language,
        collapsed: &mut BTreeSet<String>,
    ) -> Vec<ListAction> {
        let mut actions = Vec::new();
        let (groups, lines) = self.layout(collapsed);
        if lines.is_empty() {
            ui.label(tr!(lang, "list.no_match", search = self.search.trim()));
            return actions;
        }
        let selection = self.selection(&lines);
        let searching = !self.search.trim().is_empty();
        let height = |line: &Line| match line {
            Line::Header { .. } => HEADER_HEIGHT,
            Line::Account { .. } => ROW_HEIGHT,
        };
        let mut tops = Vec::with_capacity(lines.len());
        let mut total = 0.0;
        for line in &lines {
            tops.push(total);
            total += height(line) + GAP;
        }
        let mut toggled = None;
        let mut dropped = None;
        egui::ScrollArea::vertical()
            .auto_shrink(false)
            .show_viewport(ui, |ui, viewport| {
                ui.set_height(total);
                let origin = ui.max_rect().min;
                let width = ui.available_width();
                let rect_of = |i: usize| {
                    Rect::from_min_size(
                        origin + egui::vec2(0.0, tops[i]),
                        egui::vec2(width, height(&lines[i])),
                    )
                };
                let first = tops.partition_point(|&top| top + ROW_HEIGHT + GAP < viewport.min.y);
                for (i, line) in lines.iter().enumerate().skip(first) {
                    if tops[i] > viewport.max.y {
                        break;
                    }
                    let rect = rect_of(i);
                    match *line {
                        Line::Header { group } => {
                            let group = &groups[group];
                            // While searching, a folded group shows its matches: open.
                            let folded = !searching && collapsed.contains(&group.key.to_setting());
                            let builder = UiBuilder::new()
                                .max_rect(rect)
                                .id_salt(("group", group.key.to_setting()));
                            let clicked = ui
                                .scope_builder(builder, |ui| header_ui(ui, group, folded, lang))
                                .inner;
                            if clicked {
                                toggled = Some(group.key.to_setting());
                            }
                        }
                        Line::Account { group, index } => {
                            let row = &self.rows[index];
                            let look = RowLook {
                                now,
                                selected: selection == Some(index),
                                under_issuer_header: matches!(
                                    groups[group].key,
                                    GroupKey::Issuer(_)
                                ) && groups[group].has_header(),
                                lang,
                            };
                            let builder = UiBuilder::new()
                                .max_rect(rect)
                                .id_salt(row.account.id.as_str());
                            let (action, background) =
                                ui.scope_builder(builder, |ui| row.ui(ui, &look)).inner;
                            if let Some(dragged) = background.dnd_hover_payload::<DraggedAccount>()
                            {
                                self.drop_marker_ui(ui, &dragged.0, index, rect);
                            }
                            if let Some(dragged) =
                                background.dnd_release_payload::<DraggedAccount>()
                            {
                                dropped = Some((dragged.0.clone(), index));
                            }
                            if let Some(action) = action {
                                let id = row.account.id.clone();
                                if action != RowAction::Select {
                                    // Acting on a row selects it, so the keys go on from there.
                                    self.selected = Some(id.clone());
                                }
                                actions.extend(self.row_action(id, action));
                            }
                        }
                    }
                }
                if std::mem::take(&mut self.scroll_to_selected)
                    && let Some(sel) = selection
                    && let Some(i) = lines
                        .iter()
                        .position(|l| matches!(l, Line::Account { index, .. } if *index == sel))
                {
                    ui.scroll_to_rect(rect_of(i), None);
                }
            });
        if let Some(key) = toggled {
            if !collapsed.remove(&key) {
                collapsed.insert(key);
            }
            actions.push(ListAction::CollapsedChanged);
        }
        if let Some((dragged, onto)) = dropped {
            actions.extend(self.drop_onto(&dragged, onto));
        }
        actions
    }

    fn row_action(&mut self, id: AccountId, action: RowAction) -> Option<ListAction> {
        Some(match action {
            RowAction::Select => {
                self.selected = Some(id);
                return None;
            }
            RowAction::Copy => ListAction::Copy(id),
            RowAction::CopyNext => ListAction::CopyNext(id),
            RowAction::Edit => ListAction::Edit(id),
            RowAction::TogglePin => ListAction::TogglePin(id),
            RowAction::Reenrol => ListAction::Reenrol(id),
            RowAction::ShowQr => ListAction::ShowQr(id),
            RowAction::Delete => ListAction::Delete(id),
            RowAction::NextHotp => ListAction::NextHotp(id),
        })
    }

    /// Where a row dragged over the row at `onto` would land: a line above it when it comes
    /// from below, under it when it comes from above; nothing outside its group.
    fn drop_marker_ui(&self, ui: &Ui, dragged: &AccountId, onto: usize, rect: Rect) {
        let Some(from) = self.droppable(dragged, onto) else {
            return;
        };
        let y = if from > onto {
            rect.top() - GAP / 2.0
        } else {
            rect.bottom() + GAP / 2.0
        };
        let stroke = egui::Stroke::new(2.0, ui.visuals().selection.stroke.color);
        ui.painter().hline(rect.x_range(), y, stroke);
    }

    /// A row dropped onto another one of its group takes that one's place.
    fn drop_onto(&mut self, dragged: &AccountId, onto: usize) -> Option<ListAction> {
        let from = self.droppable(dragged, onto)?;
        self.selected = Some(dragged.clone());
        Some(self.move_row(from, onto))
    }

    /// Where the dragged row is, if it may be dropped onto the row at `onto`: another row of
    /// its own group (a row's group comes from its issuer and pin, not from its place).
    fn droppable(&self, dragged: &AccountId, onto: usize) -> Option<usize> {
        let from = self.rows.iter().position(|r| &r.account.id == dragged)?;
        let same_group =
            GroupKey::of(&self.rows[from].account) == GroupKey::of(&self.rows[onto].account);
        (from != onto && same_group).then_some(from)
    }

    /// Moves the row at `from` to `position` (as `AccountList::move_to` does in the store).
    fn move_row(&mut self, from: usize, position: usize) -> ListAction {
        let row = self.rows.remove(from);
        let id = row.account.id.clone();
        self.rows.insert(position.min(self.rows.len()), row);
        self.scroll_to_selected = true;
        ListAction::Move { id, position }
    }

    /// The list's keys (only while no dialog is open): Ctrl+F, Up/Down, Alt+Up/Down, Enter,
    /// Delete.
    pub fn keyboard(
        &mut self,
        ctx: &egui::Context,
        collapsed: &BTreeSet<String>,
    ) -> Vec<ListAction> {
        let mut actions = Vec::new();
        if ctx.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::F)) {
            ctx.memory_mut(|m| m.request_focus(search_id()));
        }
        let (groups, lines) = self.layout(collapsed);
        let Some(current) = self.selection(&lines) else {
            return actions;
        };
        let (move_up, move_down) = ctx.input_mut(|i| {
            (
                i.consume_key(Modifiers::ALT, Key::ArrowUp),
                i.consume_key(Modifiers::ALT, Key::ArrowDown),
            )
        });
        if (move_up || move_down)
            && let Some(neighbour) = groups::neighbour(&groups, current, move_up)
        {
            self.selected = Some(self.rows[current].account.id.clone());
            actions.push(self.move_row(current, neighbour));
            return actions;
        }
        let (up, down, enter) = ctx.input_mut(|i| {
            (
                i.consume_key(Modifiers::NONE, Key::ArrowUp),
                i.consume_key(Modifiers::NONE, Key::ArrowDown),
                i.key_pressed(Key::Enter),
            )
        });
        let accounts: Vec<usize> = lines
            .iter()
            .filter_map(|l| match l {
                Line::Account { index, .. } => Some(*index),
                Line::Header { .. } => None,
            })
            .collect();
        let at = accounts.iter().position(|&i| i == current).unwrap_or(0);
        let target = if up {
            at.saturating_sub(1)
        } else if down {
            (at + 1).min(accounts.len() - 1)
        } else {
            at
        };
        if up || down {
            self.selected = Some(self.rows[accounts[target]].account.id.clone());
            self.scroll_to_selected = true;
        }
        let id = self.rows[accounts[target]].account.id.clone();
        if enter {
            actions.push(ListAction::Copy(id));
        } else if !ctx.egui_wants_keyboard_input()
            && ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Delete))
        {
            actions.push(ListAction::Delete(id));
        }
        actions
    }
}

/// A group's header: a fold toggle, the issuer and how many accounts are in it. True when
/// clicked.
fn header_ui(ui: &mut Ui, group: &Group, folded: bool, lang: Language) -> bool {
    let title = match &group.key {
        GroupKey::Pinned => tr!(lang, "list.group.pinned"),
        GroupKey::NoIssuer => tr!(lang, "list.group.other"),
        GroupKey::Issuer(_) => group.title.clone(),
    };
    ui.horizontal_centered(|ui| {
        let label = if folded {
            tr!(lang, "list.group.expand", name = title)
        } else {
            tr!(lang, "list.group.collapse", name = title)
        };
        let (_, toggle) = ui.allocate_exact_size(egui::vec2(16.0, 16.0), Sense::click());
        let openness = if folded { 0.0 } else { 1.0 };
        egui::containers::collapsing_header::paint_default_icon(ui, openness, &toggle);
        toggle.widget_info(|| WidgetInfo::labeled(egui::Role::Button, true, &label));
        let toggle = toggle.on_hover_text(&label);
        let name = ui.add(
            egui::Label::new(RichText::new(&title).strong())
                .sense(Sense::click())
                .truncate(),
        );
        ui.label(RichText::new(group.members.len().to_string()).weak());
        toggle.clicked() || name.clicked()
    })
    .inner
}
