#!/usr/bin/env bash
# Installs whatever is missing, then starts Switchboard (development build) on the Practice connection.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec ui/node_modules/.bin/tauri dev
