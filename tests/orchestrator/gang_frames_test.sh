#!/usr/bin/env bash
# Augmented video frames on data-parallel gangs (issue 20): a pixels-mode
# sweep of the two CNN-RNN experiments (cnn_rnn: videos only; image_to_video:
# still sequences of images, then videos), whose every training sequence is
# augmented with one draw per epoch and run through the backbone, gives on 2
# ranks per job the numbers of 1 rank: same predictions and best epochs,
# accuracies within 1e-6, losses within 1e-5 (the largest differences are
# printed). The draws depend on (seed, epoch, video), never on the rank that
# embeds a video. Before frame augmentation such jobs were refused. The
# same jobs in features mode train on other inputs (differences printed).
set -euo pipefail
bin=${POPSWEEP_BIN:?POPSWEEP_BIN must name the popsweep binary}
work=$(mktemp -d)
trap '[[ -n ${KEEP:-} ]] || rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
source "$(dirname "$0")/../support/skip_or_fail.sh"
[[ -x /usr/bin/python3 ]] || skip_or_fail "/usr/bin/python3 not installed"

# Four jobs (2 experiments x 2 folds) of 2 epochs; 32-pixel random-weight
# backbone. About 5 training videos per fold in batches of 4: the last batch
# of 1 leaves a rank without rows.
# tests/support/gang_sweep.sh's sweep, turned to the CNN-RNN experiments.
source "$(dirname "$0")/../support/gang_sweep.sh"
gang_sweep_spec "$work/spec.yaml"
frames=(name=gang-frames features.image_size=32 'train.experiments=[cnn_rnn, image_to_video]' train.epochs=2)

started=$SECONDS
mkdir "$work/one"
"$bin" run "$work/spec.yaml" --db "$work/one/popsweep.db" "${frames[@]}" > "$work/one.log" 2>&1 ||
  { cat "$work/one.log"; fail "the 1-rank sweep failed"; }
echo "1 rank per job: $(( SECONDS - started )) s"

# The frames were augmented through the real wiring: the same jobs in
# features mode (the stored plain frames; same seed, so the same initial
# weights and batches) see other inputs from the first epoch on.
mkdir "$work/plain"
cp -r "$work"/one/synth-tiny-* "$work/one/popsweep.db" "$work/plain/"
"$bin" run "$work/spec.yaml" --db "$work/plain/popsweep.db" "${frames[@]}" name=plain train.mode=features > "$work/plain.log" 2>&1 ||
  { cat "$work/plain.log"; fail "the features-mode sweep failed"; }
/usr/bin/python3 - "$work/plain/popsweep.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
loss = {}
for sweep, experiment, fold, value in db.execute(
        "SELECT w.name, r.experiment, r.fold, e.train_loss FROM epochs e JOIN train_results r ON r.job_id = e.job_id "
        "JOIN sweep_jobs s ON s.job_id = e.job_id JOIN sweeps w ON w.id = s.sweep_id WHERE e.epoch = 1"):
    loss[(sweep, experiment, fold)] = value
jobs = sorted({key[1:] for key in loss})
assert len(jobs) == 4, jobs
gaps = {job: abs(loss[("gang-frames",) + job] - loss[("plain",) + job]) for job in jobs}
print("epoch-1 training loss, pixels vs features mode: " + ", ".join(f"{e} fold {f} {g:.3g}" for (e, f), g in gaps.items()))
assert min(gaps.values()) > 1e-6, "a pixels-mode job trained on the plain frames"
PY

started=$SECONDS
mkdir "$work/two"
cp -r "$work"/one/synth-tiny-* "$work/two/"
"$bin" run "$work/spec.yaml" --db "$work/two/popsweep.db" "${frames[@]}" run.ranks_per_job=2 > "$work/two.log" 2>&1 ||
  { cat "$work/two.log"; fail "the 2-rank sweep failed"; }
echo "2 ranks per job: $(( SECONDS - started )) s"

/usr/bin/python3 "$(dirname "$0")/../support/same_numbers_on_gangs.py" "$work/one/popsweep.db" \
  "$work/two/popsweep.db" 4 2
