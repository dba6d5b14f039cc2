#!/usr/bin/env bash
# A fine-tuned job (train.finetune_blocks: 2, issue 20) resuming from a resume
# state kept in a checkpoint file beside the database (states over 1 MiB go
# to <db>.checkpoints/<sha256>.pt: the head, MobileNetV2's last 2 blocks and
# their Adam moments are 19.4 MB), end to end:
#   1. the coordinator SIGKILLed right after committing the first job's
#      resume state after epoch 1 of 2 (POPSWEEP_FAULT=train.after_batch_commit:1,
#      run.checkpoint_minutes: 0 saves after every epoch): the row holds no
#      bytes, only the SHA-256 of a file that exists and hashes to it; the
#      same command again resumes the job after epoch 1 (its log says so) and
#      ends with the numbers of an uninterrupted run, bit for bit;
#   2. the same crash, then the resume file corrupted (one byte changed) or
#      deleted before the rerun: the coordinator says so, naming the file,
#      drops the lost state and the job starts again from its first epoch
#      (no attempt used beyond the crash's, as when it resumed), ending with
#      the same uninterrupted numbers. (Before, the job failed each attempt
#      on the missing or corrupt file until `doctor --repair`.)
# "The numbers": every epoch's losses and accuracies, every prediction's
# probabilities' bytes, each kept model's SHA-256.
set -euo pipefail
bin=${POPSWEEP_BIN:?POPSWEEP_BIN must name the popsweep binary}
work=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null || true; [[ -n ${KEEP:-} ]] || rm -rf "$work"' EXIT  # KEEP=1: keep the folder to look at
fail() { echo "FAIL: $*" >&2; exit 1; }
source "$(dirname "$0")/../support/skip_or_fail.sh"
command -v sqlite3 > /dev/null || skip_or_fail "sqlite3 command-line tool not installed"
[[ -x /usr/bin/python3 ]] || skip_or_fail "/usr/bin/python3 not installed"
command -v sha256sum > /dev/null || skip_or_fail "sha256sum not installed"

# tests/support/gang_sweep.sh's pixels-mode sweep (two jobs, 64-pixel
# random-weight MobileNetV2: an epoch takes about a second) with its last 2
# blocks fine-tuned, 2 epochs, one worker, a resume state after every epoch.
source "$(dirname "$0")/../support/gang_sweep.sh"
gang_sweep_spec "$work/spec.yaml"
tuned=(train.finetune_blocks=2 train.epochs=2 run.workers=1 run.checkpoint_minutes=0)

numbers() {  # every epoch and prediction (gang_numbers), and each kept model's SHA-256
  gang_numbers "$1"
  sqlite3 "$1" "SELECT job_id, kind, epoch, length(data), file_sha256 FROM checkpoints ORDER BY 1, 2"
}

started=$SECONDS
mkdir "$work/base"
"$bin" run "$work/spec.yaml" --db "$work/base/popsweep.db" "${tuned[@]}" > "$work/base.log" 2>&1 ||
  { cat "$work/base.log"; fail "the uninterrupted run failed"; }
numbers "$work/base/popsweep.db" > "$work/base.numbers"
[[ $(sqlite3 "$work/base/popsweep.db" "SELECT count(*) FROM checkpoints WHERE kind = 'best' AND length(data) = 0
                                        AND file_sha256 IS NOT NULL") == 2 ]] ||
  fail "expected the 2 kept fine-tuned models in checkpoint files"
echo "uninterrupted: $(wc -l < "$work/base.numbers") rows of numbers ($(( SECONDS - started )) s)"

# The coordinator dies after committing the first job's 2nd resume state.
case_started=$SECONDS
crashed=$work/crashed
mkdir "$crashed"
cp -r "$work"/base/synth-tiny-* "$crashed/"
set +e
# In a subshell whose stderr is dropped, so bash's "Killed" stays out of the output.
(
  POPSWEEP_FAULT=train.after_batch_commit:1 POPSWEEP_FAULT_MARKER=$crashed/fault.fired \
    "$bin" run "$work/spec.yaml" --db "$crashed/popsweep.db" "${tuned[@]}" > "$crashed/crash.log" 2>&1 &
  wait $!
) 2> /dev/null
status=$?
set -e
[[ -f $crashed/fault.fired ]] || { tail -20 "$crashed/crash.log"; fail "the fault point was never reached"; }
[[ $status == 137 ]] || { tail -20 "$crashed/crash.log"; fail "the coordinator was not SIGKILLed (status $status)"; }
read -r job epoch inline sha < <(sqlite3 -separator ' ' "$crashed/popsweep.db" \
  "SELECT c.job_id, c.epoch, length(c.data), c.file_sha256 FROM checkpoints c JOIN jobs j ON j.id = c.job_id
    WHERE c.kind = 'resume' AND j.status = 'running'")
[[ ${epoch:-} == 1 ]] || fail "after the crash: expected the running job's resume state at epoch 1, found '${epoch:-none}'"
[[ $inline == 0 && -n $sha ]] || fail "the resume state is in SQLite ($inline bytes), not in a file"
file=$crashed/popsweep.db.checkpoints/$sha.pt
[[ -f $file ]] || fail "the resume state's file $file is missing"
[[ $(sha256sum "$file" | cut -d' ' -f1) == "$sha" ]] || fail "$file does not hash to its row's SHA-256"
size=$(stat -c %s "$file")
(( size > 1048576 )) || fail "the resume state is $size bytes, not over the 1 MiB threshold"
echo "crash: job $job's resume state after epoch 1 in $(basename "$file"), $(( size / 1000 )) kB, none in SQLite"
# The database as the crash left it, for the cases of part 2 (restored in
# place: it names its media by their paths in this folder).
mkdir "$work/snapshot"
cp -r "$crashed"/popsweep.db* "$work/snapshot/"

# Fails unless the database in $1 ends with the uninterrupted numbers.
expect_base_numbers() {
  numbers "$1/popsweep.db" > "$1/numbers"
  cmp -s "$work/base.numbers" "$1/numbers" ||
    { diff "$work/base.numbers" "$1/numbers" | cut -c1-200 | head; fail "$2: the numbers differ"; }
}
rerun() {  # folder
  "$bin" run "$work/spec.yaml" --db "$1/popsweep.db" "${tuned[@]}" > "$1/rerun.log" 2>&1 ||
    { cat "$1/rerun.log"; fail "the rerun in $1 failed"; }
}

# 1. Resumed from the file.
rerun "$crashed"
grep -q "job $job resumes from its checkpoint after epoch 1" "$crashed/rerun.log" ||
  { cat "$crashed/rerun.log"; fail "the rerun did not resume job $job after epoch 1"; }
expect_base_numbers "$crashed" "resumed from the file"
resumed_attempts=$(sqlite3 "$crashed/popsweep.db" "SELECT attempts FROM jobs WHERE id = $job")
echo "resumed from the file after epoch 1 (only epoch 2 run), same numbers ($(( SECONDS - case_started )) s)"

# 2. The file corrupted or gone: the job starts again from its first epoch.
for copy in corrupt missing; do
  case_started=$SECONDS
  dir=$crashed
  rm -rf "$dir"/popsweep.db*
  cp -r "$work"/snapshot/popsweep.db* "$dir/"
  lost=$dir/popsweep.db.checkpoints/$sha.pt
  if [[ $copy == corrupt ]]; then
    printf 'X' | dd of="$lost" bs=1 seek=5000 conv=notrunc 2> /dev/null
    said="checkpoint file corrupt"
  else
    rm "$lost"
    said="checkpoint file missing"
  fi
  rerun "$dir"
  grep -q "job $job: its resume state is lost ($lost: $said" "$dir/rerun.log" ||
    { cat "$dir/rerun.log"; fail "$copy: the lost resume state was not named"; }
  if grep -q "resumes from its checkpoint" "$dir/rerun.log"; then
    cat "$dir/rerun.log"
    fail "$copy: the job resumed from a lost state"
  fi
  attempts=$(sqlite3 "$dir/popsweep.db" "SELECT attempts FROM jobs WHERE id = $job")
  [[ $attempts == "$resumed_attempts" ]] ||
    fail "$copy: the job used $attempts attempts, $resumed_attempts when resumed: the lost state cost one"
  expect_base_numbers "$dir" "restarted after a $copy resume file"
  echo "resume file $copy: named, job $job started again from epoch 1 (attempt $attempts as when resumed), same numbers ($(( SECONDS - case_started )) s)"
done
echo "PASS ($(( SECONDS - started )) s)"
