#!/usr/bin/env bash
# A worker rank that hangs for real under mpirun (common/fault_points.h with
# POPSWEEP_FAULT_ACTION=hang: its training thread blocks mid-epoch while its
# heartbeat goes on, as in a deadlock). A rank cannot be restarted, so the
# coordinator must time the job out, tell the rank to abandon it (a rank that
# was merely slow would take jobs again; its late result is discarded: see
# scheduler_test), hand the job to the other rank, finish every
# job with the numbers of a run without a hang, and then take the MPI job
# down itself, naming the rank and why (a hung rank never reaches
# MPI_Finalize, which would otherwise wait for it until Slurm's time limit).
set -euo pipefail
bin=${POPSWEEP_BIN:?POPSWEEP_BIN must name the popsweep binary}
work=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
source "$(dirname "$0")/../support/mpi_sweep.sh"

source "$(dirname "$0")/../support/hang_sweep.sh"
overrides=("${hang_sweep_overrides[@]}")

started=$SECONDS
"$bin" demo --out "$work/base" "${overrides[@]}" run.workers=2 > "$work/base.log" 2>&1 ||
  { cat "$work/base.log"; fail "baseline failed"; }
mkdir -p "$work/hang"
cp -r "$work/base"/synth-tiny-1* "$work/hang/"
set +e
POPSWEEP_FAULT=train.mid_epoch:6 POPSWEEP_FAULT_ACTION=hang POPSWEEP_FAULT_MARKER=$work/hang/fault.fired \
  timeout 300 mpirun -np 3 "$bin" run "$work/base/quick.yaml" "${overrides[@]}" --db "$work/hang/popsweep.db" \
  > "$work/hang.log" 2>&1
status=$?
set -e
(( status != 124 )) || { tail -30 "$work/hang.log"; fail "mpirun still ran after 300 s: the hung rank held the job"; }
[[ -f $work/hang/fault.fired ]] || { tail -30 "$work/hang.log"; fail "no rank ever hung"; }
read -r point pid < "$work/hang/fault.fired"
grep -q "fault injection: hanging at train.mid_epoch" "$work/hang.log" || fail "no hang message in the log"
grep -q "told rank-[12] to abandon job [0-9]* (train): the job exceeded its time limit" "$work/hang.log" ||
  { tail -30 "$work/hang.log"; fail "the coordinator did not time out the hung rank and tell it so"; }
grep -q "aborts the MPI job: 1 worker rank(s) lost (rank-[12]: the job exceeded its time limit" "$work/hang.log" ||
  { tail -30 "$work/hang.log"; fail "the coordinator did not say which rank it gave up on"; }
(( status != 0 )) || fail "mpirun exited 0 although a rank was lost"
# Open MPI kills the other ranks as mpirun ends; give the signal a moment.
for _ in $(seq 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.2; done
! kill -0 "$pid" 2> /dev/null || { cat "$work/hang.log"; ps -o pid,stat,cmd -p "$pid"; fail "the hung rank $pid outlived the MPI job"; }
[[ $(sqlite3 "$work/hang/popsweep.db" "SELECT count(*) FROM jobs WHERE status != 'done'") == 0 ]] ||
  fail "not every job is done"
[[ $(sqlite3 "$work/hang/popsweep.db" "SELECT count(*) FROM jobs WHERE attempts = 2") == 1 ]] ||
  fail "expected exactly one job to need a second attempt"
diff <(sweep_numbers "$work/base/popsweep.db") <(sweep_numbers "$work/hang/popsweep.db") ||
  fail "the sweep with a hung rank gave other numbers"
echo "PASS: rank pid $pid hung at $point; timed out, its job rerun on the other rank, MPI job ended" \
     "by the coordinator (mpirun status $status); same numbers ($(( SECONDS - started )) s)"
