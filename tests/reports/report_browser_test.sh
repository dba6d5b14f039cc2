#!/usr/bin/env bash
# report.html in a real browser: `popsweep demo` writes a report, headless
# Chromium renders it to a screenshot and dumps its DOM. Checks that the
# page renders (a PNG of more than 10 kB), holds the results table and inline
# SVG charts (the Data section among them), and logs no console errors.
# Skips (77) where /usr/bin/chromium is not installed.
set -euo pipefail
chromium=/usr/bin/chromium
[ -x "$chromium" ] || { echo "SKIP: $chromium not installed"; exit 77; }
bin=${POPSWEEP_BIN:?POPSWEEP_BIN must name the popsweep binary}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$bin" demo --out "$tmp/demo" train.epochs=2 "train.classes=[2]" train.folds=2 > "$tmp/demo.log" 2>&1 ||
  { cat "$tmp/demo.log"; fail "popsweep demo failed"; }
page=$tmp/demo/report/report.html
[ -f "$page" ] || { cat "$tmp/demo.log"; fail "no $page"; }

flags=(--headless --no-sandbox --disable-gpu --no-first-run --disable-extensions --user-data-dir="$tmp/profile")
"$chromium" "${flags[@]}" --window-size=1280,4000 --screenshot="$tmp/shot.png" \
  --enable-logging=stderr --v=0 "file://$page" > "$tmp/shot.log" 2>&1 || { cat "$tmp/shot.log"; fail "chromium failed"; }
"$chromium" "${flags[@]}" --dump-dom --enable-logging=stderr --v=0 "file://$page" > "$tmp/dom.html" 2> "$tmp/dom.log" ||
  { cat "$tmp/dom.log"; fail "chromium --dump-dom failed"; }

[ -f "$tmp/shot.png" ] || { cat "$tmp/shot.log"; fail "no screenshot"; }
[ "$(head -c 8 "$tmp/shot.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "the screenshot is not a PNG"
size=$(stat -c %s "$tmp/shot.png")
[ "$size" -gt 10240 ] || fail "the screenshot is only $size bytes"
if [ -n "${POPSWEEP_SCREENSHOT:-}" ]; then cp "$tmp/shot.png" "$POPSWEEP_SCREENSHOT"; fi

grep -q '<table' "$tmp/dom.html" || fail "no results table in the rendered page"
grep -q '<h2>Results</h2>' "$tmp/dom.html" || fail "no Results section in the rendered page"
grep -q '<svg' "$tmp/dom.html" || fail "no inline SVG in the rendered page"
grep -q '<h2>Data</h2>' "$tmp/dom.html" || fail "no Data section in the rendered page"
if grep -E 'Uncaught|ERROR:CONSOLE|CONSOLE\(|console' "$tmp/shot.log" "$tmp/dom.log"; then
  fail "console errors while rendering the report"
fi
echo "report.html rendered: screenshot $size bytes, $(grep -o '<svg' "$tmp/dom.html" | wc -l) inline SVG charts"
