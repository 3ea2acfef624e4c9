//! Screen capture: one greyscale frame per monitor.
//!
//! - Linux, X11: the root window through x11rb, one `GetImage` per RandR monitor (all of them,
//!   not just the primary), any TrueColor depth (16, 24, 30, 32 bits) and either byte order.
//! - Linux, Wayland: the desktop portal's Screenshot call (non-interactive) through ashpd, which
//!   gives the whole desktop as one picture. Under XWayland the X root window only shows X
//!   programs (a Wayland browser comes out black), so on Wayland the portal comes first and X11
//!   is the fallback.
//! - Windows and macOS: xcap (cargo feature `xcap`, on by default).
//!
//! Without a display, or when every way fails, [`ScanError::NoScreen`] says why.

use super::{GrayImage, ScanError};

/// Captures every monitor. The pictures come in no particular order; each is greyscale at the
/// monitor's own resolution.
pub fn capture() -> Result<Vec<GrayImage>, ScanError> {
    #[cfg(target_os = "linux")]
    {
        linux::capture()
    }
    #[cfg(all(any(windows, target_os = "macos"), feature = "xcap"))]
    {
        xcap_capture()
    }
    #[cfg(not(any(
        target_os = "linux",
        all(any(windows, target_os = "macos"), feature = "xcap")
    )))]
    {
        Err(ScanError::NoScreen(
            "this build of Kunci cannot capture the screen on this system".into(),
        ))
    }
}

#[cfg(all(any(windows, target_os = "macos"), feature = "xcap"))]
fn xcap_capture() -> Result<Vec<GrayImage>, ScanError> {
    let monitors = xcap::Monitor::all()
        .map_err(|e| ScanError::NoScreen(format!("cannot list the monitors: {e}")))?;
    if monitors.is_empty() {
        return Err(ScanError::NoScreen("no monitor was found".into()));
    }
    let mut frames = Vec::with_capacity(monitors.len());
    let mut errors = Vec::new();
    for monitor in &monitors {
        let name = monitor.name().unwrap_or_else(|_| "monitor".into());
        match monitor.capture_image() {
            Ok(rgba) => {
                let (width, height) = rgba.dimensions();
                match super::file::rgba_to_gray(width, height, rgba.as_raw()) {
                    Some(grey) if width > 0 && height > 0 => frames.push(grey),
                    _ => errors.push(format!("{name}: empty or malformed picture")),
                }
            }
            Err(e) => errors.push(format!("{name}: {e}")),
        }
    }
    if frames.is_empty() {
        #[cfg(target_os = "macos")]
        let hint = " (allow Kunci under System Settings → Privacy & Security → Screen Recording)";
        #[cfg(not(target_os = "macos"))]
        let hint = "";
        return Err(ScanError::NoScreen(format!(
            "no monitor could be captured: {}{hint}",
            errors.join("; ")
        )));
    }
    Ok(frames)
}

#[cfg(target_os = "linux")]
mod linux {
    use super::{GrayImage, ScanError};

    fn env_set(name: &str) -> bool {
        std::env::var_os(name).is_some_and(|v| !v.is_empty())
    }

    pub(super) fn capture() -> Result<Vec<GrayImage>, ScanError> {
        let x11 = env_set("DISPLAY");
        let wayland = env_set("WAYLAND_DISPLAY")
            || env_set("WAYLAND_SOCKET")
            || std::env::var("XDG_SESSION_TYPE").is_ok_and(|t| t.eq_ignore_ascii_case("wayland"));
        if wayland {
            let portal_error = match super::portal::capture() {
                Ok(frame) => return Ok(vec![frame]),
                Err(e) => e,
            };
            if !x11 {
                return Err(portal_error);
            }
            return super::x11::capture().map_err(|x_error| {
                ScanError::NoScreen(format!(
                    "{} — and through X11: {}",
                    reason(&portal_error),
                    reason(&x_error)
                ))
            });
        }
        if x11 {
            return super::x11::capture();
        }
        Err(ScanError::NoScreen(
            "there is no graphical session (neither DISPLAY nor WAYLAND_DISPLAY is set)".into(),
        ))
    }

    fn reason(e: &ScanError) -> String {
        match e {
            ScanError::NoScreen(reason) => reason.clone(),
            other => other.to_string(),
        }
    }
}

/// X11: the root window, one rectangle per RandR monitor.
#[cfg(target_os = "linux")]
mod x11 {
    use x11rb::connection::Connection;
    use x11rb::protocol::randr::ConnectionExt as _;
    use x11rb::protocol::xproto::{
        ConnectionExt as _, ImageFormat, ImageOrder, Screen, Setup, VisualClass, Visualtype,
    };

    use super::{GrayImage, ScanError};

    /// Largest `GetImage` reply asked for at once; bigger monitors are read in strips.
    const MAX_STRIP_BYTES: usize = 16 << 20;

    fn no_screen(what: &str, e: impl std::fmt::Display) -> ScanError {
        ScanError::NoScreen(format!("{what}: {e}"))
    }

    pub(super) fn capture() -> Result<Vec<GrayImage>, ScanError> {
        let display = std::env::var("DISPLAY").unwrap_or_default();
        let (conn, screen_num) = x11rb::connect(None)
            .map_err(|e| no_screen(&format!("cannot connect to the X display {display:?}"), e))?;
        let setup = conn.setup();
        let screen = setup.roots.get(screen_num).ok_or_else(|| {
            ScanError::NoScreen(format!("the X display has no screen {screen_num}"))
        })?;
        let rects = monitors(&conn, screen);
        let mut frames = Vec::with_capacity(rects.len());
        for (x, y, width, height) in rects {
            frames.push(capture_rect(&conn, setup, screen, x, y, width, height)?);
        }
        Ok(frames)
    }

    /// The monitors' rectangles, clipped to the root window and without duplicates (mirrored
    /// outputs); the whole root window when RandR is missing or reports nothing.
    fn monitors(conn: &impl Connection, screen: &Screen) -> Vec<(u16, u16, u16, u16)> {
        let (root_w, root_h) = (
            i32::from(screen.width_in_pixels),
            i32::from(screen.height_in_pixels),
        );
        let whole = vec![(0, 0, screen.width_in_pixels, screen.height_in_pixels)];
        let reply = conn
            .randr_get_monitors(screen.root, true)
            .ok()
            .and_then(|cookie| cookie.reply().ok());
        let Some(reply) = reply else {
            return whole;
        };
        let mut rects = Vec::new();
        for m in reply.monitors {
            let x0 = i32::from(m.x).clamp(0, root_w);
            let y0 = i32::from(m.y).clamp(0, root_h);
            let x1 = (i32::from(m.x) + i32::from(m.width)).clamp(0, root_w);
            let y1 = (i32::from(m.y) + i32::from(m.height)).clamp(0, root_h);
            if x1 <= x0 || y1 <= y0 {
                continue;
            }
            // The clamps keep every value within 0..=65535.
            let rect = (x0 as u16, y0 as u16, (x1 - x0) as u16, (y1 - y0) as u16);
            if !rects.contains(&rect) {
                rects.push(rect);
            }
        }
        if rects.is_empty() { whole } else { rects }
    }

    /// How to read one pixel of a `GetImage` reply.
    struct PixelLayout {
        bytes_per_pixel: usize,
        msb_first: bool,
        masks: [u32; 3],
    }

    fn capture_rect(
        conn: &impl Connection,
        setup: &Setup,
        screen: &Screen,
        x: u16,
        y: u16,
        width: u16,
        height: u16,
    ) -> Result<GrayImage, ScanError> {
        let mut out = GrayImage::new(u32::from(width), u32::from(height));
        let row_guess = usize::from(width) * 4;
        let strip = (MAX_STRIP_BYTES / row_guess.max(1)).clamp(1, usize::from(height)) as u16;
        let mut layout: Option<PixelLayout> = None;
        let mut top = 0u16;
        while top < height {
            let rows = strip.min(height - top);
            let reply = conn
                .get_image(
                    ImageFormat::Z_PIXMAP,
                    screen.root,
                    x as i16,
                    (y + top) as i16,
                    width,
                    rows,
                    !0,
                )
                .map_err(|e| no_screen("cannot ask the X server for the screen's pixels", e))?
                .reply()
                .map_err(|e| no_screen("the X server refused to give the screen's pixels", e))?;
            let layout = match &layout {
                Some(layout) => layout,
                None => layout.insert(pixel_layout(setup, screen, reply.depth, reply.visual)?),
            };
            let stride = reply.data.len() / usize::from(rows);
            if stride < usize::from(width) * layout.bytes_per_pixel {
                return Err(ScanError::NoScreen(format!(
                    "the X server sent {} bytes for {width}×{rows} pixels",
                    reply.data.len()
                )));
            }
            let first = usize::from(top) * usize::from(width);
            let raw: &mut [u8] = &mut out;
            let dst = &mut raw[first..first + usize::from(rows) * usize::from(width)];
            for (dst_row, src_row) in dst
                .chunks_exact_mut(usize::from(width))
                .zip(reply.data.chunks_exact(stride))
            {
                convert_row(layout, src_row, dst_row);
            }
            top += rows;
        }
        Ok(out)
    }

    fn pixel_layout(
        setup: &Setup,
        screen: &Screen,
        depth: u8,
        visual: u32,
    ) -> Result<PixelLayout, ScanError> {
        let format = setup
            .pixmap_formats
            .iter()
            .find(|f| f.depth == depth)
            .ok_or_else(|| {
                ScanError::NoScreen(format!(
                    "the X server has no pixel format for depth {depth}"
                ))
            })?;
        let bytes_per_pixel = match format.bits_per_pixel {
            16 => 2,
            24 => 3,
            32 => 4,
            bits => {
                return Err(ScanError::NoScreen(format!(
                    "the X display uses {bits} bits per pixel, which Kunci cannot read"
                )));
            }
        };
        let visual_id = if visual == 0 {
            screen.root_visual
        } else {
            visual
        };
        let visual_type: Option<&Visualtype> = screen
            .allowed_depths
            .iter()
            .flat_map(|d| d.visuals.iter())
            .find(|v| v.visual_id == visual_id);
        let Some(visual_type) = visual_type else {
            return Err(ScanError::NoScreen(format!(
                "the X display's visual {visual_id:#x} is unknown"
            )));
        };
        if !matches!(
            visual_type.class,
            VisualClass::TRUE_COLOR | VisualClass::DIRECT_COLOR
        ) || visual_type.red_mask == 0
        {
            return Err(ScanError::NoScreen(
                "the X display uses palette colours, which Kunci cannot read; switch it to \
                 16- or 24-bit colour"
                    .into(),
            ));
        }
        Ok(PixelLayout {
            bytes_per_pixel,
            msb_first: setup.image_byte_order == ImageOrder::MSB_FIRST,
            masks: [
                visual_type.red_mask,
                visual_type.green_mask,
                visual_type.blue_mask,
            ],
        })
    }

    fn convert_row(layout: &PixelLayout, src: &[u8], dst: &mut [u8]) {
        let pixels = src.chunks_exact(layout.bytes_per_pixel);
        // The common case: 8 bits per channel in 32-bit little-endian words (B, G, R, X).
        if layout.bytes_per_pixel == 4
            && !layout.msb_first
            && layout.masks == [0x00ff_0000, 0x0000_ff00, 0x0000_00ff]
        {
            for (d, p) in dst.iter_mut().zip(pixels) {
                *d = luma(u32::from(p[2]), u32::from(p[1]), u32::from(p[0]));
            }
            return;
        }
        let channels = layout.masks.map(Channel::new);
        for (d, p) in dst.iter_mut().zip(pixels) {
            let value = if layout.msb_first {
                p.iter().fold(0u32, |v, &b| v << 8 | u32::from(b))
            } else {
                p.iter().rev().fold(0u32, |v, &b| v << 8 | u32::from(b))
            };
            let [r, g, b] = channels.map(|c| c.extract(value));
            *d = luma(r, g, b);
        }
    }

    /// One colour channel of a TrueColor pixel: where it is and how to scale it to 8 bits.
    #[derive(Clone, Copy)]
    struct Channel {
        mask: u32,
        shift: u32,
        max: u32,
    }

    impl Channel {
        fn new(mask: u32) -> Self {
            let shift = mask.trailing_zeros().min(31);
            let max = (mask >> shift).max(1);
            Channel { mask, shift, max }
        }

        fn extract(self, pixel: u32) -> u32 {
            let v = (pixel & self.mask) >> self.shift;
            (u64::from(v) * 255 / u64::from(self.max)) as u32
        }
    }

    /// Rec. 601 luma of 8-bit channels.
    fn luma(r: u32, g: u32, b: u32) -> u8 {
        ((19595 * r + 38470 * g + 7471 * b + 32768) >> 16) as u8
    }
}

/// Wayland: the desktop portal's Screenshot call.
#[cfg(target_os = "linux")]
mod portal {
    use std::time::Duration;

    use ashpd::desktop::screenshot::Screenshot;
    use futures_lite::FutureExt as _;

    use super::{GrayImage, ScanError};

    const NO_PORTAL: &str = "no desktop portal takes screenshots here (install \
         xdg-desktop-portal and the one for your desktop, e.g. xdg-desktop-portal-gnome, -kde \
         or -wlr)";

    /// How long to wait for the portal, which may first ask the user for permission.
    const TIMEOUT: Duration = Duration::from_secs(60);

    pub(super) fn capture() -> Result<GrayImage, ScanError> {
        let request = async {
            let request = Screenshot::request()
                .interactive(false)
                .modal(false)
                .send()
                .await
                .map_err(|e| explain("the desktop portal cannot take screenshots", &e))?;
            let response = request
                .response()
                .map_err(|e| explain("the desktop portal did not take the screenshot", &e))?;
            Ok::<_, ScanError>(response.uri().as_str().to_owned())
        };
        let timeout = async {
            async_io::Timer::after(TIMEOUT).await;
            Err(ScanError::NoScreen(format!(
                "the desktop portal did not answer within {} s",
                TIMEOUT.as_secs()
            )))
        };
        let uri = async_io::block_on(request.or(timeout))?;
        let path = file_path(&uri).ok_or_else(|| {
            ScanError::NoScreen(format!(
                "the desktop portal gave an unusable address: {uri}"
            ))
        })?;
        let bytes = std::fs::read(&path).map_err(|e| {
            ScanError::NoScreen(format!(
                "cannot read the portal's screenshot {}: {e}",
                path.display()
            ))
        });
        // The screenshot may show the enrolment QR code, that is the account's secret: do not
        // leave it lying around (the portal made this file for this one request).
        let _ = std::fs::remove_file(&path);
        super::super::file::load_bytes(&bytes?, &path.display().to_string())
    }

    fn explain(what: &str, e: &ashpd::Error) -> ScanError {
        let detail = match e {
            ashpd::Error::Response(ashpd::desktop::ResponseError::Cancelled) => {
                "the request was cancelled (was screen capture allowed for Kunci?)".to_owned()
            }
            ashpd::Error::PortalNotFound(_) => NO_PORTAL.to_owned(),
            ashpd::Error::Zbus(z) if z.to_string().contains("ServiceUnknown") => {
                NO_PORTAL.to_owned()
            }
            other => other.to_string(),
        };
        ScanError::NoScreen(format!("{what}: {detail}"))
    }

    /// `file:///a%20b.png` → `/a b.png`.
    fn file_path(uri: &str) -> Option<std::path::PathBuf> {
        let rest = uri.strip_prefix("file://")?;
        // Only local files: an empty host or "localhost".
        let path = rest.strip_prefix("localhost").unwrap_or(rest);
        if !path.starts_with('/') {
            return None;
        }
        let decoded = percent_encoding::percent_decode_str(path).collect::<Vec<u8>>();
        use std::os::unix::ffi::OsStringExt as _;
        Some(std::ffi::OsString::from_vec(decoded).into())
    }
}
