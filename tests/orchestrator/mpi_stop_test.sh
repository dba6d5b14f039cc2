#!/usr/bin/env bash
# A stop under MPI while a job is far from its safe point. A worker rank's
# training thread hangs for good (POPSWEEP_FAULT_ACTION=hang: a step that
# outlasts any grace), then mpirun gets SIGUSR1 (Slurm's warning), which it
# forwards to every rank. The rank confirms at once that the stop reached its
# job; the coordinator records that, waits run.stop_grace_seconds for safe
# points, and ends. The hung rank never reaches MPI_Finalize, so the
# coordinator takes the MPI job down instead of waiting for it (before, the
# command hung there until Slurm's kill). The rerun gives the job its attempt
# back, counts a preemption, shows it in `status`, and finishes the sweep.
set -euo pipefail
bin=${POPSWEEP_BIN:?POPSWEEP_BIN must name the popsweep binary}
source_dir=${POPSWEEP_SOURCE_DIR:?POPSWEEP_SOURCE_DIR must name the source tree}
work=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
source "$(dirname "$0")/../support/mpi_sweep.sh"

overrides=(train.epochs=3 "train.classes=[2]" train.folds=2 "train.experiments=[image]" run.threads_per_worker=1
           train.batch_size=8 features.image_size=64 run.max_attempts=1 run.stop_grace_seconds=3)
db=$work/popsweep.db

started=$SECONDS
POPSWEEP_FAULT=train.mid_epoch:2 POPSWEEP_FAULT_ACTION=hang POPSWEEP_FAULT_MARKER=$work/fault.fired \
  mpirun -np 3 "$bin" run "$source_dir/experiments/quick.yaml" "${overrides[@]}" --db "$db" > "$work/stop.log" 2>&1 &
launcher=$!
for _ in $(seq 1500); do [[ -f $work/fault.fired ]] || ! kill -0 $launcher 2> /dev/null && break; sleep 0.2; done
[[ -f $work/fault.fired ]] || { tail -30 "$work/stop.log"; fail "no rank ever hung"; }
read -r point pid < "$work/fault.fired"
kill -USR1 $launcher
# Bounded: the grace is 3 s; a stop path that waits on the hung rank never ends.
for _ in $(seq 600); do kill -0 $launcher 2> /dev/null || break; sleep 0.2; done
if kill -0 $launcher 2> /dev/null; then
  tail -30 "$work/stop.log"
  fail "mpirun still ran 120 s after SIGUSR1: the stop path waits on the hung rank"
fi
set +e
wait $launcher
status=$?
set -e
(( status != 0 )) || fail "mpirun exited 0 although a rank was still busy"
grep -q "stop requested" "$work/stop.log" || { tail -30 "$work/stop.log"; fail "the coordinator never saw the stop"; }
grep -q "stopped by signal 10; run the same command again to resume" "$work/stop.log" ||
  { tail -30 "$work/stop.log"; fail "the coordinator did not say it stopped"; }
grep -q "aborts the MPI job: 1 worker rank(s) lost (rank-[12]: still running job [0-9]* (train) when the stop's grace ran out" \
  "$work/stop.log" || { tail -30 "$work/stop.log"; fail "the coordinator did not name the rank it could not wait for"; }
hung=$(sqlite3 "$db" "SELECT id FROM jobs WHERE status = 'running' AND stop_reached_at IS NOT NULL")
[[ -n $hung ]] || { sqlite3 "$db" "SELECT id, stage, status, stop_reached_at FROM jobs"; fail "no running job has its stop recorded"; }
for _ in $(seq 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.2; done
! kill -0 "$pid" 2> /dev/null || fail "the hung rank $pid outlived the MPI job"

# The rerun (here on the local pool): the hung job's attempt was given back,
# so with run.max_attempts=1 it runs again and the sweep completes.
"$bin" run "$source_dir/experiments/quick.yaml" "${overrides[@]}" run.workers=2 --db "$db" > "$work/rerun.log" 2>&1 ||
  { tail -30 "$work/rerun.log"; fail "the rerun failed"; }
grep -q "job(s) preempted by a stop signal run again" "$work/rerun.log" ||
  { tail -30 "$work/rerun.log"; fail "the rerun did not give the preempted job its attempt back"; }
[[ $(sqlite3 "$db" "SELECT count(*) FROM jobs WHERE status != 'done'") == 0 ]] || fail "not every job is done"
[[ $(sqlite3 "$db" "SELECT attempts || ' ' || preemptions || ' ' || losses FROM jobs WHERE id = $hung") == "1 1 0" ]] ||
  fail "job $hung: $(sqlite3 "$db" "SELECT attempts, preemptions, losses FROM jobs WHERE id = $hung")"
"$bin" status --db "$db" > "$work/status.log"
grep -q "preempted [1-9][0-9]* time(s) over [1-9][0-9]* job(s)" "$work/status.log" ||
  { cat "$work/status.log"; fail "status does not show the preemption"; }
echo "PASS: rank pid $pid hung at $point; SIGUSR1 ended the MPI job after the grace (mpirun status $status)," \
     "job $hung preempted, not failed; the rerun finished ($(( SECONDS - started )) s)"
