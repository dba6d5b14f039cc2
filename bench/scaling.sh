#!/usr/bin/env bash
# Scaling: the same training-heavy sweep (bench/prepared_sweep.sh: the
# paper-size synthetic profile, features extracted once, then 20 training
# jobs: 2 experiments x 2 classes x 5 folds, 3 epochs) with the local pool
# and with 1-4 MPI ranks (rank 0 coordinates, the others are workers;
# oversubscribed on this machine), threads per worker set so workers x
# threads is about the core count. A fresh copy of the prepared database
# each run; wall clock of the whole command, median of $BENCH_RUNS runs.
#
#   bench/scaling.sh
#
# `mpirun -np 1` is not measured: with one rank popsweep starts no MPI world
# and runs the local pool, the second row.
# Efficiency = (jobs/s) / (cores used x jobs/s of one worker with 1 thread),
# cores used = min(cores, workers x threads): 1.0 is perfect scaling. Open
# MPI binds each rank to one core when there are no more ranks than cores
# (mpirun --report-bindings), so a 2-thread worker rank runs on one core.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/prepared_sweep.sh"

prepare_sweep_db
db=$BENCH_WORK/scaling.db
cores=$(nproc)
# shellcheck disable=SC2207
sweep=($(measured_sweep_args "$db"))

# label|workers|threads|launcher (local or an mpirun rank count)|environment
# OMP_WAIT_POLICY=PASSIVE: OpenMP threads sleep instead of spinning between
# parallel regions, which matters when the cores are shared.
configs=(
  "local pool, 1 worker x 1 thread|1|1|local"
  "local pool, 1 worker x 2 threads|1|2|local"
  "local pool, 1 worker x 2 threads, OMP_WAIT_POLICY=PASSIVE|1|2|local|OMP_WAIT_POLICY=PASSIVE"
  "local pool, 2 workers x 1 thread|2|1|local"
  "mpirun -np 2 (1 worker rank x 2 threads)|1|2|2"
  "mpirun -np 3 (2 worker ranks x 1 thread)|2|1|3"
  "mpirun -np 4 (3 worker ranks x 1 thread, oversubscribed)|3|1|4"
)

load_note before
rows=(); unit_rate=
for config in "${configs[@]}"; do
  IFS='|' read -r label workers threads launcher environment <<<"$config"
  runs=()
  for _ in $(seq "$BENCH_RUNS"); do
    fresh_sweep_db "$db"
    if [[ $launcher == local ]]; then
      # shellcheck disable=SC2086
      runs+=("$(seconds_of env $environment "$POPSWEEP" "${sweep[@]}" --workers "$workers" --threads "$threads")")
    else
      runs+=("$(seconds_of mpirun --oversubscribe -np "$launcher" "$POPSWEEP" "${sweep[@]}" --workers "$workers" \
        --threads "$threads")")
    fi
  done
  # The last run's training jobs and their summed job seconds (worker time).
  IFS='|' read -r jobs job_seconds < <(sqlite3 "$db" "select count(*), round(sum(j.seconds), 2) from jobs j
    join sweep_jobs sj on sj.job_id = j.id join sweeps s on s.id = sj.sweep_id
    where s.name = 'measured' and j.stage = 'train' and j.status = 'done'")
  med=$(median "${runs[@]}")
  rate=$(awk -v j="$jobs" -v s="$med" 'BEGIN { printf "%.3f", j / s }')
  [[ -z $unit_rate ]] && unit_rate=$rate
  used=$(( workers * threads < cores ? workers * threads : cores ))
  eff=$(awk -v r="$rate" -v u="$unit_rate" -v c="$used" 'BEGIN { printf "%.2f", r / (c * u) }')
  mean_job=$(awk -v t="$job_seconds" -v j="$jobs" 'BEGIN { printf "%.2f", t / j }')
  rows+=("| $label | ${runs[*]} | $med | $jobs | $rate | $eff | $mean_job |")
  echo "done: $label (${runs[*]})" >&2
done
load_note after
echo "last run's output:"; tail -5 "$BENCH_WORK/last.log" | sed 's/^/    /'

echo
echo "| configuration | wall clock runs (s) | median s | training jobs | jobs/s | efficiency | mean job s (last run) |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "sweep: popsweep ${sweep[*]}"
