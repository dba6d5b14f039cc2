#!/usr/bin/env bash
# Peak resident memory of the coordinator (rank 0) and of a worker (rank 1)
# under `mpirun -np 2`, each rank wrapped in /usr/bin/time (its own
# maximum RSS, not its launcher's):
#   - the paper-size profile's preparation (ingest, labels, extraction at
#     128x128 with 2 views, dedup; bench/prepared_sweep.sh), one run;
#   - the training-heavy sweep of bench/scaling.sh with 1 and with 3
#     repeats (20 and 60 training jobs);
#   - `popsweep bench dispatch` with 1,000, 10,000 and 50,000 no-op jobs.
# Median of $BENCH_RUNS runs where marked; if memory does not grow with the
# number of jobs, the rows of each group agree.
#
#   bench/memory.sh
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/prepared_sweep.sh"

prepare_sweep_db
mem=$BENCH_WORK/memory.mem
# rss RANK: the MB a rank's line in $mem reports.
rss() { awk -v r="$1" '$1 == "rank" && $2 == r { printf "%.0f", $4 / 1024 }' "$mem"; }

# measure LABEL RUNS COMMAND...: a table row with the median peak MB of
# rank 0 and rank 1 over RUNS runs (each run under mpirun -np 2).
measure() {
  local label=$1 runs=$2; shift 2
  local coordinator=() worker=() _
  for _ in $(seq "$runs"); do
    case $1 in
      --fresh-db) fresh_sweep_db "$BENCH_WORK/memory.db" ;;
      --new-dispatch-db) rm -f "$BENCH_WORK"/memory-dispatch.db* ;;
    esac
    mpirun_with_memory "$mem" 2 "${@:2}" >"$BENCH_WORK/last.log" 2>&1 ||
      { cat "$BENCH_WORK/last.log" >&2; return 1; }
    coordinator+=("$(rss 0)"); worker+=("$(rss 1)")
  done
  echo "| $label | ${coordinator[*]} | $(median "${coordinator[@]}") | ${worker[*]} | $(median "${worker[@]}") |"
}

load_note before
rows=()
mem_file=$BENCH_WORK/prepared.mem
prep_row="| preparation: ingest, labels, extraction (2188 media, 128x128, 2 views), dedup (one run, $(cat "$BENCH_WORK/prepared.seconds") s) | | $(awk '$2 == 0 { printf "%.0f", $4 / 1024 }' "$mem_file") | | $(awk '$2 == 1 { printf "%.0f", $4 / 1024 }' "$mem_file") |"
rows+=("$prep_row")
# shellcheck disable=SC2046
rows+=("$(measure "training sweep, 20 jobs (1 repeat)" "$BENCH_RUNS" --fresh-db "$POPSWEEP" \
  $(SCALING_TRAIN="$SCALING_TRAIN" measured_sweep_args "$BENCH_WORK/memory.db") --threads 2)")
# shellcheck disable=SC2046
rows+=("$(measure "training sweep, 60 jobs (3 repeats)" 1 --fresh-db "$POPSWEEP" \
  $(SCALING_TRAIN="${SCALING_TRAIN/train.repeats=1/train.repeats=3}" measured_sweep_args "$BENCH_WORK/memory.db") --threads 2)")
for jobs in 1000 10000 50000; do
  runs=$BENCH_RUNS; ((jobs > 10000)) && runs=1
  rows+=("$(measure "bench dispatch, $jobs no-op jobs" "$runs" --new-dispatch-db "$POPSWEEP" \
    bench dispatch --db "$BENCH_WORK/memory-dispatch.db" --jobs "$jobs")")
done
load_note after

echo
echo "| mpirun -np 2 | coordinator (rank 0) runs, MB | median MB | worker (rank 1) runs, MB | median MB |"
echo "|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
