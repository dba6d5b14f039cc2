#!/usr/bin/env bash
# Resume is safe, and readers never stop a sweep (docs/RELIABILITY.md), through
# the real binary on the small demo sweep:
#   - `popsweep status` and `popsweep report` read the database over and over
#     while the sweep writes it: every read succeeds, none sees "database is
#     locked", and the sweep's results are those of a run without readers;
#   - a rerun whose spec changes results (train.epochs 3 -> 4) is refused with
#     a diff naming the key and both values, and leaves the database as it was;
#   - --new-sweep NAME runs that changed spec as a second sweep in the same
#     database, leaving the first sweep's results alone;
#   - a spec that only adds a value to a sweep list (sweep.train.lr) runs only
#     the new jobs: the finished ones are not run again.
set -euo pipefail
bin=${POPSWEEP_BIN:?POPSWEEP_BIN must name the popsweep binary}
work=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
source "$(dirname "$0")/../support/skip_or_fail.sh"
command -v sqlite3 > /dev/null || skip_or_fail "sqlite3 command-line tool not installed"

overrides=(train.epochs=3 "train.classes=[2]" train.folds=2 run.workers=2 run.threads_per_worker=1)
db=$work/a/popsweep.db
results() {
  sqlite3 "$1" "SELECT r.experiment, r.classes, r.fold, r.repeat, r.best_epoch, printf('%.9f', r.accuracy_best),
                       printf('%.9f', r.accuracy_last)
                FROM train_results r JOIN sweep_jobs s USING (job_id) JOIN sweeps w ON w.id = s.sweep_id
                WHERE w.name = '${2:-quick}' ORDER BY 1, 2, 3, 4"
}
# Every finished job as it was recorded: a job run again gets a new worker and
# times. (The ingest job is re-marked done by every run: ingest itself decides
# whether anything changed.)
finished_jobs() {
  sqlite3 "$db" "SELECT id, job_key, attempts, worker, started_at, finished_at FROM jobs
                 WHERE status = 'done' AND stage != 'ingest' ORDER BY id"
}

# 1. Readers while the sweep runs.
started=$SECONDS
"$bin" demo --out "$work/a" "${overrides[@]}" > "$work/a.log" 2>&1 &
sweep=$!
reads=0
while kill -0 $sweep 2>/dev/null; do
  if [[ $(sqlite3 "$db" "SELECT count(*) FROM sweeps" 2>/dev/null || echo 0) == 0 ]]; then
    sleep 0.05
    continue
  fi
  "$bin" status --db "$db" > "$work/status.out" 2>&1 || { cat "$work/status.out"; fail "status failed while the sweep ran"; }
  "$bin" report --db "$db" --out "$work/live-report" > "$work/report.out" 2>&1 ||
    { cat "$work/report.out"; fail "report failed while the sweep ran"; }
  ! grep -qi "locked" "$work/status.out" "$work/report.out" || fail "a reader saw a locked database"
  reads=$((reads + 1))
done
wait $sweep || { cat "$work/a.log"; fail "the sweep failed with readers beside it"; }
! grep -qi "locked" "$work/a.log" || fail "the sweep saw a locked database"
(( reads >= 2 )) || fail "only $reads status+report reads happened while the sweep ran"
"$bin" demo --out "$work/b" "${overrides[@]}" > "$work/b.log" 2>&1 || { cat "$work/b.log"; fail "the run without readers failed"; }
diff <(results "$db") <(results "$work/b/popsweep.db") || fail "readers changed the results"
echo "readers: $reads status + report pairs while the sweep ran ($(( SECONDS - started )) s)"

# 2. A change that changes results is refused with a diff; nothing is written.
before=$(sqlite3 "$db" .dump | sha256sum)
if "$bin" demo --out "$work/a" "${overrides[@]}" train.epochs=4 > "$work/changed.log" 2>&1; then
  fail "a rerun with train.epochs changed was accepted"
fi
grep -q "sweep 'quick' already exists in .*popsweep.db with settings that give different results" "$work/changed.log" ||
  { cat "$work/changed.log"; fail "the refusal does not say why"; }
grep -q "train.epochs: 3 -> 4" "$work/changed.log" || { cat "$work/changed.log"; fail "the refusal shows no diff"; }
grep -q -- "--new-sweep" "$work/changed.log" || fail "the refusal does not say how to go on"
[[ $(sqlite3 "$db" .dump | sha256sum) == "$before" ]] || fail "the refused rerun changed the database"

# 3. The changed spec as a new sweep beside the first.
first=$(results "$db")
"$bin" run "$work/a/quick.yaml" "${overrides[@]}" train.epochs=4 --new-sweep longer --db "$db" > "$work/longer.log" 2>&1 ||
  { cat "$work/longer.log"; fail "--new-sweep failed"; }
[[ $(sqlite3 "$db" "SELECT count(*) FROM sweeps") == 2 ]] || fail "--new-sweep did not add a sweep"
[[ $(results "$db" longer | wc -l) == 8 ]] || fail "the new sweep has $(results "$db" longer | wc -l) results, expected 8"
[[ $(results "$db") == "$first" ]] || fail "the new sweep changed the first sweep's results"

# 4. A value added to a sweep list: only the new jobs run.
finished_before=$(finished_jobs)
count_before=$(sqlite3 "$db" "SELECT count(*) FROM jobs")
"$bin" run "$work/a/quick.yaml" "${overrides[@]}" "sweep.train.lr=[0.001, 0.0005]" --db "$db" > "$work/grown.log" 2>&1 ||
  { cat "$work/grown.log"; fail "the grown sweep failed"; }
added=$(( $(sqlite3 "$db" "SELECT count(*) FROM jobs") - count_before ))
(( added == 8 )) || fail "adding one learning rate should add 8 training jobs, added $added"
diff <(echo "$finished_before") <(finished_jobs | head -n "$(echo "$finished_before" | wc -l)") ||
  fail "jobs finished before the spec grew were run again"
[[ $(sqlite3 "$db" "SELECT count(*) FROM jobs WHERE status != 'done'") == 0 ]] || fail "not every job is done"
[[ $(results "$db" | wc -l) == 16 ]] || fail "expected 16 results in the grown sweep"
grep -q "sweep 'quick': 21 done" "$work/grown.log" || { cat "$work/grown.log"; fail "the grown sweep's summary is wrong"; }
echo "PASS ($(( SECONDS - started )) s)"
