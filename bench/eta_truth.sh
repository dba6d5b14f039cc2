#!/usr/bin/env bash
# Does `popsweep run`'s ETA tell the truth (issue 25)? Runs a sweep with its
# progress going to a log (plain lines every LOG_SECONDS, as under a batch
# system), stamps each line with the time it was written, and compares every
# ETA printed with the time the run really had left.
#
#   bench/eta_truth.sh [SPEC [OVERRIDES...]]
#
# Default: experiments/paper.yaml on the paper-size synthetic profile
# (generated once into $BENCH_WORK/paper), a fresh database each time.
# Prints, per log line: seconds since start, the ETA shown, the truth, and
# their ratio; then the worst ratio from the first minute on.
source "$(dirname "$0")/common.sh"

spec=${1:-$BENCH_ROOT/experiments/paper.yaml}
shift || true
profile=$BENCH_WORK/paper
[[ -f $profile/posts.csv ]] || "$POPSWEEP" synth --preset paper --out "$profile" >/dev/null
db=$BENCH_WORK/eta-truth.db
rm -f "$db" "$db"-*
log=$BENCH_WORK/eta-truth.log

load_note before
start=$(date +%s.%N)
"$POPSWEEP" run "$spec" profile.synth.preset= profile.path="$profile" "$@" --db "$db" 2>&1 >/dev/null |
  while IFS= read -r line; do printf '%s %s\n' "$(date +%s.%N)" "$line"; done >"$log"
end=$(date +%s.%N)
load_note after

"$BENCH_PYTHON" - "$log" "$start" "$end" <<'PY'
import re, sys
log, start, end = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
def seconds(text):
    total = 0
    for amount, unit in re.findall(r"(\d+)([hms])", text):
        total += int(amount) * {"h": 3600, "m": 60, "s": 1}[unit]
    return total
worst = 1.0
print("| since start s | ETA shown s | truth s | shown / truth |")
print("|---|---|---|---|")
for line in open(log):
    stamp, _, text = line.partition(" ")
    found = re.search(r"ETA (\S+)", text)
    if not found or found.group(1) == "?":
        continue
    since, truth, shown = float(stamp) - start, end - float(stamp), seconds(found.group(1))
    if truth < 1:
        continue
    ratio = shown / truth
    print(f"| {since:.0f} | {shown} | {truth:.0f} | {ratio:.2f} |")
    if since >= 60:
        worst = max(worst, ratio, 1 / ratio if ratio > 0 else float("inf"))
print(f"\nwhole run {end - start:.0f} s; worst factor between ETA and truth from the first minute on: {worst:.2f}")
PY
