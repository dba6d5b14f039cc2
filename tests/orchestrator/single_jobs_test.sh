#!/usr/bin/env bash
# The single-job commands on the tiny synthetic profile, checked against its
# truth.json and against hand counts:
#   extract  embeds every readable file, records the corrupt ones, and a
#            second run embeds nothing;
#   dedup    finds the planted near duplicates (precision and recall >= 0.95)
#            with random weights and the suggested threshold (M7-M9);
#   train    records one job's result, history and kept weights;
#   models   the first GRU of cnn_rnn has 3 (1280 x 8 + 8 x 8 + 2 x 8) = 30,960
#            parameters (M15).
set -euo pipefail
bin=${POPSWEEP_BIN:?POPSWEEP_BIN must name the popsweep binary}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$work"
"$bin" synth --preset tiny --out profile > /dev/null
"$bin" ingest --profile profile --db t.db > /dev/null
features=(--weights random --views 1 --image-size 224)

"$bin" extract --db t.db "${features[@]}" > extract.log 2>&1 || { cat extract.log; fail "extract failed"; }
corrupt=$(/usr/bin/python3 -c "import json; print(len(json.load(open('profile/truth.json'))['corrupt']))")
grep -q "done (.* media embedded, $corrupt unreadable)" extract.log || { cat extract.log; fail "expected $corrupt unreadable"; }
"$bin" extract --db t.db "${features[@]}" > again.log 2>&1
grep -q "done (0 media embedded" again.log || { cat again.log; fail "a second extract embedded again"; }

"$bin" dedup --db t.db "${features[@]}" --pairs pairs.csv > dedup.log 2>&1 || { cat dedup.log; fail "dedup failed"; }
src=${POPSWEEP_SOURCE_DIR:?POPSWEEP_SOURCE_DIR must name the source folder}
/usr/bin/python3 "$src/bench/python/dedup_recall.py" pairs.csv profile --min 0.95 ||
  { cat dedup.log pairs.csv; fail "planted duplicates not found"; }

"$bin" train --db t.db "${features[@]}" --experiment image --classes 2 --fold 1 --folds 3 --epochs 4 > train.log 2>&1 ||
  { cat train.log; fail "train failed"; }
grep -q "accuracy" train.log || fail "train printed no accuracy"
[[ $(sqlite3 t.db "SELECT count(*) FROM train_results WHERE experiment = 'image' AND fold = 1") == 1 ]] ||
  fail "no training result recorded"
[[ $(sqlite3 t.db "SELECT count(*) FROM epochs") == 4 ]] || fail "expected 4 epochs of history"
[[ $(sqlite3 t.db "SELECT count(*) FROM checkpoints WHERE kind = 'best'") == 1 ]] || fail "no kept weights"

# train.mode pixels: images augmented anew and embedded every epoch (M14 as
# the paper ran it); deterministic; and a video's frames likewise, one draw
# for the whole video (issue 20).
pixels_accuracy() {
  sqlite3 t.db "SELECT printf('%.9f %.9f', r.accuracy_best, r.accuracy_last) FROM train_results r JOIN jobs j ON j.id = r.job_id
                WHERE j.params LIKE '%\"mode\":\"pixels\"%' AND r.fold = 0"
}
"$bin" train --db t.db "${features[@]}" --experiment image --classes 2 --fold 0 --folds 3 --epochs 2 --mode pixels \
  > pixels.log 2>&1 || { cat pixels.log; fail "pixels-mode training failed"; }
first=$(pixels_accuracy)
[[ -n $first ]] || fail "no pixels-mode result recorded"
"$bin" train --db t.db "${features[@]}" --experiment image --classes 2 --fold 0 --folds 3 --epochs 2 --mode pixels \
  > pixels2.log 2>&1 || { cat pixels2.log; fail "pixels-mode training failed again"; }
[[ $(pixels_accuracy) == "$first" ]] || fail "pixels mode is not deterministic: $first vs $(pixels_accuracy)"
"$bin" train --db t.db "${features[@]}" --experiment cnn_rnn --classes 2 --fold 0 --folds 3 --epochs 1 \
  --mode pixels > seq.log 2>&1 || { cat seq.log; fail "pixels-mode training of cnn_rnn failed"; }
[[ $(sqlite3 t.db "SELECT count(*) FROM train_results r JOIN jobs j ON j.id = r.job_id
                   WHERE r.experiment = 'cnn_rnn' AND j.params LIKE '%\"mode\":\"pixels\"%'") == 1 ]] ||
  { cat seq.log; fail "no pixels-mode cnn_rnn result recorded"; }

"$bin" models describe --arch cnn_rnn --classes 3 > models.log
grep -q "30,960\|30960" models.log || { cat models.log; fail "the first GRU should have 30,960 parameters"; }
echo "PASS"
