#!/usr/bin/env bash
# report.html in a real browser: `popsweep demo` writes a report, headless
# Chromium renders it at 1400 px (a desktop) and at 390 px (a phone) to
# screenshots and dumps its DOM. Checks that the page renders (a PNG of more
# than 10 kB), holds the results table, the leakage audit and inline SVG
# charts (the Data section among them), logs no console errors, and, through
# report_layout_check.js run on a copy of the page, that at both widths
# nothing scrolls the page sideways or sticks out of its container, no chart
# text (a title) is cut off, and no table has an empty column.
# POPSWEEP_SCREENSHOT=DIR keeps the screenshots (report-1400.png, report-390.png);
# POPSWEEP_REPORT=DIR checks the report already in DIR instead of a demo's
# (it is copied, so DIR is left as it was).
# Skips (77) where /usr/bin/chromium is not installed; fails so under CI.
set -euo pipefail
chromium=/usr/bin/chromium
source "$(dirname "$0")/../support/skip_or_fail.sh"
[ -x "$chromium" ] || skip_or_fail "$chromium not installed"
bin=${POPSWEEP_BIN:-}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -n "$bin" ] || [ -n "${POPSWEEP_REPORT:-}" ] || fail "POPSWEEP_BIN must name the popsweep binary"

if [ -n "${POPSWEEP_REPORT:-}" ]; then
  mkdir -p "$tmp/demo" && cp -r "$POPSWEEP_REPORT" "$tmp/demo/report"
else
  "$bin" demo --out "$tmp/demo" train.epochs=2 "train.classes=[2]" train.folds=2 > "$tmp/demo.log" 2>&1 ||
    { cat "$tmp/demo.log"; fail "popsweep demo failed"; }
  grep -q 'leakage audit' "$tmp/demo.log" || { cat "$tmp/demo.log"; fail "popsweep report printed no leakage audit"; }
fi
page=$tmp/demo/report/report.html
[ -f "$page" ] || { cat "$tmp/demo.log"; fail "no $page"; }

# The same page with the layout check appended, beside it so relative links
# still resolve, shown in an iframe as wide as the screen under test: headless
# Chromium's window is never narrower than 500 px, an iframe is. The check
# posts its verdict to the frame page, which --dump-dom then shows.
checked=$(dirname "$page")/layout-check.html
{ sed 's|</body>||; s|</html>||' "$page"; printf '<script>\n'; cat "$here/report_layout_check.js"; printf '</script>\n</body>\n</html>\n'; } > "$checked"
frame_page() {  # WIDTH PAGE
  printf '<!DOCTYPE html>\n<html><body style="margin:0">\n'
  printf '<iframe src="%s" style="width:%spx;height:20000px;border:0;display:block"></iframe>\n' "$2" "$1"
  printf '<script>window.addEventListener("message", function (e) { var p = document.createElement("pre");'
  printf ' p.id = "layout-check"; p.textContent = e.data; document.body.appendChild(p); });</script>\n'
  printf '</body></html>\n'
}

flags=(--headless --no-sandbox --disable-gpu --no-first-run --disable-extensions --hide-scrollbars
       --user-data-dir="$tmp/profile")
for width in 1400 390; do
  shot=$tmp/report-$width.png
  frame_page "$width" report.html > "$(dirname "$page")/frame-$width.html"
  frame_page "$width" layout-check.html > "$(dirname "$page")/frame-check-$width.html"
  window=$(( width < 500 ? 500 : width ))
  "$chromium" "${flags[@]}" --window-size=$window,6000 --screenshot="$shot" --virtual-time-budget=5000 \
    --enable-logging=stderr --v=0 "file://$(dirname "$page")/frame-$width.html" > "$tmp/shot-$width.log" 2>&1 ||
    { cat "$tmp/shot-$width.log"; fail "chromium failed at $width px"; }
  [ -f "$shot" ] || { cat "$tmp/shot-$width.log"; fail "no screenshot at $width px"; }
  [ "$(head -c 8 "$shot" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "the $width px screenshot is not a PNG"
  size=$(stat -c %s "$shot")
  [ "$size" -gt 10240 ] || fail "the $width px screenshot is only $size bytes"
  if [ -n "${POPSWEEP_SCREENSHOT:-}" ]; then mkdir -p "$POPSWEEP_SCREENSHOT" && cp "$shot" "$POPSWEEP_SCREENSHOT/"; fi

  "$chromium" "${flags[@]}" --window-size=$window,4000 --dump-dom --virtual-time-budget=5000 --enable-logging=stderr \
    --v=0 "file://$(dirname "$page")/frame-check-$width.html" > "$tmp/frame-$width.html" 2> "$tmp/dom-$width.log" ||
    { cat "$tmp/dom-$width.log"; fail "chromium --dump-dom failed"; }
  if grep -E 'Uncaught|ERROR:CONSOLE|CONSOLE\(|console' "$tmp/shot-$width.log" "$tmp/dom-$width.log"; then
    fail "console errors while rendering the report at $width px"
  fi
  layout=$(sed -n '/<pre id="layout-check">/,/<\/pre>/p' "$tmp/frame-$width.html")
  [ -n "$layout" ] || fail "the layout check did not run at $width px"
  echo "$layout" | grep -q "width $width px: LAYOUT-OK" || { echo "$layout" >&2; fail "layout problems at $width px (above)"; }
done

dom=$tmp/dom.html
"$chromium" "${flags[@]}" --window-size=1400,4000 --dump-dom --enable-logging=stderr --v=0 "file://$page" > "$dom" \
  2> "$tmp/dom.log" || { cat "$tmp/dom.log"; fail "chromium --dump-dom failed"; }
grep -q '<table' "$dom" || fail "no results table in the rendered page"
grep -q '<h2>Results</h2>' "$dom" || fail "no Results section in the rendered page"
grep -q '<h2>Leakage audit</h2>' "$dom" || fail "no Leakage audit section in the rendered page"
grep -q '<svg' "$dom" || fail "no inline SVG in the rendered page"
grep -q '<h2>Data</h2>' "$dom" || fail "no Data section in the rendered page"
echo "report.html rendered at 1400 and 390 px, layout clean: $(grep -o '<svg' "$dom" | wc -l) inline SVG charts"
