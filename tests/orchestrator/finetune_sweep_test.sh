#!/usr/bin/env bash
# Fine-tuning (issue 20, train.finetune_blocks) through whole sweeps:
#   1. bad combinations are refused before any job runs, naming the key
#      (train.mode features, other experiments, too many blocks);
#   2. EfficientNet-B0's last 2 blocks fine-tuned on gangs of 2 ranks (the
#      one-rank comparison: DataParallelTraining.FineTuningOnTwoRanksMatches
#      OneRank, and tests/orchestrator/finetune_gangs_slow.sh end to end);
#   3. each kept model (head + 2 blocks, ~7 MB) is a file beside the
#      database, <db>.checkpoints/<sha256>.pt, its SHA-256 in the row and no
#      bytes in SQLite;
#   4. explain on a validated image recomputes, through the stored blocks,
#      the probability training recorded for it; predict is the mean of the
#      jobs' explain probabilities;
#   5. doctor: clean; an orphan file listed, removed only with --repair; a
#      corrupt file named (explain refuses it), and --repair sends its job
#      back to pending.
set -euo pipefail
bin=${POPSWEEP_BIN:?POPSWEEP_BIN must name the popsweep binary}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
tests=$(cd "$(dirname "$0")/.." && pwd)
source "$tests/support/skip_or_fail.sh"
[[ -x /usr/bin/python3 ]] || skip_or_fail "/usr/bin/python3 not installed"
cd "$work"
"$bin" synth --preset tiny --out profile > /dev/null

source "$tests/support/tiny_sweep_spec.sh"
# Pixels mode, 2 epochs in batches of 4; 2 workers of 1 thread (the gangs).
train_lines=$'  batch_size: 4\n  lr: 0.01\n  mode: pixels'
tiny_sweep_spec tuned 4 "[2]" 1 2 centered "$train_lines"$'\n  finetune_blocks: 2' > tuned.yaml
workers=(run.workers=2 run.threads_per_worker=1)
count() { /usr/bin/python3 -c "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])" "$@"; }

# 1. Refusals, before any job.
refused() {  # expected message part, then overrides
  local expected=$1
  shift
  if "$bin" run tuned.yaml --db refused.db "$@" > refused.log 2>&1; then fail "accepted: $*"; fi
  grep -q -- "$expected" refused.log || { cat refused.log; fail "no '$expected' for $*"; }
  [[ ! -f refused.db ]] || [[ $(count refused.db "SELECT COUNT(*) FROM jobs") == 0 ]] ||
    fail "jobs were created for a refused spec: $*"
}
refused "train.finetune_blocks 2: .*set train.mode: pixels" train.mode=features
refused "train.finetune_blocks 2: only the image experiment" "train.experiments=[image, cnn_rnn]"
refused "train.finetune_blocks 17: efficientnet_b0 has 16 blocks" train.finetune_blocks=17
echo "refused: train.mode features, a video experiment, 17 blocks"

# 2. Gangs of 2 ranks.
started=$SECONDS
"$bin" run tuned.yaml --db one.db "${workers[@]}" run.ranks_per_job=2 > one.log 2>&1 ||
  { cat one.log; fail "the 2-rank fine-tuning sweep failed"; }
echo "2 ranks per job: $(( SECONDS - started )) s"

/usr/bin/python3 - one.db <<'PY'
import hashlib, sqlite3, sys
one = sqlite3.connect(sys.argv[1])
rows = lambda db, sql: db.execute(sql).fetchall()
assert all(' + ' in w for (w,) in rows(one, "SELECT worker FROM jobs WHERE stage = 'train'")), "not on gangs"
assert len(rows(one, "SELECT * FROM train_results")) == 2

# 3. The kept models are files beside the database.
for path, db in ((sys.argv[1], one),):
    kept = rows(db, "SELECT job_id, length(data), file_sha256 FROM checkpoints WHERE kind = 'best' ORDER BY 1")
    assert len(kept) == 2, kept
    for job, inline, sha in kept:
        assert inline == 0 and sha, (job, inline, sha)
        file = f"{path}.checkpoints/{sha}.pt"
        data = open(file, "rb").read()
        assert hashlib.sha256(data).hexdigest() == sha, file
        assert 6e6 < len(data) < 8e6, len(data)
    print(f"{path}: {len(kept)} kept models in {path}.checkpoints/, {len(data) / 1e6:.2f} MB each, none in SQLite")
PY

# 4. explain recomputes a validated image's recorded probability; predict
# is the mean of the jobs' models.
read -r job media image stored < <(/usr/bin/python3 - one.db <<'PY'
import sqlite3, struct, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("""SELECT p.job_id, p.media_id, p.probabilities_best, m.path FROM predictions p
  JOIN media m ON m.id = p.media_id WHERE m.media_type = 'image' AND m.path LIKE '%.jpg' ORDER BY 1, 2""").fetchall()
# The validated image least sure of its class, so the comparison is not of two saturated 0s or 1s.
job, media, blob, path = min(rows, key=lambda r: abs(struct.unpack("<2f", r[2])[1] - 0.5))
print(job, media, path, struct.unpack("<2f", blob)[1])
PY
)
[[ $image == /* ]] || image=profile/$image
[[ -f $image ]] || fail "no file $image for media $media"
explained() {  # job -> p(class 1)
  "$bin" explain --db one.db --job "$1" --image "$image" --out "$work/cam-$1.png" | sed -n 's/^class 1: //p'
}
p_job=$(explained "$job")
/usr/bin/python3 -c "
stored, recomputed = $stored, $p_job
print(f'job $job, media $media: training recorded p(class 1) = {stored:.6f}, explain recomputes {recomputed:.4f}')
assert abs(stored - recomputed) <= 6e-5, (stored, recomputed)"
other=$(count one.db "SELECT id FROM jobs WHERE stage = 'train' AND id != $job")
p_other=$(explained "$other")
"$bin" predict --db one.db --sweep tuned --experiment image --classes 2 --format json "$image" > tuned.json 2> predict.log ||
  { cat predict.log; fail "predict on the fine-tuned sweep failed"; }
/usr/bin/python3 - tuned.json "$p_job" "$p_other" <<'PY'
import json, sys
tuned = json.load(open(sys.argv[1]))[0]["probabilities"][1]
mean = (float(sys.argv[2]) + float(sys.argv[3])) / 2
print(f"predict: {tuned:.6f}, the mean of the jobs' explain: {mean:.5f}")
assert abs(tuned - mean) <= 1e-4, (tuned, mean)
PY

# 5. doctor.
"$bin" doctor --db one.db > doctor.log 2>&1 || { cat doctor.log; fail "doctor found faults in a clean database"; }
grep -q "the database is consistent" doctor.log || { cat doctor.log; fail "doctor's clean verdict missing"; }
echo "stray" > one.db.checkpoints/left-over.pt.tmp-1
"$bin" doctor --db one.db > doctor.log 2>&1 || { cat doctor.log; fail "an orphan is not an error"; }
grep -q "1 files in .* that no checkpoint references" doctor.log && grep -q "left-over.pt.tmp-1" doctor.log ||
  { cat doctor.log; fail "the orphan was not listed"; }
[[ -f one.db.checkpoints/left-over.pt.tmp-1 ]] || fail "doctor without --repair removed a file"
"$bin" doctor --db one.db --repair > doctor.log 2>&1 || { cat doctor.log; fail "doctor --repair failed"; }
[[ ! -f one.db.checkpoints/left-over.pt.tmp-1 ]] || fail "doctor --repair kept the orphan"
sha=$(count one.db "SELECT file_sha256 FROM checkpoints WHERE job_id = $job AND kind = 'best'")
printf 'X' | dd of="one.db.checkpoints/$sha.pt" bs=1 seek=1000 conv=notrunc 2> /dev/null
if "$bin" doctor --db one.db > doctor.log 2>&1; then cat doctor.log; fail "doctor passed a corrupt checkpoint file"; fi
grep -q "1 checkpoint files corrupt" doctor.log && grep -q "job $job best: .*$sha.pt" doctor.log ||
  { cat doctor.log; fail "the corrupt file was not named"; }
if "$bin" explain --db one.db --job "$job" --image "$image" --out x.png > explain.log 2>&1; then fail "explain read a corrupt model"; fi
grep -q "checkpoint file corrupt" explain.log || { cat explain.log; fail "explain did not name the corrupt file"; }
"$bin" doctor --db one.db --repair > doctor.log 2>&1 || { cat doctor.log; fail "doctor --repair failed on the corrupt file"; }
status=$(count one.db "SELECT status FROM jobs WHERE id = $job")
[[ $status == pending ]] || { cat doctor.log; fail "job $job is $status after the repair, not pending"; }
echo "doctor: orphan listed then removed with --repair; corrupt file named, its job back to pending"
