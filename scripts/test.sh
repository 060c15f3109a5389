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

# The property tests ran above with 512 inputs each; here with 10,000 (about 5 s each, debug build).
step "Property tests, longer (field checks, path ids, RQL quoting, vendor error bodies, spreadsheet reader)"
PROPTEST_CASES=10000 cargo test --workspace --features switchboard/custom-protocol --lib properties::

# Short runs of two benchmarks that assert what they measure (debug build: the sandbox is a
# plain-http profile, which an optimised build refuses): 2,000 updates through sustained faults all
# end in a definite outcome; a 1,000-row bulk run killed with SIGKILL 10 times sends no row twice
# and loses none.
step "Soaks (fault soak; bulk run killed and resumed)"
cargo bench --profile dev --bench soak
BULK_PARTS=3 cargo bench --profile dev -p switchboard-cli --bench bulk

step "Keychain and end-to-end tests (real Secret Service, real window under Xvfb)"
bash scripts/e2e.sh

step "All checks passed"
