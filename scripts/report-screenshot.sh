#!/usr/bin/env bash
# Renders the HTML report of RESULTS (file or folder) in headless Chromium and writes
# a PNG beside it, so the report can be looked at as a picture.
# Usage: scripts/report-screenshot.sh RESULTS [BASELINE] [out.png]
set -euo pipefail
cd "$(dirname "$0")/.."
results=${1:?results file or folder}
baseline=${2:-}
png=${3:-report.png}
command -v chromium >/dev/null || ./scripts/install-deps.sh chromium
html=$(mktemp /tmp/rehearse-report-XXXXXX.html)
trap 'rm -f "$html"' EXIT
args=(report "$results" --html "$html")
[ -n "$baseline" ] && args+=(--baseline "$baseline")
.build/debug/rehearse "${args[@]}" >/dev/null
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --screenshot="$png" --window-size=1200,2400 "file://$html" 2>/dev/null
echo "wrote $png"
