# shellcheck shell=bash
# Sourced, not run: installs the Debian/Ubuntu packages a script needs, only those missing.
#
#   . "$root/scripts/packages.sh"
#   install_missing_packages PACKAGE...   (apt-get update + install, as root or through sudo)
#   as_root CMD...                        (also for the scripts' own dpkg/apt-get calls)
#   "${APT[@]}" ...                       (apt-get without prompts, waiting for another apt)
#   "${BUILD_PACKAGES[@]}", "${WINDOW_PACKAGES[@]}"   (what building Kunci / opening its window needs)
#
# Failures print "SCRIPT: what failed" and exit 1 (not the caller's fail, which may mean
# something else there, as in scripts/test-windows).

# Building: rustc needs a C linker; nokhwa's V4L2 bindings run bindgen, which loads libclang.
# shellcheck disable=SC2034 # used by the scripts that source this
BUILD_PACKAGES=(gcc libc6-dev libclang-dev)
# What the window loads at run time: X11 and Wayland clients, OpenGL/EGL (KUNCI_RENDERER=opengl).
# shellcheck disable=SC2034
WINDOW_PACKAGES=(libgl1 libegl1 libgl1-mesa-dri libxkbcommon0 libxkbcommon-x11-0 libxcursor1
    libxrandr2 libxi6 libwayland-client0 libwayland-cursor0 libwayland-egl1)

APT=(env DEBIAN_FRONTEND="${DEBIAN_FRONTEND:-noninteractive}" apt-get -y -o DPkg::Lock::Timeout=600)

packages_die() {
    printf '%s: %s\n' "${0##*/}" "$*" >&2
    exit 1
}

as_root() {
    if [[ $EUID -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null; then
        sudo "$@"
    else
        packages_die "need root to run: $* (run as root or install sudo)"
    fi
}

package_installed() { [[ $(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null) == ii* ]]; }

install_missing_packages() {
    if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
        printf '%s: not a Debian/Ubuntu system: install the equivalents of these yourself: %s\n' \
            "${0##*/}" "$*" >&2
        return 0
    fi
    local missing=() p
    for p in "$@"; do package_installed "$p" || missing+=("$p"); done
    [[ ${#missing[@]} -gt 0 ]] || return 0
    printf '\n==> %s: installing missing packages: %s\n' "${0##*/}" "${missing[*]}" >&2
    as_root "${APT[@]}" update || packages_die "apt-get update failed"
    as_root "${APT[@]}" install --no-install-recommends "${missing[@]}" ||
        packages_die "apt-get install ${missing[*]} failed"
}
