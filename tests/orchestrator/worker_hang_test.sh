#!/usr/bin/env bash
# A worker process that hangs for real (common/fault_points.h with
# POPSWEEP_FAULT_ACTION=hang): its training thread blocks mid-epoch while its
# heartbeat thread goes on answering, as in a deadlock. The coordinator must
# notice through the job time limit, say so, kill and replace the worker,
# retry the job and finish the sweep with the numbers of a run without a hang.
set -euo pipefail
bin=${POPSWEEP_BIN:?POPSWEEP_BIN must name the popsweep binary}
work=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
source "$(dirname "$0")/../support/skip_or_fail.sh"
command -v sqlite3 > /dev/null || skip_or_fail "sqlite3 command-line tool not installed"

source "$(dirname "$0")/../support/hang_sweep.sh"
overrides=("${hang_sweep_overrides[@]}" run.workers=2)

started=$SECONDS
"$bin" demo --out "$work/base" "${overrides[@]}" > "$work/base.log" 2>&1 || { cat "$work/base.log"; fail "baseline failed"; }
mkdir -p "$work/hang"
cp -r "$work/base"/synth-tiny-1* "$work/hang/"
POPSWEEP_FAULT=train.mid_epoch:6 POPSWEEP_FAULT_ACTION=hang POPSWEEP_FAULT_MARKER=$work/hang/fault.fired \
  "$bin" demo --out "$work/hang" "${overrides[@]}" > "$work/hang.log" 2>&1 ||
  { tail -20 "$work/hang.log"; fail "the sweep did not survive a hung worker"; }
[[ -f $work/hang/fault.fired ]] || fail "the worker never hung"
read -r point pid < "$work/hang/fault.fired"
grep -q "fault injection: hanging at train.mid_epoch" "$work/hang.log" || fail "no hang message in the log"
grep -q "pid-$pid lost: the job exceeded its time limit" "$work/hang.log" ||
  { tail -20 "$work/hang.log"; fail "the coordinator did not time out the hung worker $pid"; }
! kill -0 "$pid" 2> /dev/null || fail "the hung worker $pid is still alive"
[[ $(sqlite3 "$work/hang/popsweep.db" "SELECT count(*) FROM jobs WHERE status != 'done'") == 0 ]] ||
  fail "not every job is done"
[[ $(sqlite3 "$work/hang/popsweep.db" "SELECT count(*) FROM jobs WHERE attempts = 2") == 1 ]] ||
  fail "expected exactly one job to need a second attempt"
diff <(sweep_numbers "$work/base/popsweep.db") <(sweep_numbers "$work/hang/popsweep.db") || fail "the sweep with a hung worker gave other numbers"
echo "PASS: worker $pid hung at $point, timed out and replaced; same numbers ($(( SECONDS - started )) s)"
