#!/usr/bin/env bash
# Measures what docs/performance.md reports: launch to an interactive window, idle memory of the
# whole process tree, release binary and UI bundle sizes, filtering and paging 10,000 users.
# A benchmark, not a test: numbers vary with the machine; run it on a quiet one.
#   bash scripts/bench.sh            (RUNS=5 launches by default)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
runs=${RUNS:-5}

bash scripts/setup.sh --test-tools
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')

echo "== UI bundle (vite build)"
(cd ui && npx vite build >/dev/null)
bundle_bytes=$(find ui/dist -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
js_gzip=$(cat ui/dist/assets/*.js | gzip -9 | wc -c)
echo "   ui/dist: $bundle_bytes bytes in all; JavaScript gzipped: $js_gzip bytes"

echo "== Release binary (cargo build --release, as tauri build does)"
cargo build -q --release --features switchboard/custom-protocol
binary="$target_dir/release/switchboard"
echo "   $binary: $(stat -c %s "$binary") bytes"

echo "== Launch to an interactive desk, and idle memory ($runs launches under Xvfb)"
home=$(mktemp -d)
mkdir -m 700 "$home/run"
HOME="$home" XDG_RUNTIME_DIR="$home/run" NO_AT_BRIDGE=1 GTK_USE_PORTAL=0 \
  dbus-run-session --config-file=tests/e2e/dbus-session.conf -- \
  xvfb-run -a -s "-screen 0 1280x900x24" bash -c '
    set -euo pipefail
    binary=$1 runs=$2
    for run in $(seq 1 "$runs"); do
      export XDG_DATA_HOME=$(mktemp -d) XDG_CONFIG_HOME=$(mktemp -d)
      out=$(mktemp)
      started=$(date +%s%N)
      "$binary" >"$out" 2>&1 & app=$!
      window_ms="" ready_ms=""
      for _ in $(seq 1 600); do
        now=$(date +%s%N)
        if [ -z "$window_ms" ] && xdotool search --name "^Switchboard$" >/dev/null 2>&1; then
          window_ms=$(( (now - started) / 1000000 ))
        fi
        # The UI asks for its connections once React has rendered and IPC works.
        if grep -q "The desk listed" "$out"; then ready_ms=$(( (now - started) / 1000000 )); break; fi
        sleep 0.02
      done
      sleep 5
      memory=$(python3 scripts/process-tree-memory.py "$app")
      kill -TERM "$app" 2>/dev/null || true
      wait "$app" 2>/dev/null || true
      echo "   run $run: window mapped after ${window_ms:-?} ms, desk interactive after ${ready_ms:-?} ms; idle after 5 s: $memory"
    done
  ' _ "$binary" "$runs"
rm -rf "$home"

echo "== Filtering a 10,000-user picker as the user types (Vitest bench, ms per keystroke)"
(cd ui && npx vitest bench --run 2>&1 | grep -E "^\s+·|name" | sed 's/^/   /')

echo "== Paging 10,000 users from the sandbox over HTTP (cargo bench)"
cargo bench -q --bench pickers 2>/dev/null | sed 's/^/   /'
