# Sourced by the test of data-parallel gangs (tests/orchestrator/gang_training_test.sh,
# in the local pool and under mpirun). gang_sweep_spec FILE writes its sweep: two pixels-mode
# image jobs (2 folds) of 3 epochs on the tiny synthetic profile; 64-pixel
# random-weight backbone; 13 training images in batches of 4 (the last batch
# of 1 leaves a rank without rows). gang_numbers DB prints every epoch's
# figures and every prediction with its probabilities' bytes, for comparing
# two runs bit for bit.
gang_sweep_spec() {
  cat > "$1" <<'YAML'
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
}

gang_numbers() {
  /usr/bin/python3 - "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for sql in ("SELECT j.job_key, e.epoch, e.train_loss, e.train_accuracy, e.val_loss, e.val_accuracy FROM epochs e JOIN jobs j ON j.id = e.job_id ORDER BY 1, 2",
            "SELECT j.job_key, p.media_id, p.predicted_best, hex(p.probabilities_best) FROM predictions p JOIN jobs j ON j.id = p.job_id ORDER BY 1, 2"):
    for row in db.execute(sql):
        print(*(repr(v) for v in row))
PY
}
