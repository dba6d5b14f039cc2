#!/usr/bin/env bash
# No crash loops under MPI. One training job kills its worker rank every time
# it starts (POPSWEEP_FAULT=worker.job_start with POPSWEEP_FAULT_JOB: no
# marker, so every process that starts that job dies), and with the rank the
# whole MPI job, coordinator included, with no stop signal before. Its
# attempt counts from the dispatch, so after run.max_attempts such runs the
# next rerun fails it, saying it was lost that many times and on which rank,
# and runs everything else: every job that does not depend on it is done.
# (Before, the attempt was given back on every rerun: the job was retried
# forever across reruns and Slurm requeues.)
set -euo pipefail
bin=${POPSWEEP_BIN:?POPSWEEP_BIN must name the popsweep binary}
source_dir=${POPSWEEP_SOURCE_DIR:?POPSWEEP_SOURCE_DIR must name the source tree}
work=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
source "$(dirname "$0")/../support/mpi_sweep.sh"

# One experiment, two folds: two independent training jobs. One worker rank,
# so the faulty job is the only one running when the MPI job dies.
overrides=(train.epochs=2 "train.classes=[2]" train.folds=2 "train.experiments=[image]" run.threads_per_worker=1
           train.batch_size=8 features.image_size=64 run.max_attempts=2)
db=$work/popsweep.db
run_sweep() {
  timeout 300 mpirun -np 2 "$bin" run "$source_dir/experiments/quick.yaml" "${overrides[@]}" --db "$db" "$@"
}
# Jobs get ids in plan order after the ingest job (id 1): the first training
# job of the plan is the one that kills its rank.
victim=$("$bin" run "$source_dir/experiments/quick.yaml" "${overrides[@]}" --db "$db" --dry-run |
         awk '/^  [a-z]+ +[a-z]+-[0-9a-f]+ /{n++} /^  train /{print n + 1; exit}')
[[ -n $victim ]] || fail "no training job in the plan"

started=$SECONDS
for run in 1 2; do
  set +e
  POPSWEEP_FAULT=worker.job_start POPSWEEP_FAULT_JOB=$victim run_sweep > "$work/run$run.log" 2>&1
  status=$?
  set -e
  (( status != 124 )) || { tail -30 "$work/run$run.log"; fail "run $run: mpirun still ran after 300 s"; }
  (( status != 0 )) || { tail -30 "$work/run$run.log"; fail "run $run: the MPI job survived its rank's death"; }
  grep -q "fault injection: SIGKILL at worker.job_start" "$work/run$run.log" ||
    { tail -30 "$work/run$run.log"; fail "run $run: job $victim never killed its rank"; }
  [[ $(sqlite3 "$db" "SELECT stage || ' ' || status || ' ' || attempts FROM jobs WHERE id = $victim") == "train running $run" ]] ||
    fail "run $run: job $victim is not a training job left running on attempt $run"
done

# The rerun that finds the job lost max_attempts times fails it and runs the rest.
set +e
POPSWEEP_FAULT=worker.job_start POPSWEEP_FAULT_JOB=$victim run_sweep > "$work/run3.log" 2>&1
status=$?
set -e
(( status == 2 )) || { tail -30 "$work/run3.log"; fail "the last run exited $status, not 2 (a job failed)"; }
! grep -q "fault injection" "$work/run3.log" || fail "the failed job was started again"
grep -q "1 job(s) lost while running with no attempt left failed" "$work/run3.log" ||
  { tail -30 "$work/run3.log"; fail "the rerun did not say that it failed the lost job"; }
[[ $(sqlite3 "$db" "SELECT status || ' ' || attempts || ' ' || losses FROM jobs WHERE id = $victim") == "failed 2 2" ]] ||
  fail "job $victim: $(sqlite3 "$db" "SELECT status, attempts, losses FROM jobs WHERE id = $victim")"
error=$(sqlite3 "$db" "SELECT error FROM jobs WHERE id = $victim")
[[ $error == "lost 2 time(s) while running, last on rank-1, with no stop signal before"* ]] ||
  fail "job $victim's error: $error"
# Everything that does not depend on it (directly or not) is done.
undone=$(sqlite3 "$db" "WITH RECURSIVE after(id) AS (SELECT $victim UNION SELECT d.job_id FROM job_dependencies d
                                                     JOIN after a ON d.depends_on = a.id)
                         SELECT count(*) FROM jobs WHERE id NOT IN (SELECT id FROM after) AND status != 'done'")
[[ $undone == 0 ]] || { sqlite3 "$db" "SELECT id, stage, status, error FROM jobs"; fail "$undone other job(s) not done"; }
[[ $(sqlite3 "$db" "SELECT count(*) FROM jobs WHERE stage = 'train' AND status = 'done'") == 1 ]] ||
  fail "the other training job is not done"
"$bin" status --db "$db" > "$work/status.log"
grep -q "failed job $victim (train) after 2 attempt(s): lost 2 time(s) while running, last on rank-1" "$work/status.log" ||
  { cat "$work/status.log"; fail "status does not show why the job failed"; }
echo "PASS: job $victim killed its rank in 2 runs, failed by the 3rd, which ran the rest ($(( SECONDS - started )) s)"
