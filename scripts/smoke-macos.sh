#!/usr/bin/env bash
# macOS has no WebDriver for WKWebView, so CI checks the built app the way a person first does:
# start Switchboard.app, wait until its window is on screen and the desk has asked for its
# connections (the "The desk listed N connection(s)" line in its log, written once the UI has
# rendered and IPC works), then take screenshots. Fails if the app exits or either never happens.
#
#   bash scripts/smoke-macos.sh path/to/Switchboard.app OUTPUT_FOLDER
#
# The app logs to ~/Library/Logs/com.switchboard.desk (tauri-plugin-log's LogDir on macOS for
# the identifier com.switchboard.desk); this script empties that folder first.
set -euo pipefail
app=${1:?usage: smoke-macos.sh Switchboard.app OUTPUT_FOLDER}
out=${2:?usage: smoke-macos.sh Switchboard.app OUTPUT_FOLDER}
mkdir -p "$out"
logs="$HOME/Library/Logs/com.switchboard.desk"
rm -rf "$logs"

echo "== Signature"
codesign --verify --strict --verbose=2 "$app"
codesign --display --verbose=2 "$app" 2>&1 | grep -E '^(Identifier|Signature|Authority|TeamIdentifier|CodeDirectory)' || true

# Lists the on-screen windows of one process as "number width height": CGWindowList gives a
# window's owner, number and bounds without the Screen Recording permission (only its title
# needs it).
helper="$out/.window-list"
cat >"$helper.swift" <<'SWIFT'
import CoreGraphics
import Foundation

let pid = Int(CommandLine.arguments[1]) ?? -1
let windows = CGWindowListCopyWindowInfo([.optionOnScreenOnly, .excludeDesktopElements], kCGNullWindowID)
    as? [[String: Any]] ?? []
for window in windows where (window[kCGWindowOwnerPID as String] as? Int) == pid {
    guard (window[kCGWindowLayer as String] as? Int) == 0,
          let number = window[kCGWindowNumber as String] as? Int,
          let bounds = window[kCGWindowBounds as String] as? [String: Any],
          let width = bounds["Width"] as? Double, let height = bounds["Height"] as? Double,
          width > 100, height > 100 else { continue }
    print(number, Int(width), Int(height))
}
SWIFT
xcrun swiftc -O -o "$helper" "$helper.swift"

echo "== Starting $app"
"$app/Contents/MacOS/switchboard" >"$out/stdout.log" 2>&1 &
pid=$!
stop() { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
trap stop EXIT

window="" listed=""
for _ in $(seq 1 120); do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "::error::Switchboard exited before its desk was ready. Its output:"
    cat "$out/stdout.log"
    exit 1
  fi
  [ -n "$window" ] || window=$("$helper" "$pid" | head -n 1 || true)
  [ -n "$listed" ] || listed=$(grep -h "The desk listed" "$logs"/*.log 2>/dev/null | head -n 1 || true)
  if [ -n "$window" ] && [ -n "$listed" ]; then break; fi
  sleep 1
done
cp "$logs"/*.log "$out/" 2>/dev/null || true
if [ -z "$window" ] || [ -z "$listed" ]; then
  echo "::error::After 2 minutes: window on screen: ${window:-no}; desk listed in the log: ${listed:-no}."
  echo "Log folder $logs:"; ls -la "$logs" 2>/dev/null || echo "(missing)"
  echo "Output:"; cat "$out/stdout.log"
  exit 1
fi
echo "   window (number width height): $window"
echo "   log: $listed"

# The desk asks for its connections right after its first render; give it a moment to paint
# the answer before the picture (the checks above are done, this only affects the screenshot).
sleep 2
echo "== Screenshots in $out"
screencapture -x "$out/screen.png"
screencapture -x -o -l"${window%% *}" "$out/window.png" ||
  echo "::warning::screencapture could not capture the window alone; screen.png has the whole screen."
ls -la "$out"
rm -f "$helper" "$helper.swift"
