#!/usr/bin/env bash
# `popsweep predict` uses one sweep point's models (issue 24). A sweep of the
# tiny synthetic profile over two learning rates (train.lr 0.001 and 0.01;
# image, 2 classes, 2 folds: two models per point) trains four models:
#   - predict without --point fails, listing both points and how to choose;
#   - --point train.lr=0.01 averages that point's 2 models only, and its
#     scores equal those of a sweep that only ran train.lr 0.01 (same jobs,
#     one point, no --point needed);
#   - a key the sweep does not sweep, or a value no point has, is an error
#     naming it.
set -euo pipefail
bin=${POPSWEEP_BIN:?POPSWEEP_BIN must name the popsweep binary}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$work"
"$bin" synth --preset tiny --out profile > /dev/null

spec() {  # name, then the lines that set train.lr
  cat <<EOF
name: $1
seed: 5
profile:
  path: profile
features:
  weights: random
  views: 0
  image_size: 64
  shards: 1
dedup:
  enabled: false
train:
  experiments: [image]
  classes: [2]
  folds: 2
  repeats: 1
  epochs: 2
$2
run:
  workers: 1
  threads_per_worker: 2
EOF
}
spec two-rates $'sweep:\n  train.lr: [0.001, 0.01]' > two.yaml
spec one-rate $'  lr: 0.01' > one.yaml
"$bin" run two.yaml --db t.db > two.log 2>&1 || { cat two.log; fail "the two-point sweep failed"; }
"$bin" run one.yaml --db t.db > one.log 2>&1 || { cat one.log; fail "the one-point sweep failed"; }
images=$(/usr/bin/python3 -c "import json; t = json.load(open('profile/truth.json'))
bad = {c['path'] for c in t['corrupt']}
print(' '.join(sorted(m['path'] for m in t['media'] if m['path'].endswith('.jpg') and m['path'] not in bad)[:3]))" |
  sed 's|media/|profile/media/|g')
[[ $(wc -w <<< "$images") == 3 ]] || fail "the tiny profile should have 3 readable JPEG images: $images"
predict() { "$bin" predict --db t.db --experiment image --classes 2 "$@"; }

# shellcheck disable=SC2086
if predict --sweep two-rates $images > none.csv 2> none.log; then fail "predict mixed the models of two sweep points"; fi
for point in "--point train.lr=0.001" "--point train.lr=0.01"; do
  grep -qF -- "$point" none.log || { cat none.log; fail "the error does not list '$point'"; }
done
grep -q "2 model sets" none.log || { cat none.log; fail "the error does not say two points fit"; }

# shellcheck disable=SC2086
predict --sweep two-rates --point train.lr=0.01 $images > chosen.csv 2> chosen.log ||
  { cat chosen.log; fail "predict --point train.lr=0.01 failed"; }
grep -q "the mean of 2 model(s) of sweep point --point train.lr=0.01" chosen.log ||
  { cat chosen.log; fail "predict did not use the point's 2 models"; }
# shellcheck disable=SC2086
predict --sweep one-rate $images > alone.csv 2> alone.log || { cat alone.log; fail "predict on the one-point sweep failed"; }
grep -q "the mean of 2 model(s)" alone.log || { cat alone.log; fail "the one-point sweep should have 2 models"; }
[[ $(wc -l < chosen.csv) == 4 ]] || { cat chosen.csv; fail "expected a header and 3 scored images"; }
diff chosen.csv alone.csv || fail "the chosen point's scores differ from those of the sweep that only had that point"

# shellcheck disable=SC2086
if predict --sweep two-rates --point train.epochs=2 $images > /dev/null 2> key.log; then fail "an unswept key was accepted"; fi
grep -q "does not sweep train.epochs" key.log || { cat key.log; fail "the error does not name the unswept key"; }
# shellcheck disable=SC2086
if predict --sweep two-rates --point train.lr=0.1 $images > /dev/null 2> value.log; then fail "an unknown value was accepted"; fi
grep -q "train.lr=0.1.*its values: 0.001, 0.01" value.log || { cat value.log; fail "the error does not name the value"; }
echo "PASS: $(grep -c . chosen.csv) lines scored by train.lr=0.01's 2 models, equal to the one-point sweep's"
