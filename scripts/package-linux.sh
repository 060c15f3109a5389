#!/usr/bin/env bash
# Builds the Linux .deb, installs it, starts the installed app under Xvfb to check that it opens
# its window, prints the sizes, then removes the package again.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
sudo_if_needed=""
if [ "$(id -u)" -ne 0 ]; then sudo_if_needed="sudo"; fi

bash scripts/setup.sh --test-tools
started=$(date +%s)
echo "== Building the release .deb"
ui/node_modules/.bin/tauri build --ci --bundles deb
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
deb=$(ls -t "$target_dir"/release/bundle/deb/*.deb | head -n 1)
echo "   built $deb in $(( $(date +%s) - started )) s"

echo "== Installing it"
$sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$(realpath "$deb")" >/dev/null
trap '$sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq switchboard >/dev/null || true' EXIT
installed=$(dpkg -L switchboard | grep -E '/bin/switchboard$')
echo "   installed $installed"

echo "== Starting the installed app under Xvfb"
home=$(mktemp -d)
HOME="$home" XDG_RUNTIME_DIR="$home" NO_AT_BRIDGE=1 GTK_USE_PORTAL=0 \
  dbus-run-session --config-file=tests/e2e/dbus-session.conf -- \
  xvfb-run -a -s "-screen 0 1280x900x24" bash -c '
    "$1" & app=$!
    for _ in $(seq 1 60); do
      if xdotool search --name "^Switchboard$" >/dev/null 2>&1; then break; fi
      sleep 0.5
    done
    window=$(xdotool search --name "^Switchboard$" 2>/dev/null | head -n 1 || true)
    alive=$(kill -0 "$app" 2>/dev/null && echo yes || echo no)
    kill -TERM "$app" 2>/dev/null || true
    wait "$app" 2>/dev/null || true
    if [ -z "$window" ] || [ "$alive" != yes ]; then echo "   the installed app did not open its window"; exit 1; fi
    echo "   window $window is open; the app is running"
  ' _ "$installed"
rm -rf "$home"

echo "== Sizes"
printf '   %-28s %s bytes (%s)\n' "$(basename "$deb")" "$(stat -c %s "$deb")" "$(du -h "$deb" | cut -f1)"
printf '   %-28s %s bytes (%s)\n' "release binary" "$(stat -c %s "$target_dir/release/switchboard")" "$(du -h "$target_dir/release/switchboard" | cut -f1)"
printf '   %-28s %s bytes\n' "UI bundle (ui/dist)" "$(du -sb ui/dist | cut -f1)"
