#!/usr/bin/env bash
# The keychain tests and the end-to-end tests through the real app window. They need a D-Bus
# session with an unlocked Secret Service (GNOME Keyring, in a throwaway folder) and, for the
# window, a virtual display. Run after `npm run build` in ui/ (the app embeds ui/dist).
#
#   E2E_ONLY=part_of_a_name bash scripts/e2e.sh   # the matching scenarios only
#   E2E_REPEAT=5 bash scripts/e2e.sh              # the suite 5 times, stopping at the first failure
#
# A failing scenario leaves a screenshot, the page's HTML and the app log under
# $CARGO_TARGET_DIR/e2e-failures/<scenario>/ (target/ when CARGO_TARGET_DIR is not set).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
cargo build --features switchboard/custom-protocol --tests
session_dir=$(mktemp -d)
trap 'rm -rf "$session_dir"' EXIT
mkdir -m 700 "$session_dir/run"
XDG_DATA_HOME="$session_dir" XDG_RUNTIME_DIR="$session_dir/run" NO_AT_BRIDGE=1 GTK_USE_PORTAL=0 \
  dbus-run-session --config-file=tests/e2e/dbus-session.conf -- bash -c '
  set -euo pipefail
  printf "switchboard-ci" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  cargo test --features switchboard/custom-protocol --test keychain
  xvfb-run -a -s "-screen 0 1280x900x24" cargo test --features switchboard/custom-protocol --test e2e
'
