#!/usr/bin/env bash
# Issue #17's yardstick: Switchboard beside an empty Tauri v2 app (bench/minimal-app: one window,
# a static page, the same tauri version and release profile), both built in this run and launched
# alternately under the same Xvfb and D-Bus session. For each: launch → window mapped, (Switchboard
# only) launch → desk interactive (its first IPC answered), idle PSS 5 s after launch per process
# and in total, and the release binary's size; medians and minima, the ratios last.
# A benchmark, not a test: run it on a quiet machine.
#   bash scripts/bench-startup.sh        (RUNS=5 pairs after WARMUP=1 uncounted pair)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
runs=${RUNS:-5}
warmup=${WARMUP:-1}

bash scripts/setup.sh --test-tools
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')

echo "== Building both in release (Switchboard embeds ui/dist: vite build first)"
(cd ui && npx vite build >/dev/null)
cargo build -q --release --features switchboard/custom-protocol
# Its own workspace and lockfile; the same target directory, so shared crates build once.
CARGO_TARGET_DIR="$target_dir" cargo build -q --release --locked --manifest-path bench/minimal-app/Cargo.toml
switchboard="$target_dir/release/switchboard"
minimal="$target_dir/release/minimal-app"

results=$(mktemp)
home=$(mktemp -d)
mkdir -m 700 "$home/run"
echo "== Launching each $runs times, alternately (after $warmup uncounted pair(s)), under Xvfb"
HOME="$home" XDG_RUNTIME_DIR="$home/run" NO_AT_BRIDGE=1 GTK_USE_PORTAL=0 \
  dbus-run-session --config-file=tests/e2e/dbus-session.conf -- \
  xvfb-run -a -s "-screen 0 1280x900x24" bash -c '
    set -euo pipefail
    minimal=$1 switchboard=$2 runs=$3 warmup=$4 results=$5
    # launch NAME BINARY TITLE RUN: one launch, one line of results (run 0 = warm-up, not kept).
    launch() {
      local name=$1 binary=$2 title=$3 run=$4
      export XDG_DATA_HOME=$(mktemp -d) XDG_CONFIG_HOME=$(mktemp -d) XDG_CACHE_HOME=$(mktemp -d)
      local out started now app window_ms="" ready_ms=""
      out=$(mktemp)
      started=$(date +%s%N)
      "$binary" >"$out" 2>&1 & app=$!
      for _ in $(seq 1 1000); do
        now=$(date +%s%N)
        # Mapped: --onlyvisible matches viewable windows only (GTK names the window before mapping it).
        if [ -z "$window_ms" ] && xdotool search --onlyvisible --name "^$title\$" >/dev/null 2>&1; then
          window_ms=$(( (now - started) / 1000000 ))
        fi
        # Switchboard: the UI has rendered and its first IPC call (the connections) was answered.
        if [ "$name" = switchboard ] && grep -q "The desk listed" "$out"; then
          ready_ms=$(( (now - started) / 1000000 ))
        fi
        if [ -n "$window_ms" ] && { [ "$name" != switchboard ] || [ -n "$ready_ms" ]; }; then break; fi
        sleep 0.01
      done
      # Xvfb now and then refuses a client that starts right after another ended ("Failed to
      # initialize GTK", both apps alike): such a launch measured nothing, so it is made again.
      if [ -z "$window_ms" ] && ! kill -0 "$app" 2>/dev/null && [ "${retries:-0}" -lt 3 ]; then
        echo "   $name run $run: exited before its window ($(grep -m1 -o "Failed to initialize [A-Za-z]*" "$out" || echo "no message")); again"
        rm -rf "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$out"
        sleep 0.5
        retries=$(( ${retries:-0} + 1 )) launch "$@"
        return
      fi
      # Idle memory 5 s after launch.
      now=$(date +%s%N)
      sleep "$(python3 -c "print(max(0, 5 - ($now - $started) / 1e9))")"
      local memory
      memory=$(python3 scripts/process-tree-memory.py "$app" --tsv)
      local children
      children=$(pgrep -P "$app" || true)
      kill -TERM "$app" 2>/dev/null || true
      wait "$app" 2>/dev/null || true
      # The web and network processes go with the app; wait for them so launches never overlap.
      for child in $children; do
        while kill -0 "$child" 2>/dev/null; do sleep 0.05; done
      done
      if [ "$run" -gt 0 ]; then
        printf "%s\t%s\twindow\t%s\n" "$name" "$run" "${window_ms:-}" >>"$results"
        if [ "$name" = switchboard ]; then printf "%s\t%s\tinteractive\t%s\n" "$name" "$run" "${ready_ms:-}" >>"$results"; fi
        printf "%s\n" "$memory" | awk -v n="$name" -v r="$run" -F "\t" "{print n \"\t\" r \"\tpss:\" \$1 \"\t\" \$2}" >>"$results"
      fi
      echo "   $name run $run: window mapped ${window_ms:-?} ms${ready_ms:+, desk interactive $ready_ms ms}; PSS KiB: $(printf "%s" "$memory" | cut -f1,2 | tr "\t\n" "= " )"
      rm -rf "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$out"
    }
    for run in $(seq $((1 - warmup)) "$runs"); do
      [ "$run" -lt 1 ] && run=0
      launch minimal "$minimal" "Minimal Tauri app" "$run"
      launch switchboard "$switchboard" "Switchboard" "$run"
    done
  ' _ "$minimal" "$switchboard" "$runs" "$warmup" "$results"
rm -rf "$home"

echo "== Results ($runs launches each; median, min in brackets)"
python3 - "$results" "$minimal" "$switchboard" <<'PY'
import statistics, sys, os
from collections import defaultdict

path, minimal_bin, switchboard_bin = sys.argv[1:]
values = defaultdict(lambda: defaultdict(list))  # app -> metric -> values
per_run = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))  # app -> run -> metric -> KiB
for line in open(path):
    app, run, metric, value = line.rstrip("\n").split("\t")
    if value == "":
        continue
    if metric.startswith("pss:"):
        process = metric[4:]
        # /proc's comm is cut at 15 characters (WebKitWebProces); the app's own process is "main".
        process = next((full for full in ("WebKitWebProcess", "WebKitNetworkProcess") if full[:15] == process[:15]), "main")
        per_run[app][run]["PSS " + process] += int(value)
        per_run[app][run]["PSS total"] += int(value)
    else:
        values[app][metric].append(int(value))
for app, runs in per_run.items():
    for metrics in runs.values():
        for metric, kib in metrics.items():
            values[app][metric].append(kib)

def show(metric, v):
    if not v:
        return "–"
    if metric.startswith("PSS"):
        return f"{statistics.median(v) / 1024:.0f} MiB ({min(v) / 1024:.0f})"
    return f"{statistics.median(v):.0f} ms ({min(v)})"

metrics = ["window", "interactive", "PSS total", "PSS main", "PSS WebKitWebProcess", "PSS WebKitNetworkProcess"]
labels = {"window": "launch → window mapped", "interactive": "launch → desk interactive (first IPC answered)",
          "PSS total": "idle PSS 5 s after launch, whole tree", "PSS main": "  of which the app's own process",
          "PSS WebKitWebProcess": "  of which WebKitWebProcess", "PSS WebKitNetworkProcess": "  of which WebKitNetworkProcess"}
sizes = {"minimal": os.path.getsize(minimal_bin), "switchboard": os.path.getsize(switchboard_bin)}
print("| what | minimal Tauri app | Switchboard | ratio (medians) |")
print("| --- | --- | --- | --- |")
ratios = []
for metric in metrics:
    a, b = values["minimal"].get(metric, []), values["switchboard"].get(metric, [])
    ratio = f"{statistics.median(b) / statistics.median(a):.2f}×" if a and b else "–"
    print(f"| {labels[metric]} | {show(metric, a)} | {show(metric, b)} | {ratio} |")
    if a and b and metric in ("window", "PSS total"):
        ratios.append((labels[metric].strip(), ratio))
size_ratio = f"{sizes['switchboard'] / sizes['minimal']:.2f}×"
print(f"| release binary (stripped) | {sizes['minimal']:,} bytes | {sizes['switchboard']:,} bytes | {size_ratio} |")
ratios.append(("release binary", size_ratio))
print()
print("Ratios (Switchboard / minimal app; issue #17's goal: window and PSS ≤ 1.1×, binary ≤ 1.5×):")
for label, ratio in ratios:
    print(f"   {label}: {ratio}")
PY
rm -f "$results"
