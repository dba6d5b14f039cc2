#!/usr/bin/env bash
# `popsweep doctor --repair` sets back only the extraction jobs of the
# feature set whose features it repaired (issue 24). A sweep of the tiny
# synthetic profile over two input sizes (features.image_size 64 and 96, two
# shards each) makes two feature sets; one feature blob of the 64 px set is
# cut short by hand. doctor finds it; --repair deletes it and sets back the
# 64 px set's two extraction jobs, not the 96 px set's; the next run
# extracts again only there and leaves a consistent database.
set -euo pipefail
bin=${POPSWEEP_BIN:?POPSWEEP_BIN must name the popsweep binary}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
source "$(dirname "$0")/../support/skip_or_fail.sh"
command -v sqlite3 > /dev/null || skip_or_fail "sqlite3 command-line tool not installed"
cd "$work"
"$bin" synth --preset tiny --out profile > /dev/null 2>&1
cat > sizes.yaml <<'EOF'
name: sizes
seed: 5
profile:
  path: profile
features:
  weights: random
  shards: 2
dedup:
  enabled: false
train:
  experiments: [image]
  classes: [2]
  folds: 2
  repeats: 1
  epochs: 1
sweep:
  features.image_size: [64, 96]
run:
  workers: 1
  threads_per_worker: 2
EOF
"$bin" run sizes.yaml --db t.db > run.log 2>&1 || { cat run.log; fail "the sweep failed"; }
extract_jobs() {  # image size -> "status" per extraction job, in id order
  sqlite3 t.db "SELECT group_concat(status, ' ') FROM (SELECT status FROM jobs WHERE stage = 'extract'
                AND json_extract(params, '$.features.image_size') = $1 ORDER BY id)"
}
[[ $(extract_jobs 64) == "done done" && $(extract_jobs 96) == "done done" ]] ||
  fail "expected two done extraction jobs per size: 64: $(extract_jobs 64), 96: $(extract_jobs 96)"
set_64=$(sqlite3 t.db "SELECT id FROM feature_sets WHERE preprocessing LIKE 'rgb64x64;%'")
[[ -n $set_64 ]] || fail "no 64 px feature set"
sqlite3 t.db "UPDATE features SET data = substr(data, 1, length(data) - 4)
              WHERE rowid = (SELECT min(rowid) FROM features WHERE feature_set_id = $set_64)"

if "$bin" doctor --db t.db > check.log 2>&1; then cat check.log; fail "doctor missed the cut blob"; fi
grep -q "1 feature blobs whose size does not match" check.log || { cat check.log; fail "doctor does not name the blob"; }
"$bin" doctor --db t.db --repair > repair.log 2>&1 || { cat repair.log; fail "doctor --repair failed"; }
[[ $(extract_jobs 64) == "pending pending" ]] || fail "the 64 px extraction jobs were not set back: $(extract_jobs 64)"
[[ $(extract_jobs 96) == "done done" ]] || fail "the 96 px extraction jobs were set back too: $(extract_jobs 96)"

"$bin" run sizes.yaml --db t.db > rerun.log 2>&1 || { cat rerun.log; fail "the run after the repair failed"; }
[[ $(extract_jobs 64) == "done done" ]] || fail "the rerun did not extract again: $(extract_jobs 64)"
"$bin" doctor --db t.db > after.log 2>&1 || { cat after.log; fail "the database is not consistent after the rerun"; }
echo "PASS: the cut blob of feature set $set_64 (64 px) reset its 2 extraction jobs, not the 96 px set's 2"
