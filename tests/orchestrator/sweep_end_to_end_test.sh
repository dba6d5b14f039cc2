#!/usr/bin/env bash
# The whole pipeline through the real binary: `popsweep demo` generates the
# tiny profile and runs every stage (ingest, label, extract, dedup, train)
# with local worker processes. Checked against the database itself:
#   - every planned training job has a result, history and kept weights;
#   - every readable media file has features, every corrupt one is recorded
#     as a problem (truth.json lists them) and did not stop the sweep;
#   - the same spec and seed give the same numbers (determinism);
#   - a second run finds nothing to do and changes nothing;
#   - a coordinator killed with SIGKILL mid-sweep resumes where it stopped
#     and ends with exactly the numbers of an uninterrupted run.
set -euo pipefail
bin=${POPSWEEP_BIN:?POPSWEEP_BIN must name the popsweep binary}
work=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

overrides=(train.epochs=3 "train.classes=[2]" train.folds=2 run.workers=2 run.threads_per_worker=1)
results() {
  sqlite3 "$1/popsweep.db" "SELECT experiment, classes, fold, repeat, best_epoch, printf('%.9f', accuracy_best),
                                   printf('%.9f', accuracy_last) FROM train_results ORDER BY 1, 2, 3, 4"
}
history() {
  sqlite3 "$1/popsweep.db" "SELECT r.experiment, r.fold, e.epoch, printf('%.9f', e.train_loss), printf('%.9f', e.val_loss)
                            FROM epochs e JOIN train_results r USING (job_id) ORDER BY 1, 2, 3"
}

"$bin" demo --out "$work/a" "${overrides[@]}" > "$work/a.log" 2>&1 || { cat "$work/a.log"; fail "demo run failed"; }

# 4 experiments x 1 class setting x 2 folds x 1 repeat.
[[ $(sqlite3 "$work/a/popsweep.db" "SELECT count(*) FROM train_results") == 8 ]] || fail "expected 8 training results"
[[ $(sqlite3 "$work/a/popsweep.db" "SELECT count(DISTINCT job_id) FROM epochs") == 8 ]] || fail "expected 8 histories"
[[ $(sqlite3 "$work/a/popsweep.db" "SELECT count(*) FROM checkpoints WHERE kind = 'best'") == 8 ]] ||
  fail "expected 8 kept models"
# Accuracies are fractions of the validation items.
[[ $(sqlite3 "$work/a/popsweep.db" "SELECT count(*) FROM train_results WHERE accuracy_best < 0 OR accuracy_best > 1
                                     OR val_items <= 0") == 0 ]] || fail "accuracy out of range"

# Corrupt files: recorded as problems, never embedded; the rest embedded.
corrupt=$(/usr/bin/python3 -c "import json,sys; t=json.load(open(sys.argv[1])); print(len(t['corrupt']))" \
  "$work/a/synth-tiny-1/truth.json")
problems=$(sqlite3 "$work/a/popsweep.db" "SELECT count(DISTINCT m.content_hash) FROM media_problems p JOIN media m ON m.id = p.media_id")
(( corrupt > 0 )) || fail "the tiny profile should plant corrupt files"
(( problems >= corrupt )) || fail "$corrupt corrupt files planted, only $problems recorded as problems"
missing=$(sqlite3 "$work/a/popsweep.db" "SELECT count(DISTINCT m.content_hash) FROM media m
  WHERE m.content_hash NOT IN (SELECT content_hash FROM features)
    AND m.id NOT IN (SELECT media_id FROM media_problems)")
[[ $missing == 0 ]] || fail "$missing readable media files have no features"

# Determinism: a second database from the same spec and seed.
"$bin" demo --out "$work/b" "${overrides[@]}" > "$work/b.log" 2>&1 || { cat "$work/b.log"; fail "second run failed"; }
diff <(results "$work/a") <(results "$work/b") || fail "same spec and seed gave different results"
diff <(history "$work/a") <(history "$work/b") || fail "same spec and seed gave different histories"

# Rerun: nothing to do, nothing changes.
before=$(results "$work/a")
"$bin" demo --out "$work/a" "${overrides[@]}" > "$work/rerun.log" 2>&1 || { cat "$work/rerun.log"; fail "rerun failed"; }
[[ "$(results "$work/a")" == "$before" ]] || fail "a rerun changed results"

# SIGKILL the coordinator once training has started, then resume.
"$bin" demo --out "$work/c" "${overrides[@]}" > "$work/c.log" 2>&1 &
coordinator=$!
for _ in $(seq 1 600); do
  done_jobs=$(sqlite3 "$work/c/popsweep.db" "SELECT count(*) FROM train_results" 2>/dev/null || echo 0)
  (( done_jobs >= 2 )) && break
  kill -0 $coordinator 2>/dev/null || break
  sleep 0.2
done
kill -9 $coordinator 2>/dev/null || true
wait $coordinator 2>/dev/null || true
killed_at=$(sqlite3 "$work/c/popsweep.db" "SELECT count(*) FROM train_results")
echo "coordinator killed with $killed_at of 8 training jobs recorded"
# Orphaned workers notice their coordinator is gone and exit.
"$bin" demo --out "$work/c" "${overrides[@]}" > "$work/c2.log" 2>&1 || { cat "$work/c2.log"; fail "resume failed"; }
diff <(results "$work/a") <(results "$work/c") || fail "the resumed sweep differs from an uninterrupted one"
echo "PASS"
