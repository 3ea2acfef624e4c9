//! Quick access in the window: the picker (the window in a compact mode), the tray's menu and
//! actions, hiding to the tray and starting hidden. Driven from `App::logic`, which eframe
//! runs even while the window is hidden, so the shortcut and the tray work then too.

use egui::{Pos2, Vec2, ViewportCommand, WindowLevel};
use kunci::desktop::{self, TrayAction, TrayMenu, Typing};
use zeroize::Zeroizing;

use super::*;
use crate::ui::picker::{PICKER_SIZE, Picker, PickerOutcome};
use crate::ui::quick::QuickEvent;

/// How the window was before the picker took it over, to put it back so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Before {
    #[default]
    Shown,
    Minimized,
    /// In the tray.
    Hidden,
}

/// The window's own state around quick access.
#[derive(Default)]
pub(crate) struct QuickState {
    pub picker: Option<Picker>,
    /// How the window was before the picker, and its size and place then.
    pub before: Before,
    pub normal_size: Option<Vec2>,
    pub normal_position: Option<Pos2>,
    /// The window is hidden in the tray (not merely minimised).
    pub hidden: bool,
    /// Quit was chosen (the tray's menu): the close button's request is not turned into a
    /// hide then.
    pub quitting: bool,
    /// Started with `--minimized` (or the setting): minimised at once, hidden once a tray
    /// shows the icon.
    pub start_hidden: bool,
    /// When the first `logic` pass ran.
    pub started: Option<std::time::Instant>,
    /// The window as the desktop knows it, to withdraw it when hidden (`None` until eframe's
    /// first pass; the tests drive the window without one).
    pub native: Option<desktop::NativeWindow>,
}

/// How long a window started hidden waits for a tray to show its icon (the tray registers
/// with the desktop's watcher over D-Bus after it started; at log-in the panel may come up
/// after Kunci) before it stays merely minimised. It is minimised while it waits, so waiting
/// longer shows nothing more; 5 s was too short on a busy machine.
const TRAY_PATIENCE: std::time::Duration = std::time::Duration::from_secs(20);

impl KunciApp {
    /// Everything that must go on while the window is hidden: the workers' reports, the
    /// shortcut, the tray and other launches' requests. Runs before every frame, and alone
    /// while the window is hidden.
    pub fn logic(&mut self, ctx: &egui::Context) {
        self.background(ctx);
        self.quick.attach(ctx);
        if self.state.started.is_none() {
            self.state.started = Some(std::time::Instant::now());
            if self.state.start_hidden {
                ctx.send_viewport_cmd(ViewportCommand::Minimized(true));
            }
        }
        self.quick
            .set_shortcut(self.settings.quick_pick_shortcut.as_deref());
        let menu = self.settings.tray_icon.then(|| self.tray_menu());
        self.quick.set_tray(menu);
        while let Some(event) = self.quick.next_event() {
            self.quick_event(ctx, event);
        }
        if self.state.start_hidden {
            // Hidden in the tray once it shows the icon; left minimised when no tray does.
            let waited = self.state.started.map_or(TRAY_PATIENCE, |t| t.elapsed());
            if self.quick.tray_shown() {
                self.state.start_hidden = false;
                self.hide_window(ctx);
                // The tests wait for this line.
                eprintln!("kunci: started hidden in the tray");
            } else if waited >= TRAY_PATIENCE
                || (!self.quick.tray_starting() && !self.quick.tray_running())
            {
                self.state.start_hidden = false;
            } else {
                ctx.request_repaint_after(std::time::Duration::from_millis(200));
            }
        }
        if ctx.input(|i| i.viewport().close_requested()) && !self.state.quitting {
            if self.state.picker.is_some() {
                ctx.send_viewport_cmd(ViewportCommand::CancelClose);
                self.close_picker(ctx);
            } else if self.settings.close_to_tray && self.quick.tray_shown() {
                ctx.send_viewport_cmd(ViewportCommand::CancelClose);
                self.hide_window(ctx);
            }
        }
    }

    /// Whether the picker is up (tests).
    #[cfg(test)]
    pub fn picker_open(&self) -> bool {
        self.state.picker.is_some()
    }

    /// The name of the account the picker has selected (tests).
    #[cfg(test)]
    pub fn picker_selection(&self) -> Option<String> {
        let id = self.state.picker.as_ref()?.selected()?;
        Some(self.list.row(id)?.account.display_name())
    }

    /// The tray's menu as it would be shown now (tests).
    #[cfg(test)]
    pub fn tray_menu_for_tests(&self) -> TrayMenu {
        self.tray_menu()
    }

    /// The tray's menu in the window's language.
    fn tray_menu(&self) -> TrayMenu {
        let lang = self.lang;
        TrayMenu {
            tooltip: tr!(lang, "quick.tray.tooltip"),
            pinned: self
                .list
                .rows
                .iter()
                .filter(|r| r.account.pinned)
                .map(|r| {
                    let name = r.account.display_name();
                    (
                        r.account.id.to_string(),
                        tr!(lang, "quick.tray.copy", name = name),
                    )
                })
                .collect(),
            pinned_enabled: !(self.settings.has_lock() && self.lock.is_locked()),
            quick_pick: tr!(lang, "quick.tray.pick"),
            open: tr!(lang, "quick.tray.open"),
            lock: self
                .settings
                .has_lock()
                .then(|| tr!(lang, "quick.tray.lock")),
            quit: tr!(lang, "quick.tray.quit"),
        }
    }

    fn quick_event(&mut self, ctx: &egui::Context, event: QuickEvent) {
        match event {
            QuickEvent::Pick => self.open_picker(ctx),
            QuickEvent::Show => {
                if self.state.picker.is_some() {
                    self.state.before = Before::Shown;
                    self.close_picker(ctx);
                }
                self.show_window(ctx);
            }
            QuickEvent::Tray(TrayAction::Copy(id)) => self.copy_from_tray(ctx, &id),
            QuickEvent::Tray(TrayAction::Lock) => {
                if self.settings.has_lock() {
                    self.lock_now(ctx);
                }
            }
            QuickEvent::Tray(TrayAction::Quit) => {
                self.state.quitting = true;
                ctx.send_viewport_cmd(ViewportCommand::Close);
            }
            QuickEvent::Tray(TrayAction::QuickPick) => self.open_picker(ctx),
            QuickEvent::Tray(TrayAction::Open) => self.show_window(ctx),
            QuickEvent::Changed => {}
            #[cfg(target_os = "linux")]
            QuickEvent::TrayStarted(started) => {
                let menu = self.tray_menu();
                self.quick.tray_started(started, menu);
            }
            QuickEvent::Typed { result, code, name } => {
                if let Err(why) = result {
                    // Not typed: on the clipboard instead, and the picker says why.
                    self.copy_code(ctx, &code, &name);
                    let lang = self.lang;
                    let why = why.localize(lang);
                    self.open_picker(ctx);
                    if let Some(picker) = &mut self.state.picker {
                        picker.notice = Some(tr!(lang, "quick.picker.not_typed", why = why));
                    }
                }
            }
        }
    }

    /// Writes or removes the entry that starts Kunci with the system.
    pub(super) fn set_autostart(&mut self, on: bool) {
        let Some(entry) = self.quick.autostart() else {
            return;
        };
        let done = if on {
            std::env::current_exe()
                .map_err(|e| kunci::desktop::AutostartError::Program(e.to_string()))
                .and_then(|program| entry.enable(&program))
        } else {
            entry.disable()
        };
        if let Err(e) = done {
            let text = e.localize(self.lang);
            self.notices.push(text);
        }
    }

    /// Whether the window is locked now (the idle delay is looked at first: it may have
    /// passed while the window was hidden).
    fn locked_now(&mut self, ctx: &egui::Context) -> bool {
        self.watch_lock(ctx);
        self.settings.has_lock() && self.lock.is_locked()
    }

    fn copy_from_tray(&mut self, ctx: &egui::Context, id: &str) {
        if self.locked_now(ctx) {
            // The codes wait behind the lock: the window asks for the passphrase.
            self.show_window(ctx);
            return;
        }
        let now = self.now();
        let Some(row) = self.list.rows.iter().find(|r| r.account.id.as_str() == id) else {
            return;
        };
        let name = row.account.display_name();
        match row.next_code(now).or_else(|| row.code(now)) {
            Some(code) => self.copy_code(ctx, &code, &name),
            None => self.show_toast(tr!(self.lang, "quick.no_code", name = name)),
        }
    }

    /// Shows the window as it normally is, in front.
    pub(super) fn show_window(&mut self, ctx: &egui::Context) {
        self.state.hidden = false;
        // Asked for before a start hidden was carried out: the user's wish wins.
        self.state.start_hidden = false;
        ctx.send_viewport_cmd(ViewportCommand::Visible(true));
        ctx.send_viewport_cmd(ViewportCommand::Minimized(false));
        ctx.send_viewport_cmd(ViewportCommand::Focus);
        ctx.request_repaint();
    }

    /// Into the tray when one shows Kunci's icon; else minimised, so that the window can
    /// always be found again.
    fn hide_window(&mut self, ctx: &egui::Context) {
        if self.settings.tray_icon && self.quick.tray_shown() {
            self.state.hidden = true;
            ctx.send_viewport_cmd(ViewportCommand::Visible(false));
            if let Some(native) = &self.state.native {
                native.withdraw();
            }
        } else {
            ctx.send_viewport_cmd(ViewportCommand::Minimized(true));
        }
    }

    /// Brings up the picker over the window the user is in (or focuses it again).
    pub(super) fn open_picker(&mut self, ctx: &egui::Context) {
        if let Some(picker) = &mut self.state.picker {
            picker.refocus();
            self.show_window(ctx);
            return;
        }
        // Before anything of ours takes the focus.
        let previous = desktop::focus::focused_window();
        self.open_picker_over(ctx, previous);
    }

    /// Brings up the picker over `previous` (the window the user came from, if known).
    pub(crate) fn open_picker_over(
        &mut self,
        ctx: &egui::Context,
        previous: Option<desktop::PreviousWindow>,
    ) {
        let typing = desktop::focus::typing(false);
        let minimized = ctx.input(|i| i.viewport().minimized).unwrap_or(false);
        self.state.before = if self.state.hidden {
            Before::Hidden
        } else if minimized {
            Before::Minimized
        } else {
            Before::Shown
        };
        let (size, position) = ctx.input(|i| {
            let info = i.viewport();
            (
                info.inner_rect.map(|r| r.size()),
                info.outer_rect.map(|r| r.min),
            )
        });
        self.state.normal_size = size;
        self.state.normal_position = position;
        self.state.picker = Some(Picker::open(previous, typing, &self.list.rows));
        // Typed secrets of an open dialog are not left in egui's memory behind the picker.
        crate::ui::passphrase::forget_typed(ctx);
        ctx.send_viewport_cmd(ViewportCommand::Decorations(false));
        ctx.send_viewport_cmd(ViewportCommand::WindowLevel(WindowLevel::AlwaysOnTop));
        ctx.send_viewport_cmd(ViewportCommand::InnerSize(PICKER_SIZE.into()));
        // Centred for the picker's size (the window's current size is the old one still).
        if let Some(monitor) = ctx.input(|i| i.viewport().monitor_size) {
            let corner = (monitor - Vec2::from(PICKER_SIZE)) / 2.0;
            ctx.send_viewport_cmd(ViewportCommand::OuterPosition(
                corner.max(Vec2::ZERO).to_pos2(),
            ));
        }
        self.show_window(ctx);
    }

    /// Back to the normal window, hidden or minimised again if it was before.
    fn close_picker(&mut self, ctx: &egui::Context) -> Option<Picker> {
        let picker = self.state.picker.take()?;
        ctx.send_viewport_cmd(ViewportCommand::WindowLevel(WindowLevel::Normal));
        ctx.send_viewport_cmd(ViewportCommand::Decorations(true));
        if let Some(size) = self.state.normal_size {
            ctx.send_viewport_cmd(ViewportCommand::InnerSize(size));
        }
        if let Some(position) = self.state.normal_position {
            ctx.send_viewport_cmd(ViewportCommand::OuterPosition(position));
        }
        match self.state.before {
            Before::Shown => {}
            Before::Minimized => ctx.send_viewport_cmd(ViewportCommand::Minimized(true)),
            Before::Hidden => self.hide_window(ctx),
        }
        Some(picker)
    }

    /// The picker in place of the window's contents.
    pub(super) fn picker_ui(&mut self, ui: &mut Ui) {
        let ctx = ui.ctx().clone();
        let now = self.now();
        let lang = self.lang;
        let outcome = match &self.phase {
            Phase::Open => match &mut self.state.picker {
                Some(picker) => picker.ui(ui, lang, &self.list.rows, now),
                None => None,
            },
            Phase::Opening => {
                cheap_frames::central_panel(ui, |ui| {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label(tr!(lang, "ui.opening"));
                    });
                });
                ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Escape))
                    .then_some(PickerOutcome::Close)
            }
            // The vault to unlock, or no store: that is for the whole window.
            Phase::Vault(_) | Phase::Unavailable(_) => Some(PickerOutcome::OpenWindow),
        };
        let Some(outcome) = outcome else {
            return;
        };
        let code_of = |app: &Self, id: &AccountId| {
            let row = app.list.row(id)?;
            let code = row.next_code(now).or_else(|| row.code(now))?;
            Some((Zeroizing::new(code), row.account.display_name()))
        };
        match outcome {
            PickerOutcome::Close => {
                if let Some(picker) = self.close_picker(&ctx) {
                    give_focus_back(picker);
                }
            }
            PickerOutcome::OpenWindow => {
                self.state.before = Before::Shown;
                self.close_picker(&ctx);
                self.show_window(&ctx);
            }
            PickerOutcome::Copy(id) => {
                let Some((code, name)) = code_of(self, &id) else {
                    return;
                };
                self.copy_code(&ctx, &code, &name);
                if let Some(picker) = self.close_picker(&ctx) {
                    give_focus_back(picker);
                }
            }
            PickerOutcome::Type(id) => {
                let Some((code, name)) = code_of(self, &id) else {
                    return;
                };
                let Some(picker) = self.state.picker.as_ref() else {
                    return;
                };
                let typing = match picker.typing() {
                    // macOS: ask for the permission now, for next time.
                    Typing::NeedsPermission => desktop::focus::typing(true),
                    other => other,
                };
                match (typing, picker.previous().cloned()) {
                    (Typing::Possible, Some(window)) => {
                        self.close_picker(&ctx);
                        let sender = self.quick.sender();
                        let spawned = std::thread::Builder::new().name("kunci-type".into()).spawn(
                            move || {
                                let result = desktop::focus::type_into(&window, &code);
                                sender.send(QuickEvent::Typed { result, code, name });
                            },
                        );
                        if spawned.is_err() {
                            self.show_toast(tr!(lang, "quick.picker.not_typed_short"));
                        }
                    }
                    // Cannot type here: copied, as the picker's line of keys said.
                    _ => {
                        self.copy_code(&ctx, &code, &name);
                        if let Some(picker) = self.close_picker(&ctx) {
                            give_focus_back(picker);
                        }
                    }
                }
            }
        }
    }
}

/// The page the user came from goes back in front (on a thread: it waits for the system).
fn give_focus_back(picker: Picker) {
    if let Some(window) = picker.previous().cloned() {
        let _ = std::thread::Builder::new()
            .name("kunci-refocus".into())
            .spawn(move || desktop::focus::return_focus(&window));
    }
}
