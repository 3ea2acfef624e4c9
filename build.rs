//! Build script: on Windows targets, embeds the icon and the version information into
//! kunci.exe. On every other target it does nothing.
//!
//! A build script runs on the host, so the target is read from `CARGO_CFG_TARGET_OS` at run
//! time. Cargo evaluates `[target.'cfg(windows)'.build-dependencies]` against the host, hence
//! the `#[cfg(windows)]` below: the resource compiler is only used when building on Windows
//! (cross-builds from Linux get no resources, which is fine: releases are built on Windows).

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    #[cfg(windows)]
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("windows") {
        windows_resources();
    }
}

#[cfg(windows)]
fn windows_resources() {
    const ICON: &str = "assets/icon/kunci.ico";
    println!("cargo:rerun-if-changed={ICON}");
    let version = std::env::var("CARGO_PKG_VERSION").expect("cargo sets CARGO_PKG_VERSION");
    let mut res = winresource::WindowsResource::new();
    res.set("FileDescription", "Kunci")
        .set("ProductName", "Kunci")
        .set("CompanyName", "Kunci developers")
        .set("LegalCopyright", "Kunci developers; MIT OR Apache-2.0")
        .set("OriginalFilename", "kunci.exe")
        .set("InternalName", "kunci")
        .set("FileVersion", &version)
        .set("ProductVersion", &version);
    if std::path::Path::new(ICON).exists() {
        // The first icon in the file is the one Explorer and the taskbar show.
        res.set_icon(ICON);
    } else {
        println!(
            "cargo:warning={ICON} is missing: kunci.exe gets no icon (run scripts/make-icons)"
        );
    }
    if let Err(e) = res.compile() {
        panic!(
            "embedding the Windows resources failed (is the Windows SDK's rc.exe installed?): {e}"
        );
    }
}
