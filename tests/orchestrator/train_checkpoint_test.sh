#!/usr/bin/env bash
# Periodic training checkpoints (issue 24, run.checkpoint_minutes): a
# pixels-mode training job saves its resume state every interval, not only at
# a stop signal, so a node lost without warning costs at most one interval.
# The interval is 0 here (after every epoch), so the saves are exact events.
#   1. the coordinator's node lost: POPSWEEP_FAULT=train.after_batch_commit:3
#      SIGKILLs the coordinator right after it committed the 3rd periodic
#      checkpoint (epoch 3 of the first job); its worker goes with it. The
#      database then holds a resume checkpoint at epoch 3; the same command
#      again resumes the job there (its log says so) and ends with the
#      numbers of an uninterrupted run.
#   2. a worker's node lost: POPSWEEP_FAULT=train.epoch_boundary:5 SIGKILLs
#      the worker after the 5th epoch of the first job, before that epoch's
#      save; the coordinator retries the job, which resumes after epoch 4,
#      and the sweep ends with the uninterrupted numbers.
#   3. the same kill under `mpirun -np 2`, which ends the whole MPI job: the
#      rerun resumes after epoch 4 with the uninterrupted numbers.
# "The numbers": every result, every epoch's losses and accuracies to 9
# digits, every prediction's probabilities and the kept weights byte for byte.
set -euo pipefail
bin=${POPSWEEP_BIN:?POPSWEEP_BIN must name the popsweep binary}
work=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
source "$(dirname "$0")/../support/skip_or_fail.sh"
command -v sqlite3 > /dev/null || skip_or_fail "sqlite3 command-line tool not installed"

# Two pixels-mode jobs of 6 epochs each, one after the other on one worker;
# 64-pixel random-weight backbone, so an epoch takes well under a second.
cat > "$work/spec.yaml" <<'YAML'
name: checkpoints
seed: 5
profile:
  synth:
    preset: tiny
features:
  backbone: mobilenet_v2
  weights: random
  image_size: 64
  views: 0
  batch: 16
  shards: 1
train:
  experiments: [image]
  classes: [2]
  folds: 2
  repeats: 1
  epochs: 6
  batch_size: 8
  mode: pixels
run:
  workers: 1
  threads_per_worker: 1
YAML

numbers() {
  sqlite3 "$1" "SELECT r.job_id, r.fold, r.best_epoch, printf('%.9f %.9f', r.accuracy_best, r.accuracy_last)
                  FROM train_results r ORDER BY 1;
                SELECT job_id, epoch, printf('%.9f %.9f %.9f %.9f', train_loss, train_accuracy, val_loss, val_accuracy)
                  FROM epochs ORDER BY 1, 2;
                SELECT job_id, media_id, predicted_best, predicted_last, hex(probabilities_best), hex(probabilities_last)
                  FROM predictions ORDER BY 1, 2;
                SELECT job_id, kind, epoch, hex(data) FROM checkpoints ORDER BY 1, 2"
}

# Fails unless the database in $1 ends with the uninterrupted numbers.
expect_base_numbers() {
  numbers "$1/popsweep.db" > "$1/numbers"
  cmp -s "$work/base.numbers" "$1/numbers" ||
    { diff "$work/base.numbers" "$1/numbers" | cut -c1-200 | head; fail "resumed after $2, the numbers differ"; }
}

started=$SECONDS
mkdir "$work/base"
"$bin" run "$work/spec.yaml" --db "$work/base/popsweep.db" > "$work/base.log" 2>&1 ||
  { cat "$work/base.log"; fail "the uninterrupted run failed"; }
numbers "$work/base/popsweep.db" > "$work/base.numbers"
[[ $(sqlite3 "$work/base/popsweep.db" "SELECT count(*) FROM train_results") == 2 ]] ||
  { cat "$work/base.log"; fail "expected 2 training results"; }
echo "uninterrupted: $(( SECONDS - started )) s"

# Runs the sweep in $1 with the fault $2 and a checkpoint after every epoch;
# its exit status is left in $dir/status.
run_with_fault() {
  local dir=$1 fault=$2
  mkdir -p "$dir"
  cp -r "$work/base/synth-tiny-1" "$dir/"
  set +e
  # In a subshell whose stderr is dropped, so bash's own "Killed" notice
  # stays out of the test's output.
  (
    POPSWEEP_FAULT=$fault POPSWEEP_FAULT_MARKER=$dir/fault.fired \
      "$bin" run "$work/spec.yaml" --db "$dir/popsweep.db" run.checkpoint_minutes=0 > "$dir/crash.log" 2>&1 &
    wait $!
  ) 2> /dev/null
  echo $? > "$dir/status"
  set -e
  [[ -f $dir/fault.fired ]] || { tail -20 "$dir/crash.log"; fail "$fault: the fault point was never reached"; }
}

# 1. The coordinator dies after the 3rd checkpoint commit.
case_started=$SECONDS
dir=$work/coordinator
run_with_fault "$dir" train.after_batch_commit:3
[[ $(cat "$dir/status") == 137 ]] || { tail -20 "$dir/crash.log"; fail "the coordinator was not SIGKILLed"; }
saved=$(sqlite3 "$dir/popsweep.db" "SELECT c.epoch FROM checkpoints c JOIN jobs j ON j.id = c.job_id
                                     WHERE c.kind = 'resume' AND j.status = 'running'")
[[ $saved == 3 ]] || fail "after the crash: expected the running job's resume checkpoint at epoch 3, found '$saved'"
"$bin" run "$work/spec.yaml" --db "$dir/popsweep.db" run.checkpoint_minutes=0 > "$dir/rerun.log" 2>&1 ||
  { cat "$dir/rerun.log"; fail "the rerun after the coordinator's death failed"; }
grep -q "resumes from its checkpoint after epoch 3" "$dir/rerun.log" ||
  { cat "$dir/rerun.log"; fail "the rerun did not resume the job from epoch 3"; }
expect_base_numbers "$dir" "the coordinator's death"
echo "coordinator lost after epoch 3: resumed at epoch 3, same numbers ($(( SECONDS - case_started )) s)"

# 2. The worker dies at the end of its 5th epoch, before saving it.
case_started=$SECONDS
dir=$work/worker
run_with_fault "$dir" train.epoch_boundary:5
[[ $(cat "$dir/status") == 0 ]] || { tail -20 "$dir/crash.log"; fail "the sweep did not survive the lost worker"; }
grep -q "lost: worker process killed by signal 9" "$dir/crash.log" ||
  { cat "$dir/crash.log"; fail "the coordinator did not see its worker killed"; }
grep -q "resumes from its checkpoint after epoch 4" "$dir/crash.log" ||
  { cat "$dir/crash.log"; fail "the retried job did not resume from epoch 4"; }
expect_base_numbers "$dir" "the worker's death"
leftover=$(sqlite3 "$dir/popsweep.db" "SELECT count(*) FROM checkpoints WHERE kind = 'resume'")
[[ $leftover == 0 ]] || fail "$leftover resume checkpoint(s) left after the jobs finished"
echo "worker lost after epoch 5: resumed at epoch 4, same numbers ($(( SECONDS - case_started )) s)"

# 3. Under mpirun a killed worker rank ends the whole MPI job (Open MPI's
# rule), as when a node of the allocation dies: the rerun resumes after the
# last periodic save, epoch 4.
if command -v mpirun > /dev/null; then
  source "$(dirname "$0")/../support/mpi_environment.sh"
  case_started=$SECONDS
  dir=$work/mpi
  mkdir -p "$dir"
  cp -r "$work/base/synth-tiny-1" "$dir/"
  mpi_run=(timeout 300 mpirun -np 2 "$bin" run "$work/spec.yaml" --db "$dir/popsweep.db" run.checkpoint_minutes=0)
  set +e
  POPSWEEP_FAULT=train.epoch_boundary:5 POPSWEEP_FAULT_MARKER=$dir/fault.fired "${mpi_run[@]}" > "$dir/crash.log" 2>&1
  status=$?
  set -e
  [[ -f $dir/fault.fired ]] || { tail -20 "$dir/crash.log"; fail "MPI: the fault point was never reached"; }
  (( status != 0 && status != 124 )) || { tail -20 "$dir/crash.log"; fail "MPI: mpirun exited $status"; }
  "${mpi_run[@]}" > "$dir/rerun.log" 2>&1 || { tail -30 "$dir/rerun.log"; fail "MPI: the rerun failed"; }
  grep -q "resumes from its checkpoint after epoch 4" "$dir/rerun.log" ||
    { cat "$dir/rerun.log"; fail "MPI: the rerun did not resume the job from epoch 4"; }
  expect_base_numbers "$dir" "the MPI job's death"
  echo "MPI job lost after epoch 5: resumed at epoch 4, same numbers ($(( SECONDS - case_started )) s)"
elif [[ -n ${CI:-} ]]; then
  fail "mpirun is not installed (CI must run the MPI case)"
else
  echo "MPI case skipped: no mpirun"
fi
echo "PASS ($(( SECONDS - started )) s)"
