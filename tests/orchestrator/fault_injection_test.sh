#!/usr/bin/env bash
# Deterministic crashes at named places (common/fault_points.h), then the same
# command again. For every fault point the small demo sweep (the embedded
# quick spec, as in sweep_end_to_end_test.sh) runs with POPSWEEP_FAULT set:
#   - the process that owns the point must die there by SIGKILL: the
#     coordinator (exit status 137) or a worker (the coordinator logs the
#     signal, retries the job and carries on);
#   - the same command without the variable must then finish, and the final
#     database must equal an uninterrupted run's, table by table: results and
#     histories to 9 digits, features and checkpoints byte for byte, job
#     statuses, the same number of rows (no duplicates), no job left undone,
#     no orphaned checkpoint or result row, and `popsweep doctor` finds nothing;
#   - the report must be complete and equal to the uninterrupted run's.
# Then a real full disk: the sweep's folder on a tmpfs too small for it (needs
# mount rights; skipped without them). The command must fail saying the disk
# is full and naming the database, keep what it had committed, and after the
# file system grows, the same command must end with the baseline's database.
# Three of the points again under mpirun, where a killed rank ends the whole
# MPI job. One uninterrupted baseline is shared by all points; each run copies the
# baseline's generated profile so it does not synthesise it again.
set -euo pipefail
bin=${POPSWEEP_BIN:?POPSWEEP_BIN must name the popsweep binary}
work=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null || true; umount "$work/full" 2>/dev/null || true; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
source "$(dirname "$0")/../support/skip_or_fail.sh"
command -v sqlite3 > /dev/null || skip_or_fail "sqlite3 command-line tool not installed"

# features.batch=8 and train.batch_size=8 give several extraction batches per
# shard and several training steps per epoch, so there is a "between batches"
# and a "mid-epoch" to crash in; 64-pixel inputs keep the eleven runs short.
overrides=(train.epochs=3 "train.classes=[2]" train.folds=2 run.workers=2 run.threads_per_worker=1 features.batch=8
           train.batch_size=8 features.image_size=64)

# A canonical text dump of a run's database: every table, rows sorted, floats
# to 9 digits, blobs as SHA-256, the run's own folder replaced by RUN (the
# ingest job's key hashes that folder), and the columns that record when,
# where, how long and how often left out.
canonical() {
  /usr/bin/python3 - "$1" <<'PY'
import hashlib, sqlite3, sys
run = sys.argv[1]
volatile = {
    "profiles": {"ingested_at"}, "label_configs": {"computed_at"}, "media_problems": {"recorded_at"},
    "feature_sets": {"created_at"}, "dedup_runs": {"created_at"}, "sweeps": {"created_at", "updated_at"},
    "jobs": {"attempts", "error", "worker", "created_at", "started_at", "finished_at", "seconds", "preemptions",
             "losses", "stop_reached_at"},
}
def show(value):
    if isinstance(value, float): return "%.9f" % value
    if isinstance(value, bytes): return "sha256:" + hashlib.sha256(value).hexdigest()[:16]
    return str(value).replace(run, "RUN")
db = sqlite3.connect("file:%s/popsweep.db?mode=ro" % run, uri=True)
tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
for table in tables:
    columns = [r[1] for r in db.execute('PRAGMA table_info("%s")' % table) if r[1] not in volatile.get(table, ())]
    rows = []
    for row in db.execute('SELECT %s FROM "%s"' % (", ".join('"%s"' % c for c in columns), table)):
        values = [show(v) for v in row]
        if table == "jobs" and row[columns.index("stage")] == "ingest":
            values[columns.index("job_key")] = "ingest-(hash of the run's folder)"
        rows.append("|".join(values))
    rows.sort()
    print("## %s (%s): %d rows" % (table, ", ".join(columns), len(rows)))
    for row in rows: print(row)
PY
}

# Nothing half-done may remain after a finished rerun.
check_no_leftovers() {
  local db=$1/popsweep.db
  local undone orphans stale
  undone=$(sqlite3 "$db" "SELECT count(*) FROM jobs WHERE status != 'done'")
  [[ $undone == 0 ]] || fail "$2: $undone job(s) not done after the rerun"
  orphans=$(sqlite3 "$db" "SELECT count(*) FROM checkpoints c LEFT JOIN jobs j ON j.id = c.job_id
                            WHERE j.id IS NULL OR j.status != 'done' OR c.kind = 'resume'")
  [[ $orphans == 0 ]] || fail "$2: $orphans orphaned checkpoint(s)"
  stale=$(sqlite3 "$db" "SELECT (SELECT count(*) FROM train_results WHERE job_id NOT IN (SELECT id FROM jobs WHERE status = 'done'))
                              + (SELECT count(*) FROM epochs WHERE job_id NOT IN (SELECT job_id FROM train_results))
                              + (SELECT count(*) FROM predictions WHERE job_id NOT IN (SELECT job_id FROM train_results))")
  [[ $stale == 0 ]] || fail "$2: $stale result row(s) without a finished job"
  "$bin" doctor --db "$db" > "$1/doctor.log" 2>&1 || { cat "$1/doctor.log"; fail "$2: popsweep doctor found problems"; }
}

started=$SECONDS
compared=0
"$bin" demo --out "$work/base" "${overrides[@]}" > "$work/base.log" 2>&1 || { cat "$work/base.log"; fail "baseline run failed"; }
check_no_leftovers "$work/base" baseline
canonical "$work/base" > "$work/base.dump"
echo "baseline: $(( SECONDS - started )) s, $(grep -c . "$work/base.dump") dump lines"

# point[:n] and the process it kills. The counts pick a place in the middle:
# the 3rd committed extraction batch, a worker's 6th training step (its
# second epoch), ...
cases=(
  "ingest.before_commit coordinator"
  "label.after_commit coordinator"
  "extract.mid_batch:2 worker"
  "extract.after_batch_commit:3 coordinator"
  "extract.result_before_status coordinator"
  "dedup.before_commit coordinator"
  "train.mid_epoch:6 worker"
  "train.epoch_boundary:2 worker"
  "train.result_before_status:3 coordinator"
  "report.half_written coordinator"
)
for case in "${cases[@]}"; do
  read -r fault owner <<< "$case"
  point=${fault%%:*}
  tag=${fault//[.:]/-}
  dir=$work/$tag
  mkdir -p "$dir"
  cp -r "$work/base"/synth-tiny-1* "$dir/"
  case_started=$SECONDS

  # In a subshell whose stderr is dropped, so bash's own "Killed" notice stays
  # out of the test's output.
  set +e
  (
    POPSWEEP_FAULT=$fault POPSWEEP_FAULT_MARKER=$dir/fault.fired "$bin" demo --out "$dir" "${overrides[@]}" \
      > "$dir/crash.log" 2>&1 &
    echo $! > "$dir/coordinator.pid"
    wait $!
  ) 2> /dev/null
  status=$?
  set -e
  coordinator=$(cat "$dir/coordinator.pid")
  [[ -f $dir/fault.fired ]] || { tail -20 "$dir/crash.log"; fail "$fault: the fault point was never reached"; }
  read -r fired_point fired_pid < "$dir/fault.fired"
  [[ $fired_point == "$point" ]] || fail "$fault: fired at $fired_point"
  grep -q "fault injection: SIGKILL at $point" "$dir/crash.log" || fail "$fault: no fault message in the log"
  if [[ $owner == coordinator ]]; then
    [[ $fired_pid == "$coordinator" ]] || fail "$fault: fired in pid $fired_pid, not in the coordinator $coordinator"
    (( status == 137 )) || { tail -20 "$dir/crash.log"; fail "$fault: the coordinator exited with $status, not SIGKILL"; }
  else
    [[ $fired_pid != "$coordinator" ]] || fail "$fault: fired in the coordinator, expected a worker"
    grep -q "pid-$fired_pid lost: worker process killed by signal 9" "$dir/crash.log" ||
      { tail -20 "$dir/crash.log"; fail "$fault: the coordinator did not see worker $fired_pid killed by SIGKILL"; }
    (( status == 0 )) || { tail -20 "$dir/crash.log"; fail "$fault: the sweep did not survive the killed worker"; }
  fi
  done_at_crash=$(sqlite3 "$dir/popsweep.db" "SELECT count(*) FROM jobs WHERE status = 'done'" 2>/dev/null || echo 0)

  "$bin" demo --out "$dir" "${overrides[@]}" > "$dir/rerun.log" 2>&1 || { cat "$dir/rerun.log"; fail "$fault: rerun failed"; }
  check_no_leftovers "$dir" "$fault"
  canonical "$dir" > "$dir/final.dump"
  diff "$work/base.dump" "$dir/final.dump" > "$dir/dump.diff" ||
    { head -40 "$dir/dump.diff"; fail "$fault: the database differs from the uninterrupted run's"; }
  for file in report.md report.html results.csv results.json; do
    [[ -s $dir/report/$file ]] || fail "$fault: report/$file missing after the rerun"
  done
  diff "$work/base/report/results.csv" "$dir/report/results.csv" || fail "$fault: the report's results differ"
  compared=$(( compared + 1 ))
  echo "$fault: killed the $owner (pid $fired_pid) with $done_at_crash job(s) done;" \
       "rerun matches the baseline ($(( SECONDS - case_started )) s)"
done

# Under MPI (rank 0 coordinates, two worker ranks) a process killed at a fault
# point takes the whole MPI job down (Open MPI aborts the other ranks), so each
# case is "the whole MPI job killed at that point": a worker rank mid-batch and
# mid-epoch, and rank 0 between writing a result and marking its job done.
# The same command under mpirun must then end with the baseline's database.
mpi_cases=("extract.mid_batch:2" "train.mid_epoch:6" "train.result_before_status:3")
if command -v mpirun > /dev/null; then
  source "$(dirname "$0")/../support/mpi_environment.sh"
  for fault in "${mpi_cases[@]}"; do
    point=${fault%%:*}
    dir=$work/mpi-${fault//[.:]/-}
    mkdir -p "$dir"
    cp -r "$work/base"/synth-tiny-1* "$dir/"
    case_started=$SECONDS
    mpi_run=(timeout 600 mpirun -np 3 "$bin" run "$work/base/quick.yaml" "${overrides[@]}" --db "$dir/popsweep.db")
    set +e
    POPSWEEP_FAULT=$fault POPSWEEP_FAULT_MARKER=$dir/fault.fired "${mpi_run[@]}" > "$dir/crash.log" 2>&1
    status=$?
    set -e
    [[ -f $dir/fault.fired ]] || { tail -20 "$dir/crash.log"; fail "MPI $fault: the fault point was never reached"; }
    read -r fired_point fired_pid < "$dir/fault.fired"
    [[ $fired_point == "$point" ]] || fail "MPI $fault: fired at $fired_point"
    (( status != 0 && status != 124 )) || { tail -20 "$dir/crash.log"; fail "MPI $fault: mpirun exited $status"; }
    done_at_crash=$(sqlite3 "$dir/popsweep.db" "SELECT count(*) FROM jobs WHERE status = 'done'" 2>/dev/null || echo 0)
    "${mpi_run[@]}" > "$dir/rerun.log" 2>&1 || { tail -40 "$dir/rerun.log"; fail "MPI $fault: rerun failed"; }
    check_no_leftovers "$dir" "MPI $fault"
    canonical "$dir" > "$dir/final.dump"
    diff "$work/base.dump" "$dir/final.dump" > "$dir/dump.diff" ||
      { head -40 "$dir/dump.diff"; fail "MPI $fault: the database differs from the uninterrupted run's"; }
    compared=$(( compared + 1 ))
    echo "MPI $fault: the MPI job died (mpirun status $status) with $done_at_crash job(s) done;" \
         "rerun under mpirun matches the baseline ($(( SECONDS - case_started )) s)"
  done
else
  mpi_cases=()
  skip_part_or_fail "MPI fault cases (no mpirun)"
fi

# A real full disk (ENOSPC, which SQLite reports as SQLITE_FULL).
full=$work/full
mkdir -p "$full"
profile_kb=$(du -sk "$work/base"/synth-tiny-1* | cut -f1)
if mount -t tmpfs -o size=$(( profile_kb + 1024 ))k popsweep-full "$full" 2> /dev/null; then
  case_started=$SECONDS
  cp -r "$work/base"/synth-tiny-1* "$full/"
  if "$bin" demo --out "$full" "${overrides[@]}" > "$work/full.log" 2>&1; then
    fail "the sweep succeeded on a full disk"
  fi
  grep -q "popsweep: error: the disk is full: cannot write the database $full/popsweep.db" "$work/full.log" ||
    { tail -20 "$work/full.log"; fail "disk full: the error does not say so or does not name the database"; }
  echo "disk full: $(grep -m 1 "popsweep: error" "$work/full.log")"
  done_when_full=$(sqlite3 "$full/popsweep.db" "SELECT count(*) FROM jobs WHERE status = 'done'")
  features_when_full=$(sqlite3 "$full/popsweep.db" "SELECT count(*) FROM features")
  [[ $(sqlite3 "$full/popsweep.db" "SELECT count(*) FROM jobs WHERE status = 'failed'") == 0 ]] ||
    fail "disk full: jobs were marked failed for it"
  mount -o remount,size=256m "$full"
  "$bin" demo --out "$full" "${overrides[@]}" > "$work/full-rerun.log" 2>&1 ||
    { cat "$work/full-rerun.log"; fail "disk full: the rerun with space failed"; }
  (( $(sqlite3 "$full/popsweep.db" "SELECT count(*) FROM features") >= features_when_full )) ||
    fail "disk full: committed features were lost"
  check_no_leftovers "$full" "disk full"
  canonical "$full" > "$work/full.dump"
  diff "$work/base.dump" "$work/full.dump" > "$work/full.diff" ||
    { head -40 "$work/full.diff"; fail "disk full: the database after the rerun differs from the uninterrupted run's"; }
  umount "$full"
  compared=$(( compared + 1 ))
  echo "disk full: stopped with $done_when_full job(s) done and $features_when_full feature rows kept;" \
       "rerun with space matches the baseline ($(( SECONDS - case_started )) s)"
else
  echo "disk full on tmpfs: skipped (no right to mount a tmpfs here)"
fi
echo "PASS: $(( ${#cases[@]} + ${#mpi_cases[@]} )) faults injected, $compared resumed databases compared with the baseline in $(( SECONDS - started )) s"
