#!/usr/bin/env bash
# A tpe search through the real binary (orchestrator/sweep_runner.cc runs a
# round per batch, each proposed from the scores of the batches before):
#   - 6 trials in batches of 2 (batch 0 drawn at random, batches 1 and 2
#     fitted to the scores before them, each in its own round) all run,
#     each trial's jobs recorded under its trial number;
#   - a coordinator killed (SIGKILL, fault point) in the middle of batch 2
#     resumes and proposes exactly the values of an uninterrupted run, with
#     the same scores;
#   - raising search.trials to 8 on the finished search adds 2 trials and
#     keeps the 6 old ones (their values and results untouched);
#   - `popsweep report` ranks the trials (its best is the database's best
#     pooled accuracy) and draws the score against train.lr on a log10 axis.
set -euo pipefail
bin=${POPSWEEP_BIN:?POPSWEEP_BIN must name the popsweep binary}
work=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cat > "$work/search.yaml" <<'YAML'
name: tpe
profile:
  synth:
    preset: tiny
features:
  backbone: mobilenet_v2
  image_size: 64
  shards: 1
train:
  experiments: [image]
  classes: [2]
  folds: 2
  repeats: 1
  epochs: 1
run:
  workers: 2
  threads_per_worker: 1
search:
  method: tpe
  trials: 6
  batch: 2
  startup_trials: 2
  seed: 5
  train.lr: {loguniform: [0.0001, 0.1]}
  train.batch_size: {int: [4, 32]}
YAML

# Trial number, its searched values and its pooled best-epoch accuracy.
trials() {
  sqlite3 "$1" "SELECT json_extract(s.point, '$.\"search.trial\"') AS trial,
                       json_extract(s.point, '$.\"train.lr\"'), json_extract(s.point, '$.\"train.batch_size\"'),
                       printf('%.9f', sum(r.accuracy_best * r.val_items) / sum(r.val_items))
                FROM sweep_jobs s JOIN train_results r ON r.job_id = s.job_id
                GROUP BY 1, 2, 3 ORDER BY trial + 0"
}

"$bin" run "$work/search.yaml" --db "$work/a.db" > "$work/a.log" 2>&1 || { cat "$work/a.log"; fail "the search failed"; }
grep -c "search: batch scored" "$work/a.log" | grep -qx 2 || { cat "$work/a.log"; fail "expected three rounds"; }
[[ $(trials "$work/a.db" | wc -l) == 6 ]] || { trials "$work/a.db"; fail "expected 6 scored trials"; }
[[ $(sqlite3 "$work/a.db" "SELECT count(*) FROM train_results") == 12 ]] || fail "expected 6 trials x 2 folds"
echo "6 trials (trial, lr, batch size, pooled accuracy):"; trials "$work/a.db"

# Killed in batch 2 (the 10th of 12 training results), then resumed.
POPSWEEP_FAULT=train.result_before_status:10 "$bin" run "$work/search.yaml" --db "$work/b.db" > "$work/b.log" 2>&1 &&
  fail "the fault point did not fire"
done_before=$(sqlite3 "$work/b.db" "SELECT count(*) FROM train_results")
echo "coordinator killed with $done_before training results"
(( done_before >= 8 && done_before < 12 )) || fail "the kill did not come in batch 2"
"$bin" run "$work/search.yaml" --db "$work/b.db" > "$work/b2.log" 2>&1 || { cat "$work/b2.log"; fail "resume failed"; }
diff <(trials "$work/a.db") <(trials "$work/b.db") || fail "the resumed search proposed other values or scores"

# More trials: the old ones stay as they were.
before=$(trials "$work/a.db")
"$bin" run "$work/search.yaml" --db "$work/a.db" search.trials=8 > "$work/a2.log" 2>&1 ||
  { cat "$work/a2.log"; fail "raising search.trials failed"; }
[[ $(trials "$work/a.db" | wc -l) == 8 ]] || fail "expected 8 trials"
diff <(echo "$before") <(trials "$work/a.db" | head -n 6) || fail "raising search.trials changed old trials"
# The report's search table: its first row is the best trial by pooled accuracy.
"$bin" report --db "$work/a.db" --out "$work/report" > "$work/report.log" 2>&1 || { cat "$work/report.log"; fail "report failed"; }
grep -q "^## Search" "$work/report/report.md" || fail "report.md has no Search section"
best=$(trials "$work/a.db" | sort -t '|' -k4,4r -k1,1n | head -n 1 | cut -d '|' -f 1)
first=$(grep -A3 "^| rank | trial" "$work/report/report.md" | sed -n 3p | cut -d '|' -f 3 | tr -d ' ')
[[ $first == "$best" ]] || { cat "$work/report/report.md"; fail "the report ranks trial $first first, the best is $best"; }
grep -rl "log10 train.lr" "$work/report" > /dev/null || fail "no log10 axis for the log range train.lr"
grep -q "Score against train.lr" "$work/report/report.html" || fail "report.html lacks the search scatter"
echo "PASS"
