//! The window drawn on the CPU: winit and egui-winit for the window and its events,
//! [`raster`] for the pixels, softbuffer to hand them to X11, Wayland, Windows or macOS.
//!
//! Why not eframe's OpenGL window (still there: `KUNCI_RENDERER=opengl`): most of Kunci's users
//! sit at office PCs, virtual desktops and remote sessions without a GPU driver, where OpenGL
//! is Mesa's llvmpipe. There every frame ran a JIT-compiled shader over every pixel (≈ 5 ms
//! for a frame that only moved a countdown), and llvmpipe with libLLVM was ≈ 70 MiB of the
//! window's memory; Windows over RDP may have no OpenGL 2 at all. Kunci's window is flat
//! colours and text: painting it on the CPU is cheaper than any of that, and the screen is
//! sent only the rectangle that changed.
//!
//! The loop is eframe's, cut down to Kunci's single window: repaints scheduled through the
//! context's repaint callback, the app's logic kept ticking while the window is hidden (the
//! tray brings it back), a hidden window painted once before it is shown.
//!
//! Unlike eframe, the frames the app asks for are painted straight from the loop, not through
//! `Window::request_redraw`: the system merges our redraw requests with its own (an exposed
//! window: mapped by a window manager, uncovered, restored), so a redraw event could not tell
//! whether the screen lost pixels. Here a redraw event always means it did, and the whole
//! frame is sent; otherwise only what changed.
//!
//! And unlike eframe, a second in which only the countdowns move may be drawn without a pass:
//! a pass after which nothing else can change for a while plans those seconds
//! ([`countdown::Ticks`]), and the loop shows each by putting the countdowns' next images and
//! texts in the last frame's shapes. Anything else the window hears of (input, a worker's
//! result, any other repaint asked for in or since that pass) runs a pass as before.

mod dirty;
mod painter;
mod raster;
mod texture;

use std::num::NonZeroU32;
use std::rc::Rc;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use egui::epaint::ClippedShape;
use egui::{Context, ViewportBuilder, ViewportCommand, ViewportId, ViewportInfo};
use egui_winit::{ActionRequested, accesskit_winit, winit};
use winit::application::ApplicationHandler;
use winit::event::{StartCause, WindowEvent};
use winit::event_loop::{ActiveEventLoop, ControlFlow, EventLoop, EventLoopProxy};
use winit::window::{Window, WindowId};

use painter::{Look, Painter};
use raster::PixelRect;

use super::countdown::{self, Ticks};

/// What the window runs: Kunci's app, as eframe would run it.
pub trait WindowApp {
    /// Once, when the window exists (before its first frame).
    fn window_created(&mut self, window: &Window);
    fn logic(&mut self, ctx: &Context);
    fn ui(&mut self, ui: &mut egui::Ui);
    fn clear_color(&self, visuals: &egui::Visuals) -> [f32; 4];
    /// Once, when the window has closed.
    fn on_exit(&mut self);
    /// A frame was drawn that only moved the countdowns, without a pass.
    fn ticked(&mut self);
}

#[derive(Debug, thiserror::Error)]
pub enum WindowError {
    #[error("{0}")]
    EventLoop(#[from] winit::error::EventLoopError),
    #[error("{0}")]
    Window(#[from] winit::error::OsError),
    #[error("cannot draw in the window: {0}")]
    Surface(#[from] softbuffer::SoftBufferError),
}

/// What to do when this window cannot be drawn (printed with the reason).
pub const RENDERER_HINT: &str = "KUNCI_RENDERER=opengl draws the window with OpenGL instead (KUNCI_RENDERER=cpu, the default, on the CPU)";

/// A window hidden or minimized runs at most this often when it asks for repaints (a minimized
/// one only its logic; one hidden in the tray its whole pass, as egui cannot tell it is
/// hidden). Counted from its last pass, so that the first request after a quiet
/// spell (the quick-pick shortcut pressed while Kunci sits in the tray) is answered at once.
const HIDDEN_REPAINT_INTERVAL: Duration = Duration::from_millis(100);
/// A shown window is painted at most this often (a screen shows 60 frames a second): an
/// animation, or a pointer moving over the window, would otherwise be painted as fast as the
/// CPU goes, since no vsync holds a CPU-drawn frame back.
const FRAME_INTERVAL: Duration = Duration::from_micros(16_667);
/// The window's state (position, size, minimized, maximized) is read again after any event
/// about the window, and at least this often. Reading it is several round trips to the X
/// server, which cost more than the rest of a frame that only moves a countdown.
const WINDOW_STATE_MAX_AGE: Duration = Duration::from_secs(5);

enum UserEvent {
    RequestRepaint { when: Instant, pass_nr: u64 },
    AccessKit(accesskit_winit::Event),
}

/// What the context's repaint hooks record on the loop's own thread, read by the loop: the
/// repaints asked for (with the pass they were asked in), and the delays of all those asked
/// for since the last pass began.
struct Recorded<T>(Arc<Mutex<Vec<T>>>);

impl<T> Clone for Recorded<T> {
    fn clone(&self) -> Self {
        Recorded(Arc::clone(&self.0))
    }
}

impl<T> Default for Recorded<T> {
    fn default() -> Self {
        Recorded(Arc::default())
    }
}

impl<T> Recorded<T> {
    fn push(&self, item: T) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(item);
    }

    fn take(&self) -> Vec<T> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl From<accesskit_winit::Event> for UserEvent {
    fn from(event: accesskit_winit::Event) -> Self {
        UserEvent::AccessKit(event)
    }
}

/// Opens the window described by `viewport` and runs the app `make_app` builds until the
/// window closes.
pub fn run(
    viewport: ViewportBuilder,
    max_texture_side: usize,
    make_app: impl FnOnce(&Context) -> Box<dyn WindowApp>,
) -> Result<(), WindowError> {
    let event_loop = EventLoop::<UserEvent>::with_user_event().build()?;
    let ctx = Context::default();
    ctx.set_embed_viewports(false);
    // As eframe: a pass may be discarded and run again once (Context::request_discard).
    ctx.options_mut(|o| o.max_passes = std::num::NonZeroUsize::MIN.saturating_add(1));
    let proxy = event_loop.create_proxy();
    let local_requests = Recorded::default();
    {
        let proxy = proxy.clone();
        let local_requests = local_requests.clone();
        let loop_thread = std::thread::current().id();
        ctx.set_request_repaint_callback(move |info| {
            if info.viewport_id != ViewportId::ROOT {
                return;
            }
            let when = Instant::now() + info.delay;
            let pass_nr = info.current_cumulative_pass_nr;
            // The loop's own requests (most are made during a pass) are read before it
            // sleeps: waking it through the proxy would cost it a turn for nothing.
            if std::thread::current().id() == loop_thread {
                local_requests.push((when, pass_nr));
            } else {
                let _ = proxy.send_event(UserEvent::RequestRepaint { when, pass_nr });
            }
        });
    }
    // Every repaint asked for during a pass, also those the callback does not hear of (not
    // sooner than one already asked for): a pass that plans countdown ticks must have asked
    // for nothing but the first of them.
    let asked_in_pass = Recorded::default();
    {
        let asked_in_pass = asked_in_pass.clone();
        let loop_thread = std::thread::current().id();
        ctx.set_repaint_observer(move |info| {
            if info.viewport_id == ViewportId::ROOT && std::thread::current().id() == loop_thread {
                asked_in_pass.push(info.delay);
            }
        });
    }
    countdown::enable_ticks(&ctx);
    let app = make_app(&ctx);
    let mut runner = Runner {
        ctx,
        app,
        builder: viewport,
        max_texture_side,
        proxy,
        local_requests,
        asked_in_pass,
        planned: None,
        ticks: None,
        shown: None,
        error: None,
        start: Instant::now(),
        next_repaint: None,
        pending_input: egui::RawInput::default(),
        first_frame: true,
        last_pass: None,
        close: false,
        exited: false,
    };
    event_loop.run_app(&mut runner)?;
    runner.exit();
    match runner.error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

struct Runner {
    ctx: Context,
    app: Box<dyn WindowApp>,
    builder: ViewportBuilder,
    max_texture_side: usize,
    proxy: EventLoopProxy<UserEvent>,
    /// Repaints asked for on the loop's own thread, with the pass they were asked in.
    local_requests: Recorded<(Instant, u64)>,
    /// The delays of the repaints asked for on the loop's thread since the last pass began.
    asked_in_pass: Recorded<Duration>,
    /// The ticks the last pass planned, until the repaints it asked for are known.
    planned: Option<Ticks>,
    /// The ticks being shown, and when the pass that planned them asked for the first.
    ticks: Option<(Instant, Ticks)>,
    shown: Option<Shown>,
    error: Option<WindowError>,
    start: Instant,
    next_repaint: Option<Instant>,
    /// Input a logic-only pass did not consume, given to the next pass.
    pending_input: egui::RawInput,
    first_frame: bool,
    /// When the last pass ran (see [`HIDDEN_REPAINT_INTERVAL`] and [`FRAME_INTERVAL`]).
    last_pass: Option<Instant>,
    close: bool,
    exited: bool,
}

/// The window and what draws in it.
struct Shown {
    window: Rc<Window>,
    state: egui_winit::State,
    info: ViewportInfo,
    /// When `info` was read from the window; `None` when it must be read again.
    info_read: Option<Instant>,
    /// The inner size in pixels, as the last `Resized` event gave it.
    size: winit::dpi::PhysicalSize<u32>,
    actions: Vec<ActionRequested>,
    surface: softbuffer::Surface<Rc<Window>, Rc<Window>>,
    painter: Painter,
    /// The screen may not show `on_screen` (the window was exposed, shown, or a present
    /// failed): the next frame is sent whole.
    present_whole: bool,
    /// A frame could not be shown: said once, not at every frame after.
    paint_failed: bool,
}

impl Runner {
    fn open(&mut self, event_loop: &ActiveEventLoop) -> Result<(), WindowError> {
        // Hidden until its first frame is painted (no white flash), as eframe does.
        let builder = self.builder.clone().with_visible(false);
        let attributes = egui_winit::apply_monitor_to_window_attributes(
            egui_winit::create_winit_window_attributes(&self.ctx, builder.clone()),
            &builder,
            event_loop,
        );
        let window = Rc::new(event_loop.create_window(attributes)?);
        egui_winit::apply_viewport_builder_to_window(&self.ctx, &window, &builder);
        let mut info = ViewportInfo::default();
        egui_winit::update_viewport_info(&mut info, &self.ctx, &window, true);
        let mut state = egui_winit::State::new(
            self.ctx.clone(),
            ViewportId::ROOT,
            event_loop,
            Some(window.scale_factor() as f32),
            event_loop.system_theme(),
            Some(self.max_texture_side),
        );
        state.init_accesskit(event_loop, &window, self.proxy.clone());
        let size = window.inner_size();
        let context = softbuffer::Context::new(window.clone())?;
        let surface = softbuffer::Surface::new(&context, window.clone())?;
        self.app.window_created(&window);
        self.shown = Some(Shown {
            window,
            state,
            info,
            info_read: Some(Instant::now()),
            size,
            actions: Vec::new(),
            surface,
            painter: Painter::default(),
            present_whole: true,
            paint_failed: false,
        });
        self.next_repaint = Some(Instant::now());
        Ok(())
    }

    fn fail(&mut self, event_loop: &ActiveEventLoop, error: WindowError) {
        self.error.get_or_insert(error);
        event_loop.exit();
    }

    fn exit(&mut self) {
        if !std::mem::replace(&mut self.exited, true) {
            self.app.on_exit();
        }
    }

    /// One pass of the app: the whole ui and a painted frame when the window can be seen,
    /// else only its logic (input kept for the next pass).
    fn frame(&mut self, event_loop: &ActiveEventLoop) {
        let Some(shown) = self.shown.as_mut() else {
            return;
        };
        let now = Instant::now();
        self.last_pass = Some(now);
        self.ticks = None;
        self.planned = None;
        self.asked_in_pass.take();
        let window = shown.window.clone();
        // A minimized window runs rarely: its state is read at every pass (Windows and X11
        // tell nothing when the window is restored from the taskbar without the focus).
        if shown
            .info_read
            .is_none_or(|read| now - read >= WINDOW_STATE_MAX_AGE)
            || shown.info.minimized == Some(true)
        {
            egui_winit::update_viewport_info(&mut shown.info, &self.ctx, &window, false);
            shown.info_read = Some(now);
        }
        let visible = self.first_frame
            || shown.info.visible().unwrap_or(true)
            || shown.actions.iter().any(ActionRequested::wants_paint);
        let mut input = std::mem::take(&mut self.pending_input);
        let mut new_input = take_input(&mut shown.state, &self.ctx, &window, shown.size);
        new_input.time = Some(self.start.elapsed().as_secs_f64());
        new_input.viewports = std::iter::once((ViewportId::ROOT, shown.info.clone())).collect();
        input.append(new_input);
        let close_requested = input.viewport().close_requested();
        let app = &mut self.app;

        let (platform_output, commands) = if visible {
            // The clear colour follows the theme, which is settled at the start of the pass.
            self.ctx.options_mut(|o| o.begin_pass(&input));
            let clear = app.clear_color(&self.ctx.global_style().visuals);
            let mut output = self.ctx.run_ui(input, |ui| {
                app.logic(ui.ctx());
                app.ui(ui);
            });
            let look = Look {
                clear,
                pixels_per_point: output.pixels_per_point,
            };
            let shapes = std::mem::take(&mut output.shapes);
            let planned = countdown::take_ticks(&self.ctx);
            let painted = shown.paint_or_report(&self.ctx, look, shapes, &output.textures_delta);
            // Not while a screen reader reads the window: it would hear stale seconds.
            if painted && output.platform_output.accesskit_update.is_none() {
                self.planned = planned;
            }
            // Applied: egui checks (in debug builds) that no delta is dropped unapplied.
            output.textures_delta.clear();
            let commands = output
                .viewport_output
                .get(&ViewportId::ROOT)
                .map(|o| o.commands.clone())
                .unwrap_or_default();
            (output.platform_output, commands)
        } else {
            let output = self.ctx.run_logic(&input, |ctx| app.logic(ctx));
            self.pending_input = input;
            let commands = output
                .viewport_commands
                .get(&ViewportId::ROOT)
                .cloned()
                .unwrap_or_default();
            (output.platform_output, commands)
        };
        if close_requested && !commands.contains(&ViewportCommand::CancelClose) {
            self.close = true;
        }
        shown.info.events.clear();
        shown
            .state
            .handle_platform_output_with_event_loop(&window, event_loop, platform_output);
        for action in std::mem::take(&mut shown.actions) {
            let event = match action {
                // Nothing in Kunci asks for a screenshot; the request is dropped unanswered.
                ActionRequested::Screenshot(_) | ActionRequested::PaintWhileHidden => None,
                ActionRequested::Cut => Some(egui::Event::Cut),
                ActionRequested::Copy => Some(egui::Event::Copy),
                ActionRequested::Paste => shown
                    .state
                    .clipboard_text()
                    .map(|text| text.replace("\r\n", "\n"))
                    .filter(|text| !text.is_empty())
                    .map(egui::Event::Paste),
            };
            shown.state.egui_input_mut().events.extend(event);
        }
        if visible && std::mem::take(&mut self.first_frame) {
            window.set_visible(true);
            // The first frame went to a window nobody could see.
            shown.present_whole = true;
        }
        if !commands.is_empty() {
            shown.info_read = None;
        }
        egui_winit::process_viewport_commands(
            &self.ctx,
            &mut shown.info,
            commands,
            &window,
            &mut shown.actions,
        );
        if self.close {
            event_loop.exit();
        }
    }

    /// Asks for a pass at `when`, or later if the last one was too recent.
    fn schedule(&mut self, when: Instant) {
        let interval = if self.hidden() {
            HIDDEN_REPAINT_INTERVAL
        } else {
            FRAME_INTERVAL
        };
        let when = self
            .last_pass
            .map_or(when, |last| when.max(last + interval));
        self.next_repaint = Some(self.next_repaint.map_or(when, |t| t.min(when)));
    }

    fn hidden(&self) -> bool {
        self.shown.as_ref().is_some_and(|shown| {
            shown.window.is_visible() == Some(false) || shown.info.minimized == Some(true)
        })
    }

    /// A repaint the context asked for during pass `pass_nr`.
    fn request_repaint(&mut self, when: Instant, pass_nr: u64) {
        // A request from a pass already followed by another is already answered.
        let current = self.ctx.cumulative_pass_nr_for(ViewportId::ROOT);
        if current == pass_nr || current == pass_nr + 1 {
            self.schedule(when);
        }
    }

    fn take_local_requests(&mut self) {
        for (when, pass_nr) in self.local_requests.take() {
            self.request_repaint(when, pass_nr);
        }
    }

    /// Runs what is due and tells the loop when to wake next.
    fn check_repaints(&mut self, event_loop: &ActiveEventLoop) {
        self.take_local_requests();
        let now = Instant::now();
        let pass_due = self.next_repaint.is_some_and(|when| when <= now);
        // A tick that cannot be shown is shown by a pass.
        if pass_due || (self.next_tick().is_some_and(|when| when <= now) && !self.tick()) {
            self.pass(event_loop);
        }
        let wake = match (self.next_repaint, self.next_tick()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        event_loop.set_control_flow(match wake {
            Some(when) => ControlFlow::WaitUntil(when),
            None => ControlFlow::Wait,
        });
    }

    /// A pass now, and the ticks it planned taken up if nothing else asked for a repaint.
    fn pass(&mut self, event_loop: &ActiveEventLoop) {
        let started = Instant::now();
        self.next_repaint = None;
        self.frame(event_loop);
        self.take_local_requests();
        let asked = self.asked_in_pass.take();
        let Some(ticks) = self.planned.take() else {
            return;
        };
        let (Some(first), Some(asked_at)) = (ticks.next_move(), self.next_repaint) else {
            return;
        };
        // The app asks for its first tick as any repaint; it must be all that was asked for.
        if asked.iter().any(|delay| *delay != first) {
            return;
        }
        // Also the soonest: one asked for before the pass (egui's second frame after a
        // request for one at once) would be sooner than the app's.
        let planned_at = asked_at.checked_sub(first).unwrap_or(asked_at);
        if planned_at < started {
            return;
        }
        self.next_repaint = Some(planned_at + ticks.then);
        self.ticks = Some((planned_at, ticks));
    }

    fn next_tick(&self) -> Option<Instant> {
        let (planned_at, ticks) = self.ticks.as_ref()?;
        Some(*planned_at + ticks.next_move()?)
    }

    /// Shows the next planned second of the countdowns, without a pass: false when it
    /// cannot (a pass is then due).
    fn tick(&mut self) -> bool {
        let hidden = self.hidden();
        let (Some(shown), Some((_, ticks))) = (self.shown.as_mut(), self.ticks.as_mut()) else {
            return false;
        };
        let Some((look, mut shapes)) = shown.painter.last_frame().filter(|_| !hidden) else {
            return false;
        };
        if !ticks.apply_next(&mut shapes) {
            return false;
        }
        let nothing = egui::TexturesDelta::default();
        if !shown.paint_or_report(&self.ctx, look, shapes, &nothing) {
            return false;
        }
        self.app.ticked();
        true
    }
}

impl Shown {
    /// [`Self::paint`], the first failure told on stderr (with what to do), later ones not:
    /// whether it painted.
    fn paint_or_report(
        &mut self,
        ctx: &Context,
        look: Look,
        shapes: Vec<ClippedShape>,
        textures: &egui::TexturesDelta,
    ) -> bool {
        let result = self.paint(ctx, look, shapes, textures);
        if let Err(e) = &result
            && !std::mem::replace(&mut self.paint_failed, true)
        {
            eprintln!("kunci: {e}; {RENDERER_HINT}");
        }
        result.is_ok()
    }

    /// Paints what changed since the last frame and shows it on screen.
    fn paint(
        &mut self,
        ctx: &Context,
        look: Look,
        shapes: Vec<ClippedShape>,
        textures: &egui::TexturesDelta,
    ) -> Result<(), WindowError> {
        let size = self.size;
        let (Some(width), Some(height)) =
            (NonZeroU32::new(size.width), NonZeroU32::new(size.height))
        else {
            self.painter.skip(textures); // minimized on Windows
            return Ok(());
        };
        let (w, h) = (size.width as usize, size.height as usize);
        let changed = self.painter.paint(ctx, look, shapes, textures, (w, h));
        let send = match changed {
            _ if self.present_whole => PixelRect::whole(w, h),
            Some(changed) => changed,
            None => return Ok(()), // the screen already shows this frame
        };
        // Until this present is done, the screen may lack what was painted.
        self.present_whole = true;
        self.surface.resize(width, height)?;
        let mut buffer = self.surface.buffer_mut()?;
        // A buffer that holds the last frame needs only the change; any other, everything.
        let copy = if buffer.age() == 1 {
            send
        } else {
            PixelRect::whole(w, h)
        };
        let pixels = self.painter.canvas().pixels();
        for y in copy.top..copy.bottom {
            let row = y * w;
            buffer[row + copy.left..row + copy.right]
                .copy_from_slice(&pixels[row + copy.left..row + copy.right]);
        }
        self.window.pre_present_notify();
        buffer.present_with_damage(&[softbuffer_rect(send)])?;
        self.present_whole = false;
        Ok(())
    }
}

/// egui-winit's `State::take_egui_input`, with the size the last `Resized` event gave instead
/// of asking the window (a round trip to the X server at every frame).
fn take_input(
    state: &mut egui_winit::State,
    ctx: &Context,
    window: &Window,
    size: winit::dpi::PhysicalSize<u32>,
) -> egui::RawInput {
    let points = egui::vec2(size.width as f32, size.height as f32)
        / egui_winit::pixels_per_point(ctx, window);
    let input = state.egui_input_mut();
    input.screen_rect = (points.x > 0.0 && points.y > 0.0)
        .then(|| egui::Rect::from_min_size(egui::Pos2::ZERO, points));
    input.viewport_id = ViewportId::ROOT;
    input.take()
}

/// Whether `event` is only input (pointer, keys, touch), which leaves the window as it is.
fn is_input(event: &WindowEvent) -> bool {
    matches!(
        event,
        WindowEvent::CursorMoved { .. }
            | WindowEvent::CursorEntered { .. }
            | WindowEvent::CursorLeft { .. }
            | WindowEvent::MouseWheel { .. }
            | WindowEvent::MouseInput { .. }
            | WindowEvent::KeyboardInput { .. }
            | WindowEvent::ModifiersChanged(_)
            | WindowEvent::Ime(_)
            | WindowEvent::Touch(_)
            | WindowEvent::TouchpadPressure { .. }
            | WindowEvent::AxisMotion { .. }
            | WindowEvent::PinchGesture { .. }
            | WindowEvent::PanGesture { .. }
            | WindowEvent::DoubleTapGesture { .. }
            | WindowEvent::RotationGesture { .. }
    )
}

fn softbuffer_rect(rect: PixelRect) -> softbuffer::Rect {
    let size =
        |n: usize| NonZeroU32::new(u32::try_from(n).unwrap_or(u32::MAX)).unwrap_or(NonZeroU32::MIN);
    softbuffer::Rect {
        x: u32::try_from(rect.left).unwrap_or(0),
        y: u32::try_from(rect.top).unwrap_or(0),
        width: size(rect.right.saturating_sub(rect.left)),
        height: size(rect.bottom.saturating_sub(rect.top)),
    }
}

impl ApplicationHandler<UserEvent> for Runner {
    fn resumed(&mut self, event_loop: &ActiveEventLoop) {
        if self.shown.is_none()
            && let Err(e) = self.open(event_loop)
        {
            self.fail(event_loop, e);
        }
    }

    fn new_events(&mut self, event_loop: &ActiveEventLoop, _cause: StartCause) {
        self.check_repaints(event_loop);
    }

    fn about_to_wait(&mut self, event_loop: &ActiveEventLoop) {
        self.check_repaints(event_loop);
    }

    fn exiting(&mut self, _event_loop: &ActiveEventLoop) {
        // macOS may end the process here without returning from the loop (Cmd-Q).
        self.exit();
    }

    fn user_event(&mut self, _event_loop: &ActiveEventLoop, event: UserEvent) {
        let now = Instant::now();
        match event {
            UserEvent::RequestRepaint { when, pass_nr } => self.request_repaint(when, pass_nr),
            UserEvent::AccessKit(event) => {
                let Some(shown) = &mut self.shown else { return };
                match event.window_event {
                    accesskit_winit::WindowEvent::InitialTreeRequested => {
                        self.ctx.enable_accesskit();
                        self.schedule(now);
                    }
                    accesskit_winit::WindowEvent::ActionRequested(request) => {
                        shown.state.on_accesskit_action_request(request);
                        self.schedule(now);
                    }
                    accesskit_winit::WindowEvent::AccessibilityDeactivated => {
                        self.ctx.disable_accesskit();
                    }
                }
            }
        }
    }

    fn window_event(&mut self, event_loop: &ActiveEventLoop, _id: WindowId, event: WindowEvent) {
        let now = Instant::now();
        let Some(shown) = &mut self.shown else { return };
        let mut repaint_now = false;
        match &event {
            WindowEvent::RedrawRequested => {
                // Only the system asks (see the module's comment): the screen lost pixels.
                shown.present_whole = true;
                self.frame(event_loop);
                return;
            }
            WindowEvent::CloseRequested => {
                if self.close {
                    event_loop.exit();
                    return;
                }
                // The app may cancel it (Kunci hides to the tray): it is told in a pass.
                shown.info.events.push(egui::ViewportEvent::Close);
                self.ctx.request_repaint();
            }
            WindowEvent::Resized(size) => {
                shown.size = *size;
                // Windows wants a resized window painted at once, or it flickers.
                repaint_now = cfg!(windows) && size.width > 0 && size.height > 0;
            }
            WindowEvent::Occluded(occluded) => shown.info.occluded = Some(*occluded),
            WindowEvent::Destroyed => {
                event_loop.exit();
                return;
            }
            _ => {}
        }
        if !is_input(&event) {
            shown.info_read = None;
        }
        let window = shown.window.clone();
        let response = shown.state.on_window_event(&window, &event);
        if response.repaint {
            if repaint_now {
                self.frame(event_loop);
            } else {
                self.schedule(now);
            }
        }
    }
}
