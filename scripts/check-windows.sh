#!/usr/bin/env bash
# Type-checks and lints the whole workspace (app, CLI, sandbox, every test, bench and the e2e
# harness) for Windows from Linux, so `cfg(windows)` code and Unix-only calls in tests show up
# before the Windows CI job (.github/workflows/ci.yml) runs them. Needs the rust-std of
# x86_64-pc-windows-gnu (from static.rust-lang.org) and MinGW's gcc for the C in the build
# scripts (SQLite, ring); not part of .ci/run, whose machine reaches only the package registries.
#   bash scripts/check-windows.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
target=x86_64-pc-windows-gnu
command -v x86_64-w64-mingw32-gcc >/dev/null || apt-get install -y -q gcc-mingw-w64-x86-64
rustup target list --installed | grep -qx "$target" || rustup target add "$target"
# Its own target folder: nothing of it is shared with the Linux builds.
export CARGO_TARGET_DIR="${WINDOWS_CHECK_TARGET_DIR:-/var/tmp/switchboard-windows-check}"
[ -d ui/dist ] || (cd ui && npm run --silent build)
features=(--features switchboard/custom-protocol)
cargo clippy --target "$target" --workspace --all-targets "${features[@]}" -- -D warnings
# The e2e harness is `test = false`, so --all-targets leaves it out.
cargo clippy --target "$target" --test e2e "${features[@]}" -- -D warnings
echo "Windows ($target): the workspace, its tests and the e2e harness check and lint clean."
