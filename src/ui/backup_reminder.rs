//! The reminder of accounts that are in no backup yet: added after the last backup. A
//! dismissed reminder stays hidden until another account is added.

use std::collections::BTreeSet;

use egui::{RichText, Ui};

use kunci::accounts::Account;
use kunci::settings::Settings;

use super::command::{Command, Screen};
use crate::i18n::Language;

/// The accounts (ids) added since the last backup, when the reminder should show them.
pub fn pending<'a>(
    accounts: impl IntoIterator<Item = &'a Account>,
    settings: &Settings,
) -> Option<BTreeSet<String>> {
    if !settings.backup_reminder {
        return None;
    }
    let since = settings.last_backup.unwrap_or(i64::MIN);
    let ids: BTreeSet<String> = accounts
        .into_iter()
        .filter(|a| a.added > since)
        .map(|a| a.id.to_string())
        .collect();
    let dismissed = &settings.backup_reminder_dismissed;
    (!ids.is_empty() && !ids.is_subset(dismissed)).then_some(ids)
}

/// The notice: "N accounts are not in any backup yet — Back up now", and Dismiss.
/// Dismissing hides it for these accounts (the ones not in a backup now).
pub fn ui(ui: &mut Ui, lang: Language, ids: &BTreeSet<String>) -> Option<Command> {
    let mut action = None;
    egui::Frame::group(ui.style())
        .fill(ui.visuals().warn_fg_color.gamma_multiply(0.15))
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal_wrapped(|ui| {
                let text = if ids.len() == 1 {
                    tr!(lang, "protect.reminder.one")
                } else {
                    tr!(lang, "protect.reminder.many", count = ids.len())
                };
                ui.label(RichText::new(text).strong());
                if ui.button(tr!(lang, "protect.reminder.back_up")).clicked() {
                    action = Some(Command::Show(Screen::Export));
                }
                if ui
                    .small_button(tr!(lang, "protect.reminder.dismiss"))
                    .clicked()
                {
                    action = Some(Command::DismissReminder(ids.clone()));
                }
            });
        });
    action
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A distinct account added at `added` (ids from a counter, as two may share a second).
    fn account(added: i64) -> Account {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        serde_json::from_value(serde_json::json!({
            "id": format!("{n:016x}"), "issuer": "GitHub", "label": "ada",
            "kind": "totp", "algorithm": "SHA1", "digits": 6, "period": 30, "counter": 0,
            "added": added
        }))
        .unwrap()
    }

    #[test]
    fn only_accounts_after_the_last_backup_count() {
        let accounts = [account(100), account(200), account(300)];
        let mut settings = Settings {
            last_backup: Some(150),
            ..Settings::default()
        };
        let ids = pending(&accounts, &settings).unwrap();
        assert_eq!(ids.len(), 2);

        settings.backup_reminder_dismissed = ids;
        assert_eq!(pending(&accounts, &settings), None, "dismissed");
        let more = [account(100), account(200), account(300), account(300)];
        assert_eq!(pending(&more, &settings).map(|i| i.len()), Some(3));

        settings.last_backup = Some(300);
        assert_eq!(pending(&more, &settings), None, "all backed up");
        settings.last_backup = None;
        settings.backup_reminder = false;
        assert_eq!(pending(&more, &settings), None, "turned off");
    }
}
