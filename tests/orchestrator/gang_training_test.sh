#!/usr/bin/env bash
# Data-parallel gangs (issue 20, run.ranks_per_job) in the local pool, on a
# pixels-mode sweep (the job that needs them: the backbone runs every epoch):
#   1. the same sweep on 1 rank per job and on 2 gives the same predictions,
#      accuracies within 1e-6 and losses within 1e-5 (float sums in another
#      order: see tests/worker/train/process_group_test.cc); the largest
#      differences are printed. Each job ran on a gang of two workers and
#      has one result.
#   2. a gang member SIGKILLed inside the batch loop (POPSWEEP_FAULT=
#      train.mid_epoch, the first process to get there, rank 0 or 1): the
#      coordinator fails the gang's attempt, the survivor leaves its
#      all-reduce, the job is retried on a new gang and the sweep ends with
#      the numbers of the undisturbed 2-rank run, bit for bit.
# The same gangs under mpirun (`mpirun -np 3`: a coordinator and two worker
# ranks, one gang per training job, meeting at the address rank 0 of the
# gang said in its hello, its host name, on a port its store picked):
#   3. the same numbers as the local pool's 2-rank run, bit for bit (the
#      same ranks, shares and all-reduce order); each job on both ranks.
#   4. fault injection: a gang member SIGKILLed inside the batch loop. Open
#      MPI 4.1 ends the whole MPI job, coordinator included (no fault
#      tolerance there); the job has used its first attempt (left running,
#      or failed by its surviving member's broken all-reduce if that came
#      before mpirun's SIGTERM). The same command again retries it:
#      attempts = 2, every job done, the numbers of the undisturbed MPI run
#      bit for bit.
set -euo pipefail
bin=${POPSWEEP_BIN:?POPSWEEP_BIN must name the popsweep binary}
work=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
source "$(dirname "$0")/../support/skip_or_fail.sh"
[[ -x /usr/bin/python3 ]] || skip_or_fail "/usr/bin/python3 not installed"

source "$(dirname "$0")/../support/gang_sweep.sh"
gang_sweep_spec "$work/spec.yaml"

started=$SECONDS
mkdir "$work/one"
"$bin" run "$work/spec.yaml" --db "$work/one/popsweep.db" > "$work/one.log" 2>&1 ||
  { cat "$work/one.log"; fail "the 1-rank sweep failed"; }
echo "1 rank per job: $(( SECONDS - started )) s"

run_gangs() {  # $1: folder; the rest: environment for the run
  local dir=$1
  shift
  mkdir -p "$dir"
  cp -r "$work"/one/synth-tiny-* "$dir/"
  set +e
  (env "$@" "$bin" run "$work/spec.yaml" --db "$dir/popsweep.db" run.ranks_per_job=2 > "$dir/run.log" 2>&1 &
   wait $!) 2> /dev/null
  echo $? > "$dir/status"
  set -e
}

started=$SECONDS
run_gangs "$work/two"
[[ $(cat "$work/two/status") == 0 ]] || { cat "$work/two/run.log"; fail "the 2-rank sweep failed"; }
echo "2 ranks per job: $(( SECONDS - started )) s"

/usr/bin/python3 "$(dirname "$0")/../support/same_numbers_on_gangs.py" "$work/one/popsweep.db" \
  "$work/two/popsweep.db" 2 3

started=$SECONDS
dir=$work/fault
run_gangs "$dir" POPSWEEP_FAULT=train.mid_epoch:3 POPSWEEP_FAULT_MARKER="$dir/fault.fired"
[[ -f $dir/fault.fired ]] || { tail -20 "$dir/run.log"; fail "the fault point was never reached"; }
[[ $(cat "$dir/status") == 0 ]] || { tail -30 "$dir/run.log"; fail "the sweep did not survive the lost gang member"; }
grep -q "lost: worker process killed by signal 9" "$dir/run.log" ||
  { cat "$dir/run.log"; fail "the coordinator did not see a gang member killed"; }
retried=$(sqlite3 "$dir/popsweep.db" "SELECT count(*) FROM jobs WHERE stage = 'train' AND attempts = 2 AND status = 'done'") ||
  fail "could not read the attempts"
[[ $retried == 1 ]] || { sqlite3 "$dir/popsweep.db" "SELECT id, stage, status, attempts, error FROM jobs"; fail "expected one training job done on its second attempt"; }
gang_numbers "$work/two/popsweep.db" > "$work/two.numbers"
[[ $(wc -l < "$work/two.numbers") -gt 6 ]] || fail "no epochs or predictions in the 2-rank run"
gang_numbers "$dir/popsweep.db" > "$dir/numbers"
cmp -s "$work/two.numbers" "$dir/numbers" || { diff "$work/two.numbers" "$dir/numbers" | head; fail "the retried gang's numbers differ"; }
echo "a gang member killed mid-epoch ($(cut -c1-60 "$dir/fault.fired" | head -1)): the job retried on a new gang, same numbers ($(( SECONDS - started )) s)"

if ! command -v mpirun > /dev/null; then
  skip_part_or_fail "gangs under mpirun (parts 3 and 4: no mpirun)"
  exit 0
fi
source "$(dirname "$0")/../support/mpi_environment.sh"
mpi_sweep() {  # $1: folder (the 1-rank run's profile copied in); the rest: environment
  local dir=$1
  shift
  mkdir -p "$dir"
  [[ -d $(echo "$dir"/synth-tiny-*) ]] || cp -r "$work"/one/synth-tiny-* "$dir/"
  set +e
  env "$@" timeout 300 mpirun -np 3 "$bin" run "$work/spec.yaml" --db "$dir/popsweep.db" run.ranks_per_job=2 \
    >> "$dir/run.log" 2>&1
  echo $? > "$dir/status"
  set -e
}

started=$SECONDS
mpi_sweep "$work/mpi"
[[ $(cat "$work/mpi/status") == 0 ]] || { tail -40 "$work/mpi/run.log"; fail "the MPI gang sweep failed"; }
echo "mpirun -np 3, 2 ranks per job: $(( SECONDS - started )) s"
gang_numbers "$work/mpi/popsweep.db" > "$work/mpi.numbers"
cmp -s "$work/two.numbers" "$work/mpi.numbers" ||
  { diff "$work/two.numbers" "$work/mpi.numbers" | head; fail "the MPI gangs' numbers differ from the local pool's"; }
gangs=$(sqlite3 "$work/mpi/popsweep.db" "SELECT worker || ' ' || attempts FROM jobs WHERE stage = 'train' ORDER BY id")
[[ $gangs == $'rank-1 + rank-2 1\nrank-1 + rank-2 1' ]] || fail "the training jobs did not each run on a gang of both worker ranks: $gangs"
echo "MPI gangs = local pool gangs, bit for bit ($(wc -l < "$work/mpi.numbers") epoch and prediction rows); jobs ran on: ${gangs%%$'\n'*}"

started=$SECONDS
dir=$work/mpi-fault
mpi_sweep "$dir" POPSWEEP_FAULT=train.mid_epoch:3 POPSWEEP_FAULT_MARKER="$dir/fault.fired"
[[ -f $dir/fault.fired ]] || { tail -20 "$dir/run.log"; fail "MPI: the fault point was never reached"; }
status=$(cat "$dir/status")
(( status != 0 && status != 124 )) || { tail -30 "$dir/run.log"; fail "mpirun exited $status after a rank died"; }
# The killed gang's job has used its first attempt: left running, or already
# failed for this attempt (pending) when its surviving member's all-reduce
# broke before mpirun's SIGTERM came; the other job has not started.
left=$(sqlite3 "$dir/popsweep.db" "SELECT group_concat(status || ' ' || attempts, ', ') FROM (SELECT status, attempts FROM jobs WHERE stage = 'train' ORDER BY id)")
[[ $left == "running 1, pending 0" || $left == "pending 1, pending 0" ]] ||
  { tail -30 "$dir/run.log"; fail "the training jobs after the crash: $left (expected the first on attempt 1, the second not run)"; }
echo "MPI: a gang member killed ($(head -1 "$dir/fault.fired" | cut -c1-60)): mpirun exited $status; training jobs: $left"
mpi_sweep "$dir"
[[ $(cat "$dir/status") == 0 ]] || { tail -30 "$dir/run.log"; fail "the rerun under mpirun failed"; }
[[ $(sqlite3 "$dir/popsweep.db" "SELECT count(*) FROM jobs WHERE status != 'done'") == 0 ]] || fail "jobs left undone"
attempts=$(sqlite3 "$dir/popsweep.db" "SELECT group_concat(attempts, ' ') FROM (SELECT attempts FROM jobs WHERE stage = 'train' ORDER BY attempts)")
[[ $attempts == "1 2" ]] || fail "expected the killed gang's job on attempt 2 and the other on 1, got: $attempts"
gang_numbers "$dir/popsweep.db" > "$dir/numbers"
cmp -s "$work/mpi.numbers" "$dir/numbers" || { diff "$work/mpi.numbers" "$dir/numbers" | head; fail "the retried gang's numbers differ"; }
echo "MPI: the rerun retried the killed gang's job (attempts: $attempts), same numbers as the undisturbed MPI run ($(( SECONDS - started )) s)"
