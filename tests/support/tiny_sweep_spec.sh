# tiny_sweep_spec NAME SEED CLASSES REPEATS EPOCHS LABELS_MODE [TRAIN_LINES [FOLDS]]
# prints the spec of a small sweep of the tiny synthetic profile in ./profile:
# image experiment, FOLDS folds (2), random 64 px features, no augmentation or dedup,
# one worker. CLASSES is a YAML list ("[3, 2]"); TRAIN_LINES are added under
# train: as given (each indented by two spaces).
tiny_sweep_spec() {
  cat <<SPEC
name: $1
seed: $2
profile:
  path: profile
labels:
  mode: $6
features:
  weights: random
  views: 0
  image_size: 64
  shards: 1
dedup:
  enabled: false
train:
  experiments: [image]
  classes: $3
  folds: ${8:-2}
  repeats: $4
  epochs: $5
${7:-}
run:
  workers: 1
  threads_per_worker: 2
SPEC
}
