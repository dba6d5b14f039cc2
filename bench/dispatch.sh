#!/usr/bin/env bash
# Coordinator overhead: 10,000 no-op jobs dispatched to workers and recorded
# in SQLite (`popsweep bench dispatch`), with the local pool (one worker per
# two cores) and under MPI (4 ranks: a coordinator and 3 workers). Two
# figures per run: the wall clock of the whole command (process start, and
# for MPI mpirun's launch of 4 ranks, included) and the time the command
# reports itself (from the first dispatch to the last job recorded), and the
# coordinator's peak RSS (getrusage in rank 0). A new database each run,
# median of $BENCH_RUNS runs. Run it for 10000 and 100000 in one sitting to
# compare the cost per job (docs/BENCHMARKS.md).
#
#   bench/dispatch.sh [JOBS]
source "$(dirname "$0")/common.sh"

# The seconds `popsweep bench dispatch` reports in its last output.
reported() { sed -n 's/.*: \([0-9.]*\) s, [0-9]* jobs\/s.*/\1/p' "$BENCH_WORK/last.log" | tail -1; }
# The coordinator's peak RSS (MB) that it reports.
peak_rss() { sed -n 's/.*coordinator peak RSS \([0-9.]*\) MB.*/\1/p' "$BENCH_WORK/last.log" | tail -1; }

jobs=${1:-10000}
load_note before
local_runs=(); local_reported=(); local_rss=()
for i in $(seq "$BENCH_RUNS"); do
  rm -f "$BENCH_WORK"/dispatch-local.db*
  local_runs+=("$(seconds_of "$POPSWEEP" bench dispatch --db "$BENCH_WORK/dispatch-local.db" --jobs "$jobs")")
  local_reported+=("$(reported)")
  local_rss+=("$(peak_rss)")
done
echo "local pool output (last run):"; sed 's/^/    /' "$BENCH_WORK/last.log"

mpi_runs=(); mpi_reported=(); mpi_rss=()
if command -v mpirun >/dev/null; then
  for i in $(seq "$BENCH_RUNS"); do
    rm -f "$BENCH_WORK"/dispatch-mpi.db*
    mpi_runs+=("$(OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 seconds_of \
      mpirun --oversubscribe -np 4 "$POPSWEEP" bench dispatch --db "$BENCH_WORK/dispatch-mpi.db" --jobs "$jobs")")
    mpi_reported+=("$(reported)")
    mpi_rss+=("$(peak_rss)")
  done
  echo "MPI output (last run):"; sed 's/^/    /' "$BENCH_WORK/last.log"
else
  echo "mpirun not found: MPI not measured"
fi
load_note after

echo
echo "| $jobs no-op jobs | wall clock runs (s) | median wall clock s | reported by the command (s) | median reported s | coordinator peak RSS (MB) |"
echo "|---|---|---|---|---|---|"
echo "| \`popsweep bench dispatch --jobs $jobs\` (local pool) | ${local_runs[*]} | $(median "${local_runs[@]}") | ${local_reported[*]} | $(median "${local_reported[@]}") | ${local_rss[*]} |"
if ((${#mpi_runs[@]})); then
  echo "| \`mpirun --oversubscribe -np 4 popsweep bench dispatch --jobs $jobs\` | ${mpi_runs[*]} | $(median "${mpi_runs[@]}") | ${mpi_reported[*]} | $(median "${mpi_reported[@]}") | ${mpi_rss[*]} |"
fi
