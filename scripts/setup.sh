#!/usr/bin/env bash
# Installs whatever is missing for Switchboard on Debian/Ubuntu (needs Rust and Node already):
# the system libraries Tauri builds against, the UI's npm packages and, with --test-tools, what
# the end-to-end tests need (Xvfb, WebKitWebDriver, tauri-driver, a D-Bus session) and, with
# --audit-tools, cargo-deny for scripts/supply-chain.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

with_test_tools=false
with_audit_tools=false
for option in "$@"; do
  case "$option" in
    --test-tools) with_test_tools=true ;;
    --audit-tools) with_audit_tools=true ;;
    *) echo "usage: setup.sh [--test-tools] [--audit-tools]"; exit 2 ;;
  esac
done

sudo_if_needed=""
if [ "$(id -u)" -ne 0 ]; then sudo_if_needed="sudo"; fi

packages=(libwebkit2gtk-4.1-dev build-essential file pkg-config libxdo-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev libdbus-1-dev)
if $with_test_tools; then
  packages+=(xvfb xauth webkit2gtk-driver dbus dbus-x11 gnome-keyring xdotool procps curl
    locales)  # locales: the definitions the German e2e scenario compiles with localedef
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$package")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== Installing system packages: ${missing[*]}"
  $sudo_if_needed apt-get update -qq
  $sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

for tool in cargo node npm; do
  command -v "$tool" >/dev/null || { echo "Switchboard needs $tool on PATH (Rust: https://rustup.rs, Node.js 20+)."; exit 1; }
done

# npm ci only when the lock file changed since the last install.
if [ ! -f ui/node_modules/.package-lock.json ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  echo "== Installing UI packages"
  (cd ui && npm ci --no-audit --no-fund)
fi

if $with_test_tools && ! command -v tauri-driver >/dev/null; then
  echo "== Installing tauri-driver"
  cargo install tauri-driver --locked --version '^2'
fi

# Built from crates.io (its prebuilt binaries are on GitHub, which CI can't reach); pinned so a
# new release can't change what CI checks without a commit. 3 min 44 s on this 2-core machine, cold.
cargo_deny_version=0.20.2
if $with_audit_tools && ! cargo deny --version 2>/dev/null | grep -qx "cargo-deny $cargo_deny_version"; then
  echo "== Installing cargo-deny $cargo_deny_version"
  cargo install cargo-deny --locked --version "$cargo_deny_version"
fi
