"""The measuring half of scripts/bench-quick (run through it: it sets up the keyring)."""

import os
import re
import secrets
import base64
import statistics
import subprocess
import sys
import tempfile
import threading
import time

N, ROUNDS = int(sys.argv[1]), int(sys.argv[2])
KUNCI = os.environ["KUNCI_BIN"]
HZ = os.sysconf("SC_CLK_TCK")

work = tempfile.mkdtemp(prefix="kunci-bench-quick-")
env = dict(os.environ, DISPLAY=":96", KUNCI_DATA_DIR=f"{work}/kunci",
           XDG_RUNTIME_DIR=f"{work}/run", XDG_CONFIG_HOME=f"{work}/config")
for var in ("WAYLAND_DISPLAY", "WAYLAND_SOCKET"):
    env.pop(var, None)
os.makedirs(env["XDG_RUNTIME_DIR"], mode=0o700)
os.makedirs(env["KUNCI_DATA_DIR"])
children = []


def spawn(*cmd, **kw):
    p = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, **kw)
    children.append(p)
    return p


def run(*cmd):
    return subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout


def wait(what, test, limit=30.0, step=0.005):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if test():
            return time.monotonic()
        time.sleep(step)
    sys.exit(f"bench-quick: {what} did not happen within {limit:.0f} s")


def main():
    # The clock check goes to a closed port on loopback; the tray is on (the default).
    with open(f"{env['KUNCI_DATA_DIR']}/settings.json", "w") as f:
        f.write('{"time_servers": ["127.0.0.1:9"], "https_time_urls": []}')
    with open(f"{work}/accounts.txt", "w") as f:
        for i in range(1, N + 1):
            key = base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")
            f.write(f"otpauth://totp/LPSE%20Kota%20{i}:penyedia{i}?secret={key}"
                    f"&issuer=LPSE%20Kota%20{i}\n")
    run(KUNCI, "import", f"{work}/accounts.txt", "--yes")

    spawn("Xvfb", ":96", "-screen", "0", "1280x800x24", "-nolisten", "tcp",
          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait("Xvfb", lambda: subprocess.run(["xdpyinfo"], env=env, capture_output=True).returncode == 0)
    spawn("openbox", stderr=subprocess.DEVNULL)
    spawn("status-notifier-watcher", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)

    # Every MapNotify/UnmapNotify of a top-level window, stamped as it arrives.
    events, lock = [], threading.Lock()
    xev = spawn("stdbuf", "-oL", "xev", "-root", "-event", "substructure",
                stdout=subprocess.PIPE, text=True)

    def read_events():
        kind = None
        for line in xev.stdout:
            if line.startswith(("MapNotify", "UnmapNotify")):
                kind = line.split()[0]
            elif kind and "window 0x" in line:
                window = re.search(r"window (0x[0-9a-f]+)", line).group(1)
                with lock:
                    events.append((time.monotonic(), kind, int(window, 16)))
                kind = None
    threading.Thread(target=read_events, daemon=True).start()
    time.sleep(0.3)

    typed = f"{work}/typed.txt"
    title = f"LPSE Kota {N // 2} - login"
    spawn("xterm", "-T", title, "-e", "sh", "-c",
          f"stty -icanon -echo min 1; exec cat > '{typed}'", stderr=subprocess.DEVNULL)
    wait("the xterm", lambda: run_ok("xdotool", "search", "--onlyvisible", "--name", title))
    xterm = run_ok("xdotool", "search", "--onlyvisible", "--name", title).split()[0]

    log = open(f"{work}/kunci.err", "w")
    kunci = spawn(KUNCI, "--minimized", stdout=subprocess.DEVNULL, stderr=log)
    wait("the shortcut listener", lambda: "listening for the quick-pick shortcut"
         in open(f"{work}/kunci.err").read(), limit=60)
    time.sleep(5)  # the tray item and the secrets settle
    hidden = "hidden in the tray" if not run_ok("xdotool", "search", "--onlyvisible",
                                                 "--name", "^Kunci$") else "minimised (no tray?)"

    def ticks():
        fields = open(f"/proc/{kunci.pid}/stat").read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    t0, w0 = ticks(), time.monotonic()
    time.sleep(20)
    idle_cpu = (ticks() - t0) / HZ
    idle_wall = time.monotonic() - w0
    status = open(f"/proc/{kunci.pid}/status").read()
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024
    threads = int(re.search(r"Threads:\s+(\d+)", status).group(1))

    def focus_xterm():
        run("xdotool", "windowactivate", "--sync", xterm)
        wait("the xterm's focus", lambda: run_ok("xdotool", "getactivewindow") == xterm)

    def press_and_wait_map(key):
        with lock:
            seen = len(events)
        start = time.monotonic()
        run("xdotool", "key", "--clearmodifiers", key)

        def mapped():
            with lock:
                return any(kind == "MapNotify" for _, kind, _ in events[seen:])
        wait("the picker's window", mapped, limit=10)
        with lock:
            stamp = next(t for t, kind, _ in events[seen:] if kind == "MapNotify")
        return stamp - start

    def esc_and_wait_unmap():
        with lock:
            seen = len(events)
        run("xdotool", "key", "Escape")

        def unmapped():
            with lock:
                return any(kind == "UnmapNotify" for _, kind, _ in events[seen:])
        wait("the picker to go", unmapped, limit=10)

    shown = []
    for _ in range(ROUNDS):
        focus_xterm()
        time.sleep(0.2)
        shown.append(press_and_wait_map("ctrl+alt+k"))
        time.sleep(0.3)
        esc_and_wait_unmap()

    typed_times = []
    for _ in range(max(1, ROUNDS // 2)):
        focus_xterm()
        time.sleep(0.2)
        before = os.path.getsize(typed) if os.path.exists(typed) else 0
        start = time.monotonic()
        press_and_wait_map("ctrl+alt+k")
        # Once mapped, the picker's first frame takes the keys.
        run("xdotool", "key", "--clearmodifiers", "shift+Return")
        end = wait("the code in the xterm", lambda: os.path.exists(typed)
                   and os.path.getsize(typed) >= before + 6, limit=15)
        typed_times.append(end - start)
        time.sleep(1.2)  # the focus is back in the xterm
    digits = open(typed).read()
    assert re.fullmatch(r"(\d{6})+", digits), f"typed {digits!r}"

    def line(name, values):
        values = [v * 1000 for v in values]
        print(f"{name:<44} {statistics.median(values):8.1f} {min(values):8.1f} {max(values):8.1f}")
    print(f"accounts: {N}, Kunci started with --minimized ({hidden}), openbox, Xvfb")
    print(f"{'':<44} {'median':>8} {'min':>8} {'max':>8}   (ms)")
    line(f"Ctrl+Alt+K -> picker mapped (n={len(shown)})", shown)
    line(f"Ctrl+Alt+K, Shift+Enter -> code typed (n={len(typed_times)})", typed_times)
    print(f"idle while hidden: {idle_cpu:.2f} CPU-s in {idle_wall:.0f} s, "
          f"{threads} threads, RSS {rss:.0f} MiB")


def run_ok(*cmd):
    return subprocess.run(cmd, env=env, capture_output=True, text=True).stdout.strip()


try:
    main()
finally:
    for p in reversed(children):
        p.kill()
    subprocess.run(["rm", "-rf", work])
