#!/usr/bin/env bash
# Fine-tuning (issue 20) end to end on 1 rank per job and on gangs of 2:
# the same predictions, accuracies within 1e-6 and losses within 1e-5 (the
# largest differences printed); and predict with the fine-tuned models
# differs from predict with a frozen-backbone sweep of the same spec. The
# default-run versions: DataParallelTraining.FineTuningOnTwoRanksMatchesOneRank,
# FineTuning.AStoredModelScoresWhatTrainingScoredAndDiffersFromTheFrozenBlocks
# and tests/orchestrator/finetune_sweep_test.sh (one gang sweep). About 80 s.
set -euo pipefail
bin=${POPSWEEP_BIN:?POPSWEEP_BIN must name the popsweep binary}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
tests=$(cd "$(dirname "$0")/.." && pwd)
source "$tests/support/skip_or_fail.sh"
source "$tests/support/tiny_sweep_spec.sh"
[[ -x /usr/bin/python3 ]] || skip_or_fail "/usr/bin/python3 not installed"
cd "$work"
"$bin" synth --preset tiny --out profile > /dev/null
# Pixels mode, 2 epochs in batches of 4; 2 workers of 1 thread (the gangs).
train_lines=$'  batch_size: 4\n  lr: 0.01\n  mode: pixels'
tiny_sweep_spec tuned 4 "[2]" 1 2 centered "$train_lines"$'\n  finetune_blocks: 2' > tuned.yaml
workers=(run.workers=2 run.threads_per_worker=1)
tiny_sweep_spec frozen 4 "[2]" 1 2 centered "$train_lines" > frozen.yaml
"$bin" run tuned.yaml --db one.db "${workers[@]}" > one.log 2>&1 || { cat one.log; fail "the 1-rank sweep failed"; }
"$bin" run tuned.yaml --db two.db "${workers[@]}" run.ranks_per_job=2 > two.log 2>&1 || { cat two.log; fail "the 2-rank sweep failed"; }
"$bin" run frozen.yaml --db frozen.db "${workers[@]}" > frozen.log 2>&1 || { cat frozen.log; fail "the frozen sweep failed"; }
/usr/bin/python3 - one.db two.db <<'PY'
import sqlite3, sys
one, two = (sqlite3.connect(path) for path in sys.argv[1:3])
rows = lambda db, sql: db.execute(sql).fetchall()
epochs = "SELECT j.job_key, e.epoch, e.train_loss, e.train_accuracy, e.val_loss, e.val_accuracy FROM epochs e JOIN jobs j ON j.id = e.job_id ORDER BY 1, 2"
a, b = rows(one, epochs), rows(two, epochs)
assert len(a) == len(b) == 4, (len(a), len(b))
loss_gap = max(max(abs(x[2] - y[2]), abs(x[4] - y[4])) for x, y in zip(a, b))
accuracy_gap = max(max(abs(x[3] - y[3]), abs(x[5] - y[5])) for x, y in zip(a, b))
print(f"fine-tuning, 1 vs 2 ranks over {len(a)} epochs: largest loss difference {loss_gap:.3g}, largest accuracy difference {accuracy_gap:.3g}")
assert loss_gap <= 1e-5 and accuracy_gap <= 1e-6, (loss_gap, accuracy_gap)
predictions = "SELECT j.job_key, p.media_id, p.predicted_best, p.predicted_last FROM predictions p JOIN jobs j ON j.id = p.job_id ORDER BY 1, 2"
assert rows(one, predictions) == rows(two, predictions) and rows(one, predictions), "predictions differ"
assert all(' + ' in w for (w,) in rows(two, "SELECT worker FROM jobs WHERE stage = 'train'")), "not on gangs"
print(f"same predictions ({len(rows(one, predictions))})")
PY
image=profile/$(/usr/bin/python3 -c "import json; t = json.load(open('profile/truth.json'))
bad = {c['path'] for c in t['corrupt']}
print(sorted(m['path'] for m in t['media'] if m['path'].endswith('.jpg') and m['path'] not in bad)[0])")
"$bin" predict --db one.db --sweep tuned --experiment image --classes 2 --format json "$image" > tuned.json 2> predict.log ||
  { cat predict.log; fail "predict on the fine-tuned sweep failed"; }
"$bin" predict --db frozen.db --sweep frozen --experiment image --classes 2 --format json "$image" > frozen.json 2>> predict.log ||
  { cat predict.log; fail "predict on the frozen sweep failed"; }
/usr/bin/python3 - tuned.json frozen.json <<'PY'
import json, sys
tuned, frozen = (json.load(open(path))[0]["probabilities"][1] for path in sys.argv[1:3])
print(f"predict p(class 1): fine-tuned {tuned:.6f}, frozen backbone {frozen:.6f}")
assert abs(tuned - frozen) > 1e-3, (tuned, frozen)
PY
