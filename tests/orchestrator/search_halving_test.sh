#!/usr/bin/env bash
# Successive halving through the real binary (search.pruner,
# orchestrator/search_halving.h), on the tiny synthetic profile, whose
# popularity is planted in the pictures' visual families (worker/synth):
#   - planted truth: 12 random trials of train.lr in one bracket, rungs of 1,
#     3 and 9 epochs (eta 3). The 2 trials kept to the last rung include the
#     best trial of the unpruned search of the same space (by its pooled
#     accuracy), at a fraction of its epochs (printed: trained epochs are
#     counted from each job's own epoch history, against the unpruned run's);
#   - a promoted trial goes on from its saved state: every job of rungs 1 and
#     2 says it resumed (12 lines), and the last rung's numbers equal those
#     of the unpruned run's jobs, epoch by epoch, to 9 digits;
#   - stopped trials' jobs end `pruned` (not failed): the run succeeds,
#     `status` and the report count them, and `doctor` keeps their results;
#   - a coordinator SIGKILLed in the middle of rung 1 resumes to the very
#     same promotions, statuses and numbers;
#   - raising search.trials to 24 adds a second bracket and leaves every job
#     of the first as it was;
#   - the report's Search section says how much of the budget pruning saved,
#     and lists the trials stopped below the last rung apart, at the rung and
#     epochs they reached, while results.json/csv hold full-budget trials only.
set -euo pipefail
bin=${POPSWEEP_BIN:?POPSWEEP_BIN must name the popsweep binary}
work=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
source "$(dirname "$0")/../support/skip_or_fail.sh"
command -v sqlite3 > /dev/null || skip_or_fail "sqlite3 command-line tool not installed"

cat > "$work/search.yaml" <<'YAML'
name: halving
seed: 3
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
  epochs: 9
run:
  workers: 2
  threads_per_worker: 1
search:
  method: random
  trials: 12
  batch: 12
  seed: 11
  pruner: successive_halving
  min_epochs: 1
  eta: 3
  train.lr: {loguniform: [0.00001, 0.1]}
YAML

# Every training job: trial, rung, fold, status, best accuracy, epochs run.
jobs_of() {
  sqlite3 "$1" "SELECT json_extract(s.point, '$.\"search.trial\"') + 0 AS trial,
                       coalesce(json_extract(j.params, '$.halving.rung'), '-'), json_extract(j.params, '$.fold'),
                       j.status, printf('%.9f', r.accuracy_best), r.epochs_run
                FROM sweep_jobs s JOIN jobs j ON j.id = s.job_id LEFT JOIN train_results r ON r.job_id = j.id
                WHERE j.stage = 'train' ORDER BY 1, 2, 3"
}
# Trial and pooled best-epoch accuracy of every (last-rung) result, best first, ties in trial order.
ranking() {
  sqlite3 "$1" "SELECT json_extract(s.point, '$.\"search.trial\"') + 0 AS trial,
                       printf('%.9f', sum(r.accuracy_best * r.val_items) / sum(r.val_items)) AS score
                FROM sweep_jobs s JOIN jobs j ON j.id = s.job_id JOIN train_results r ON r.job_id = j.id
                WHERE j.stage = 'train' AND j.status = 'done' AND $2
                GROUP BY 1 ORDER BY score DESC, trial"
}
# Epoch histories of the given trials' jobs at their last epochs.
curves() {
  sqlite3 "$1" "SELECT json_extract(s.point, '$.\"search.trial\"') + 0, json_extract(j.params, '$.fold'), e.epoch,
                       printf('%.9f %.9f', e.train_loss, e.val_accuracy)
                FROM sweep_jobs s JOIN jobs j ON j.id = s.job_id JOIN epochs e ON e.job_id = j.id
                WHERE j.stage = 'train' AND j.status = 'done' AND $2 ORDER BY 1, 2, 3"
}

"$bin" run "$work/search.yaml" --db "$work/pruned.db" > "$work/pruned.log" 2>&1 ||
  { cat "$work/pruned.log"; fail "the pruned search failed (a pruned job must not fail the run)"; }
"$bin" run "$work/search.yaml" --db "$work/full.db" search.pruner=none > "$work/full.log" 2>&1 ||
  { cat "$work/full.log"; fail "the unpruned search failed"; }

last_rung="json_extract(j.params, '$.halving.rung') = 2"
kept=$(sqlite3 "$work/pruned.db" "SELECT DISTINCT json_extract(s.point, '$.\"search.trial\"') + 0 FROM sweep_jobs s
                                  JOIN jobs j ON j.id = s.job_id WHERE $last_rung ORDER BY 1" | tr '\n' ' ')
best=$(ranking "$work/full.db" 1 | head -n 1)
echo "unpruned: best trial ${best%%|*} (pooled accuracy ${best#*|}); pruned search kept trials $kept to the last rung"
[[ $(echo "$kept" | wc -w) == 2 ]] || { jobs_of "$work/pruned.db"; fail "expected 2 trials at the last rung"; }
[[ " $kept " == *" ${best%%|*} "* ]] || { ranking "$work/full.db" 1; fail "the best unpruned trial was pruned"; }

# Epochs each (trial, fold) trained: its longest history; unpruned, 24 x 9.
trained=$(sqlite3 "$work/pruned.db" "SELECT sum(n) FROM (SELECT max(r.epochs_run) AS n FROM sweep_jobs s
            JOIN jobs j ON j.id = s.job_id JOIN train_results r ON r.job_id = j.id
            GROUP BY json_extract(s.point, '$.\"search.trial\"'), r.fold)")
unpruned=$(sqlite3 "$work/full.db" "SELECT sum(epochs_run) FROM train_results")
echo "epochs trained: $trained pruned against $unpruned unpruned, a fraction of $(awk -v a="$trained" -v b="$unpruned" 'BEGIN { printf "%.3f", a / b }')"
[[ $trained == 64 && $unpruned == 216 ]] || fail "expected 24 x 1 + 8 x 2 + 4 x 6 = 64 epochs against 216"

# From the saved state: rungs 1 and 2 resumed, and give the unpruned numbers.
resumed=$(grep -c "resumes from its checkpoint after epoch" "$work/pruned.log" || true)
[[ $resumed == 12 ]] || { cat "$work/pruned.log"; fail "expected the 12 jobs of rungs 1 and 2 to resume, $resumed did"; }
in_kept="json_extract(s.point, '$.\"search.trial\"') + 0 IN ($(echo $kept | tr ' ' ','))"
[[ -n $(curves "$work/pruned.db" "$last_rung") ]] || fail "no epochs recorded at the last rung"
diff <(curves "$work/pruned.db" "$last_rung") <(curves "$work/full.db" "$in_kept") ||
  fail "the last rung's epochs differ from the unpruned run's"

# Pruned, not failed: 16 jobs at rung 0 and 4 at rung 1.
[[ $(sqlite3 "$work/pruned.db" "SELECT count(*) FROM jobs WHERE status = 'pruned'") == 20 ]] || fail "expected 20 pruned jobs"
[[ $(sqlite3 "$work/pruned.db" "SELECT count(*) FROM jobs WHERE status = 'failed'") == 0 ]] || fail "a job failed"
grep -q "20 pruned" "$work/pruned.log" || { cat "$work/pruned.log"; fail "the run's summary does not count pruned jobs"; }
"$bin" status --db "$work/pruned.db" > "$work/status.txt" 2>&1 || { cat "$work/status.txt"; fail "status failed"; }
grep -Eq "^  train +0 +0 +16 +0 +0 +20$" "$work/status.txt" || { cat "$work/status.txt"; fail "status does not count pruned jobs"; }

# `doctor` keeps pruned jobs' results: a rerun decides from them.
"$bin" doctor --db "$work/pruned.db" > "$work/doctor.txt" 2>&1 || true
grep -q "results of jobs that are not done" "$work/doctor.txt" && { cat "$work/doctor.txt"; fail "doctor takes pruned results for left-overs"; }

# Killed in rung 1 (the 28th of the 36 training results), then resumed.
POPSWEEP_FAULT=train.result_before_status:28 "$bin" run "$work/search.yaml" --db "$work/killed.db" \
  > "$work/killed.log" 2>&1 && fail "the fault point did not fire"
done_before=$(sqlite3 "$work/killed.db" "SELECT count(*) FROM train_results")
echo "coordinator killed with $done_before training results"
(( done_before >= 24 && done_before < 32 )) || fail "the kill did not come in rung 1"
"$bin" run "$work/search.yaml" --db "$work/killed.db" > "$work/resumed.log" 2>&1 || { cat "$work/resumed.log"; fail "resume failed"; }
diff <(jobs_of "$work/pruned.db") <(jobs_of "$work/killed.db") || fail "the resumed search promoted or scored differently"

# A second bracket: the first stays as it was.
before=$(jobs_of "$work/pruned.db")
"$bin" run "$work/search.yaml" --db "$work/pruned.db" search.trials=24 > "$work/more.log" 2>&1 ||
  { cat "$work/more.log"; fail "raising search.trials failed"; }
diff <(echo "$before") <(jobs_of "$work/pruned.db" | awk -F'|' '$1 < 12') || fail "the first bracket changed"
[[ $(jobs_of "$work/pruned.db" | awk -F'|' '$1 >= 12 && $3 == 0 && $2 == 2' | wc -l) == 2 ]] ||
  fail "the second bracket should keep 2 trials to the last rung"

"$bin" report --db "$work/pruned.db" --out "$work/report" > "$work/report.log" 2>&1 || { cat "$work/report.log"; fail "report failed"; }
grep -q "Pruning (successive halving, eta 3, last rung 9 epochs): 40 of 72 rung job(s) pruned; 128 epochs trained of the 432" \
  "$work/report/report.md" || { grep -A3 "Pruning" "$work/report/report.md"; fail "the report does not show the pruning budget"; }
grep -q "Pruning (successive halving" "$work/report/report.html" || fail "report.html lacks the pruning budget"
# Lower rungs out of the per-point tables: results.json holds the 4 trials
# kept to the last rung (9 epochs) and nothing else; the Search section lists
# the 20 trials stopped below it, each at the rung and epochs it reached,
# as the database says (16 at rung 0 after 1 epoch, 4 at rung 1 after 3).
/usr/bin/python3 - "$work/pruned.db" "$work/report/results.json" "$work/report/report.md" "$work/report/results.csv" <<'PY' ||
import json, re, sqlite3, sys
db, results, report, csv = sys.argv[1:]
groups = json.load(open(results))['groups']
assert groups and all('search.rung' not in g['point'] for g in groups), [g['point'] for g in groups]
assert 'search.rung' not in open(csv).read(), 'results.csv mixes lower rungs with full-budget trials'
trials = sorted(int(g['point']['search.trial']) for g in groups)
last = sorted(t for (t,) in sqlite3.connect(db).execute(
    """SELECT DISTINCT json_extract(s.point, '$."search.trial"') + 0 FROM sweep_jobs s JOIN jobs j ON j.id = s.job_id
       WHERE json_extract(j.params, '$.halving.rung') = 2"""))
assert trials == last, (trials, last)
# Each stopped trial's highest rung and the epochs its jobs trained to, from the database.
stopped = {int(t): (r, e) for t, r, e in sqlite3.connect(db).execute(
    """SELECT json_extract(s.point, '$."search.trial"') + 0, max(json_extract(j.params, '$.halving.rung')),
              max(json_extract(j.params, '$.train.epochs'))
       FROM sweep_jobs s JOIN jobs j ON j.id = s.job_id WHERE j.status = 'pruned' GROUP BY 1""")}
text = open(report).read()
section = text[text.index('## Search'):text.index('## Leakage audit')]
table = section[section.index('Trials below the last rung'):]
rows = [line.split('|')[1:-1] for line in table.splitlines() if re.match(r'^\| \d', line)]
shown = {int(r[0]): (int(r[1]), int(r[2])) for r in rows}
assert all(r[3].strip() == 'pruned' for r in rows), rows
assert shown == stopped, (shown, stopped)
print(f"report: {len(groups)} full-budget groups (trials {trials}); {len(shown)} stopped trials listed apart:",
      {k: sum(1 for v in shown.values() if v == k) for k in sorted(set(shown.values()))}, "(rung, epochs): count")
PY
  fail "lower rungs are not set apart in the report"
echo "PASS"
