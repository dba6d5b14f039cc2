#!/usr/bin/env bash
# The context features (issue 18) of a paper-size profile.
#
#   bench/context.sh
#
# Writes a profile of the paper's size with captions once
# ($BENCH_WORK/context-profile, bench/python/context_profile.py: placeholder
# media, which the context features never read), ingests it, then times
# `popsweep context` (UTC, and Europe/Rome with a 30-post history)
# $BENCH_RUNS times each, process start and CSV writing included.
source "$(dirname "$0")/common.sh"

profile=$BENCH_WORK/context-profile
db=$BENCH_WORK/context.db
load_note before
if [[ ! -f $profile/posts.csv ]]; then
  rm -rf "$profile"
  "$BENCH_PYTHON" "$BENCH_ROOT/bench/python/context_profile.py" "$profile"
fi
rm -f "$db"
ingest_s=$(seconds_of "$POPSWEEP" ingest --profile "$profile" --db "$db")
echo "ingest: ${ingest_s} s (one run); $(($(wc -l <"$profile/followers.csv") - 1)) follower samples"

utc=()
rome=()
for _ in $(seq "$BENCH_RUNS"); do
  utc+=("$(seconds_of "$POPSWEEP" context --db "$db" --out "$BENCH_WORK/context.csv")")
  rome+=("$(seconds_of "$POPSWEEP" context --db "$db" --time-zone Europe/Rome --history-posts 30 --out "$BENCH_WORK/context.csv")")
done
startup=()
for _ in $(seq "$BENCH_RUNS"); do
  startup+=("$(seconds_of "$POPSWEEP" context --help)")
done
echo "media items: $(($(wc -l <"$BENCH_WORK/context.csv") - 1))"
load_note after
echo
echo "| step | runs (s) | median s |"
echo "|---|---|---|"
echo "| \`popsweep context --db DB\` (UTC, N = 10) | ${utc[*]} | $(median "${utc[@]}") |"
echo "| \`popsweep context --db DB --time-zone Europe/Rome --history-posts 30\` | ${rome[*]} | $(median "${rome[@]}") |"
echo "| process start alone: \`popsweep context --help\` | ${startup[*]} | $(median "${startup[@]}") |"
