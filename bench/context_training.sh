#!/usr/bin/env bash
# Training cost of each input set (issue 18): one sweep over train.inputs
# (visual, context, visual+context) on the paper-size synthetic profile,
# every experiment, K = 2, 5 folds, 15 epochs, trailing labels (context
# inputs refuse centred ones). Features at 64 px: the heads' cost does not
# depend on the image size (the embedding is 1280 wide whatever it is), and
# extraction is not what is measured. Per input set and experiment: the
# median seconds of a training job as the coordinator recorded it (the
# worker's wall time, dataset transfer included), over its 5 folds.
#
#   bench/context_training.sh
source "$(dirname "$0")/common.sh"

work=$BENCH_WORK/context-training
mkdir -p "$work"
cat >"$work/spec.yaml" <<'SPEC'
name: context-training
seed: 7
profile:
  synth:
    preset: paper
    seed: 1
labels:
  window_weeks: 8
  mode: trailing
features:
  image_size: 64
  views: 0
train:
  experiments: [image, cnn_rnn, image_to_video, video_to_image]
  classes: [2]
  folds: 5
  repeats: 1
  epochs: 15
sweep:
  train.inputs: [visual, context, visual+context]
SPEC
load_note before
rm -f "$work/context-training.db"
(cd "$work" && "$POPSWEEP" run spec.yaml --db context-training.db) >"$work/run.log" 2>&1 ||
  { tail -20 "$work/run.log" >&2; exit 1; }
load_note after
echo
echo "| experiment | input set | jobs | median s per job | min | max |"
echo "|---|---|---|---|---|---|"
sqlite3 -separator ' ' "$work/context-training.db" "
  SELECT json_extract(params, '$.experiment'),
         COALESCE(json_extract(params, '$.train.inputs'), 'visual'), seconds
  FROM jobs WHERE stage = 'train' AND status = 'done' ORDER BY 1, 2, 3" |
  awk '{ key = $1 " | " $2; v[key, ++n[key]] = $3; if (!(key in seen)) { seen[key] = 1; order[++k] = key } }
       END { for (i = 1; i <= k; ++i) { key = order[i]; c = n[key];
               m = (c % 2) ? v[key, (c + 1) / 2] : (v[key, c / 2] + v[key, c / 2 + 1]) / 2;
               printf "| %s | %d | %.2f | %.2f | %.2f |\n", key, c, m, v[key, 1], v[key, c] } }'
