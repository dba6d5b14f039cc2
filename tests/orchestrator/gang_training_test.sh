#!/usr/bin/env bash
# Data-parallel gangs (issue 20, run.ranks_per_job) in the local pool, on a
# pixels-mode sweep (the job that needs them: the backbone runs every epoch):
#   1. the same sweep on 1 rank per job and on 2 gives the same predictions,
#      accuracies within 1e-6 and losses within 1e-5 (float sums in another
#      order: see tests/worker/train/process_group_test.cc); the largest
#      differences are printed. Each job ran on a gang of two workers and
#      has one result.
#   2. a gang member SIGKILLed inside the batch loop (POPSWEEP_FAULT=
#      train.mid_epoch, the first process to get there, rank 0 or 1): the
#      coordinator fails the gang's attempt, the survivor leaves its
#      all-reduce, the job is retried on a new gang and the sweep ends with
#      the numbers of the undisturbed 2-rank run, bit for bit.
set -euo pipefail
bin=${POPSWEEP_BIN:?POPSWEEP_BIN must name the popsweep binary}
work=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
source "$(dirname "$0")/../support/skip_or_fail.sh"
[[ -x /usr/bin/python3 ]] || skip_or_fail "/usr/bin/python3 not installed"

# Two pixels-mode image jobs (2 folds) of 3 epochs; 64-pixel random-weight
# backbone; 13 training images in batches of 4 (the last batch of 1 leaves a
# rank without rows).
cat > "$work/spec.yaml" <<'YAML'
name: gangs
seed: 9
profile:
  synth:
    preset: tiny
features:
  backbone: mobilenet_v2
  weights: random
  image_size: 64
  views: 0
  batch: 16
  shards: 1
train:
  experiments: [image]
  classes: [2]
  folds: 2
  repeats: 1
  epochs: 3
  batch_size: 4
  lr: 0.01
  mode: pixels
run:
  workers: 2
  threads_per_worker: 1
YAML

started=$SECONDS
mkdir "$work/one"
"$bin" run "$work/spec.yaml" --db "$work/one/popsweep.db" > "$work/one.log" 2>&1 ||
  { cat "$work/one.log"; fail "the 1-rank sweep failed"; }
echo "1 rank per job: $(( SECONDS - started )) s"

run_gangs() {  # $1: folder; the rest: environment for the run
  local dir=$1
  shift
  mkdir -p "$dir"
  cp -r "$work"/one/synth-tiny-* "$dir/"
  set +e
  (env "$@" "$bin" run "$work/spec.yaml" --db "$dir/popsweep.db" run.ranks_per_job=2 > "$dir/run.log" 2>&1 &
   wait $!) 2> /dev/null
  echo $? > "$dir/status"
  set -e
}

started=$SECONDS
run_gangs "$work/two"
[[ $(cat "$work/two/status") == 0 ]] || { cat "$work/two/run.log"; fail "the 2-rank sweep failed"; }
echo "2 ranks per job: $(( SECONDS - started )) s"

/usr/bin/python3 "$(dirname "$0")/../support/same_numbers_on_gangs.py" "$work/one/popsweep.db" \
  "$work/two/popsweep.db" 2 3

numbers() {
  /usr/bin/python3 - "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for sql in ("SELECT j.job_key, e.epoch, e.train_loss, e.train_accuracy, e.val_loss, e.val_accuracy FROM epochs e JOIN jobs j ON j.id = e.job_id ORDER BY 1, 2",
            "SELECT j.job_key, p.media_id, p.predicted_best, hex(p.probabilities_best) FROM predictions p JOIN jobs j ON j.id = p.job_id ORDER BY 1, 2"):
    for row in db.execute(sql):
        print(*(repr(v) for v in row))
PY
}

started=$SECONDS
dir=$work/fault
run_gangs "$dir" POPSWEEP_FAULT=train.mid_epoch:3 POPSWEEP_FAULT_MARKER="$dir/fault.fired"
[[ -f $dir/fault.fired ]] || { tail -20 "$dir/run.log"; fail "the fault point was never reached"; }
[[ $(cat "$dir/status") == 0 ]] || { tail -30 "$dir/run.log"; fail "the sweep did not survive the lost gang member"; }
grep -q "lost: worker process killed by signal 9" "$dir/run.log" ||
  { cat "$dir/run.log"; fail "the coordinator did not see a gang member killed"; }
retried=$(sqlite3 "$dir/popsweep.db" "SELECT count(*) FROM jobs WHERE stage = 'train' AND attempts = 2 AND status = 'done'") ||
  fail "could not read the attempts"
[[ $retried == 1 ]] || { sqlite3 "$dir/popsweep.db" "SELECT id, stage, status, attempts, error FROM jobs"; fail "expected one training job done on its second attempt"; }
numbers "$work/two/popsweep.db" > "$work/two.numbers"
numbers "$dir/popsweep.db" > "$dir/numbers"
cmp -s "$work/two.numbers" "$dir/numbers" || { diff "$work/two.numbers" "$dir/numbers" | head; fail "the retried gang's numbers differ"; }
echo "a gang member killed mid-epoch ($(cut -c1-60 "$dir/fault.fired" | head -1)): the job retried on a new gang, same numbers ($(( SECONDS - started )) s)"
