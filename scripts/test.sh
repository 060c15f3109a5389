#!/usr/bin/env bash
# Runs every check and test: formatting, lints, the UI's typecheck and tests, the Rust unit,
# integration and command tests, and the end-to-end tests through the real window under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
started=$(date +%s)
step() { echo; echo "== $* ($(( $(date +%s) - started )) s)"; }

bash scripts/setup.sh --test-tools

step "Rust formatting"
cargo fmt --all --check

step "UI typecheck"
(cd ui && npm run --silent typecheck)

step "UI tests"
(cd ui && npm test --silent)

# The app embeds ui/dist at compile time, so the UI is built before any Rust build.
step "UI build"
(cd ui && npm run --silent build)

step "Clippy"
cargo clippy --workspace --all-targets --features switchboard/custom-protocol -- -D warnings

step "Rust tests (unit, integration against the sandbox, commands, generated bindings)"
cargo test --workspace --features switchboard/custom-protocol

# The keychain and end-to-end tests need a D-Bus session with an unlocked Secret Service
# (GNOME Keyring, in a throwaway folder) and, for the window, a virtual display.
step "Keychain and end-to-end tests (real Secret Service, real window under Xvfb)"
cargo build --features switchboard/custom-protocol --tests
session_dir=$(mktemp -d)
mkdir -m 700 "$session_dir/run"
XDG_DATA_HOME="$session_dir" XDG_RUNTIME_DIR="$session_dir/run" NO_AT_BRIDGE=1 GTK_USE_PORTAL=0 \
  dbus-run-session --config-file=tests/e2e/dbus-session.conf -- bash -c '
  set -euo pipefail
  printf "switchboard-ci" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  cargo test --features switchboard/custom-protocol --test keychain
  xvfb-run -a -s "-screen 0 1280x900x24" cargo test --features switchboard/custom-protocol --test e2e
'
rm -rf "$session_dir"

step "All checks passed"
