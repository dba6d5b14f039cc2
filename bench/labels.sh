#!/usr/bin/env bash
# Labelling time on a paper-size profile (M1-M6).
#
#   bench/labels.sh
#
# Generates the paper-size synthetic profile once ($BENCH_WORK/paper, timed;
# delete it to time generation again), ingests it into a new database, then
# times `popsweep label --classes 3 --window-weeks 8` $BENCH_RUNS times
# (wall clock, process start included) and prints the median.
source "$(dirname "$0")/common.sh"

profile=$BENCH_WORK/paper
db=$BENCH_WORK/labels.db
load_note before

if [[ ! -f $profile/posts.csv ]]; then
  rm -rf "$profile"
  synth_s=$(seconds_of "$POPSWEEP" synth --preset paper --out "$profile" --threads 2)
  echo "synth --preset paper (--threads 2): ${synth_s} s (one run)"
  echo "$synth_s" >"$BENCH_WORK/paper.synth-seconds"
else
  echo "synth --preset paper: reusing $profile (generated in $(cat "$BENCH_WORK/paper.synth-seconds" 2>/dev/null || echo '?') s)"
fi
echo "profile: $(($(wc -l <"$profile/posts.csv") - 1)) posts, $(find "$profile" -type f | wc -l) files, $(du -sh "$profile" | cut -f1)"

rm -f "$db"
ingest_s=$(seconds_of "$POPSWEEP" ingest --profile "$profile" --db "$db")
echo "ingest: ${ingest_s} s (one run)"

runs=()
for _ in $(seq "$BENCH_RUNS"); do
  runs+=("$(seconds_of "$POPSWEEP" label --db "$db" --classes 3 --window-weeks 8)")
done
cp "$BENCH_WORK/last.log" "$BENCH_WORK/label-summary.log"
startup=()
for _ in $(seq "$BENCH_RUNS"); do
  startup+=("$(seconds_of "$POPSWEEP" label --help)")
done
echo "label summary (last labelling run):"
sed 's/^/    /' "$BENCH_WORK/label-summary.log"
load_note after
echo
echo "| step | runs (s) | median s |"
echo "|---|---|---|"
echo "| \`popsweep label --db DB --classes 3 --window-weeks 8\` (end to end) | ${runs[*]} | $(median "${runs[@]}") |"
echo "| process start alone: \`popsweep label --help\` | ${startup[*]} | $(median "${startup[@]}") |"
