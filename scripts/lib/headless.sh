# shellcheck shell=bash
# Shared helpers for scripts/test, scripts/screenshot and .ci/run: install the
# Debian packages a headless GUI run needs, give the run private XDG
# directories, and start a private X server. Source this file; it only defines
# functions and changes nothing by itself.

# The libraries eframe/winit load at run time (X11, GL), the session bus and
# Secret Service used by the keyring tests, and tools for looking at screens.
HEADLESS_PACKAGES=(
    ca-certificates dbus-daemon dbus-bin gnome-keyring xvfb xauth xfonts-base
    libx11-xcb1 libxcursor1 libxi6 libxkbcommon-x11-0
    libgl1 libglx-mesa0 libgl1-mesa-dri imagemagick xdotool
)

# ensure_debian_packages PKG...
# Installs whichever PKGs are missing, but only when we can (root + apt-get).
# Otherwise it names them and carries on: a developer machine may provide the
# same things another way, and the callers degrade gracefully.
ensure_debian_packages() {
    if ! command -v dpkg >/dev/null 2>&1; then
        echo "note: not a Debian system; not checking for: $*" >&2
        return 0
    fi
    local pkg missing=()
    for pkg in "$@"; do
        # `dpkg -s` also succeeds for removed packages whose config files
        # remain, so look at the status line rather than the exit code.
        [[ $(dpkg -s "$pkg" 2>/dev/null) == *"Status: install ok installed"* ]] ||
            missing+=("$pkg")
    done
    ((${#missing[@]} > 0)) || return 0

    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        echo "installing missing packages: ${missing[*]}" >&2
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
    else
        echo "warning: missing packages (not root or no apt-get, continuing): ${missing[*]}" >&2
    fi
}

# use_private_xdg_dirs SCRATCH
# Points XDG data/config/cache/runtime dirs into SCRATCH so neither the app's
# settings nor the keyring files touch the user's own. HOME stays as it is,
# because rustup and cargo find their toolchains through it. The runtime dir
# matters too: gnome-keyring-daemon puts its control socket there, and sharing
# the user's would let `--unlock` talk to the user's real keyring daemon.
use_private_xdg_dirs() {
    local scratch=$1 dir
    for dir in data config cache runtime; do
        mkdir -p "$scratch/$dir"
    done
    chmod 700 "$scratch/runtime"
    export XDG_DATA_HOME="$scratch/data"
    export XDG_CONFIG_HOME="$scratch/config"
    export XDG_CACHE_HOME="$scratch/cache"
    export XDG_RUNTIME_DIR="$scratch/runtime"
}

# start_xvfb LOGDIR
# Starts Xvfb on the first free display, exports DISPLAY and sets XVFB_PID.
# `-displayfd` lets the server choose the display and write its number once it
# accepts connections, so we neither race other servers for :99 nor sleep
# blindly. Pair with stop_xvfb in an EXIT trap.
XVFB_PID=
start_xvfb() {
    local logdir=$1 number_file log _
    number_file=$(mktemp "$logdir/xvfb-display.XXXXXX")
    log="$logdir/xvfb.log"
    Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$number_file" >"$log" 2>&1 &
    XVFB_PID=$!
    for _ in $(seq 100); do
        [[ -s $number_file ]] && break
        if ! kill -0 "$XVFB_PID" 2>/dev/null; then
            echo "error: Xvfb exited during startup:" >&2
            cat "$log" >&2
            XVFB_PID=
            return 1
        fi
        sleep 0.1
    done
    if [[ ! -s $number_file ]]; then
        echo "error: Xvfb did not report a display within 10s" >&2
        return 1
    fi
    export DISPLAY=":$(<"$number_file")"
    # winit prefers Wayland when it can see a compositor; keep it on our X server.
    unset WAYLAND_DISPLAY
}

stop_xvfb() {
    if [[ -n ${XVFB_PID:-} ]]; then
        kill "$XVFB_PID" 2>/dev/null || true
        wait "$XVFB_PID" 2>/dev/null || true
        XVFB_PID=
    fi
}
