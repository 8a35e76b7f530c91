#!/usr/bin/env bash
# Renders the HTML report in headless Chromium and writes a PNG, so the report can be
# looked at as a picture.
# Usage: scripts/report-screenshot.sh RESULTS [BASELINE] [out.png]
#        scripts/report-screenshot.sh --sample [out.png]
#   RESULTS and BASELINE are results files or folders (as `rehearse report` takes them).
#   --sample renders the synthetic document of Tests/TestBasics/SampleResults.swift
#   (five repetitions, a background workload with a timeline, a lock fault, a 1.4x slower
#   run against its baseline) without PostgreSQL, through the HTMLReport tests.
set -euo pipefail
cd "$(dirname "$0")/.."
html=$(mktemp /tmp/rehearse-report-XXXXXX.html)
trap 'rm -f "$html" "$html".*.json' EXIT
if [ "${1:-}" = "--sample" ]; then
    png=${2:-report.png}
    REHEARSE_SAMPLE_HTML="$html" swift test --filter HTMLReportTests >/dev/null
else
    results=${1:?usage: scripts/report-screenshot.sh RESULTS [BASELINE] [out.png] | --sample [out.png]}
    baseline=${2:-}
    png=${3:-report.png}
    # The release build when there is one (faster on a large results folder), else debug.
    bin=.build/release/rehearse
    [ -x "$bin" ] || bin=.build/debug/rehearse
    [ -x "$bin" ] || swift build --product rehearse >/dev/null
    args=(report "$results" --html "$html")
    [ -n "$baseline" ] && args+=(--baseline "$baseline")
    "$bin" "${args[@]}" >/dev/null
fi
command -v chromium >/dev/null || ./scripts/install-deps.sh chromium
timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --screenshot="$png" --window-size=1280,2400 \
    "file://$html" >/dev/null 2>&1
echo "wrote $png"
