//! The accounts list and what reaches it: clicks and keys on rows, scanned accounts to review,
//! and files or pictures dropped onto the window.

use super::*;

impl KunciApp {
    /// How a scanned account relates to those in the list (secrets already loaded).
    fn existing(&self, uri: &OtpUri) -> Existing {
        existing_in(&self.list, uri)
    }

    /// A scanned account: review it in the Add dialog, or offer to re-enrol a known one.
    pub(super) fn review(&mut self, uri: OtpUri) {
        match self.existing(&uri) {
            Existing::Duplicate(account) => {
                self.dialog = Dialog::None;
                self.show_toast(tr!(
                    self.lang,
                    "ui.toast.already_there",
                    name = account.display_name()
                ));
            }
            Existing::NewSecret(account) => {
                self.dialog = Dialog::Reenrol(ReenrolDialog::confirm(account, uri))
            }
            Existing::New => self.dialog = Dialog::Add(AddDialog::from_uri(&uri, self.lang)),
        }
    }

    /// Picture files dropped onto the window, and Ctrl+V with nothing to paste text into,
    /// go to the Scan dialog; other dropped files (exports, backups) to the Import dialog.
    pub(super) fn drops_and_paste(&mut self, ctx: &egui::Context) {
        if !matches!(self.phase, Phase::Open) {
            return;
        }
        let dropped = ctx.input(|i| i.raw.dropped_files.clone());
        let typing = ctx.memory(|m| m.focused().is_some());
        let paste = !typing
            && ctx.input(|i| {
                i.events.iter().any(|e| {
                    matches!(e, egui::Event::Key { key: Key::V, pressed: true, modifiers, .. } if modifiers.command)
                        || matches!(e, egui::Event::Paste(_))
                })
            });
        if dropped.is_empty() && !paste {
            return;
        }
        if let Some(file) = dropped.first().filter(|f| !is_picture(f.path())) {
            if !matches!(self.dialog, Dialog::Import(_)) {
                if !matches!(self.dialog, Dialog::None) {
                    return;
                }
                self.dialog = Dialog::Import(Box::new(ImportDialog::new(self.lang)));
            }
            if let Dialog::Import(import) = &mut self.dialog {
                import.open_file(ctx, file.path().to_path_buf());
            }
            return;
        }
        if !matches!(self.dialog, Dialog::Scan(_)) {
            if !matches!(self.dialog, Dialog::None) {
                return;
            }
            self.dialog = Dialog::Scan(Box::new(ScanDialog::new(self.lang)));
        }
        let Dialog::Scan(scan) = &mut self.dialog else {
            return;
        };
        if let Some(file) = dropped.into_iter().next() {
            scan.open_file(ctx, file.path().to_path_buf());
        } else if paste {
            scan.paste(ctx);
        }
    }

    pub(super) fn list_ui(&mut self, ui: &mut Ui, now: u64) -> Vec<Command> {
        if self.list.rows.is_empty() {
            let mut commands: Vec<Command> = self.earlier_lists_ui(ui).into_iter().collect();
            commands.extend(crate::ui::help::empty_state_ui(ui, self.lang));
            return commands;
        }
        let collapsed = &mut self.settings.collapsed_groups;
        let actions = self.list.ui(ui, now, self.lang, collapsed);
        actions
            .into_iter()
            .filter_map(|action| self.list_command(action, now))
            .collect()
    }

    /// Shortcuts while no dialog is open: Ctrl+N here, the list's own keys in the list.
    pub(super) fn keyboard(&mut self, ctx: &egui::Context, now: u64) -> Vec<Command> {
        if !matches!(self.dialog, Dialog::None) || !matches!(self.phase, Phase::Open) {
            return Vec::new();
        }
        if ctx.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, Key::N)) {
            return vec![Command::Show(Screen::Add)];
        }
        let actions = self.list.keyboard(ctx, &self.settings.collapsed_groups);
        actions
            .into_iter()
            .filter_map(|action| self.list_command(action, now))
            .collect()
    }

    /// The accounts of other lists in the keychain, offered back (the list's file may have been
    /// lost with its backup).
    fn earlier_lists_ui(&mut self, ui: &mut Ui) -> Option<Command> {
        let lang = self.lang;
        let mut command = None;
        for earlier in &self.earlier_lists {
            egui::Frame::group(ui.style())
                .fill(ui.visuals().warn_fg_color.gamma_multiply(0.15))
                .show(ui, |ui| {
                    ui.set_width(ui.available_width());
                    ui.label(tr!(lang, "ui.recover.found", count = earlier.accounts));
                    if ui.button(tr!(lang, "ui.recover.button")).clicked() {
                        command = Some(Command::Request(Request::RecoverList(
                            earlier.vault.clone(),
                        )));
                    }
                });
        }
        if command.is_some() {
            self.earlier_lists.clear();
        }
        command
    }

    /// What a row, its menu or a key asked for, as a command.
    fn list_command(&mut self, action: ListAction, now: u64) -> Option<Command> {
        Some(match action {
            ListAction::Copy(id) => {
                let row = self.list.row(&id)?;
                if row.next_code(now).is_some() {
                    Command::ChooseCode(id)
                } else {
                    Command::Copy {
                        code: row.code(now)?,
                        name: row.account.display_name(),
                    }
                }
            }
            ListAction::CopyNext(id) => {
                let row = self.list.row(&id)?;
                Command::Copy {
                    code: row.next_code(now)?,
                    name: row.account.display_name(),
                }
            }
            ListAction::Edit(id) => Command::Show(Screen::Edit(id)),
            ListAction::TogglePin(id) => {
                let pinned = !self.list.row(&id)?.account.pinned;
                Command::Request(Request::SetPinned { id, pinned })
            }
            ListAction::Reenrol(id) => Command::Show(Screen::Reenrol(id)),
            ListAction::Delete(id) => Command::Show(Screen::ConfirmDelete(id)),
            ListAction::ShowQr(id) => Command::Show(Screen::AccountQr(id)),
            ListAction::NextHotp(id) => Command::Request(Request::AdvanceCounter(id)),
            ListAction::Move { id, position } => Command::Request(Request::Move { id, position }),
            ListAction::CollapsedChanged => {
                self.save_settings();
                return None;
            }
        })
    }
}

/// How an account relates to those in the list (secrets already loaded).
pub(super) fn existing_in(list: &ListView, uri: &OtpUri) -> Existing {
    Existing::among(uri, list.rows.iter().map(|r| &r.account), |account| {
        list.row(&account.id).and_then(|r| match &r.secret {
            SecretState::Ready(secret) => Some(secret.clone()),
            _ => None,
        })
    })
}

/// Whether a dropped file is a picture (for the Scan dialog) rather than an export file.
fn is_picture(path: &std::path::Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        ["png", "jpg", "jpeg", "webp", "bmp", "gif"]
            .iter()
            .any(|p| e.eq_ignore_ascii_case(p))
    })
}
