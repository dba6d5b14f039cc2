#!/usr/bin/env bash
# A 64-trial random search with and without successive halving (issue 19),
# on the paper-size synthetic profile: train.lr (loguniform), train.batch_size
# (a choice) and, unpruned, train.epochs (int, 1..SEARCH_MAX_EPOCHS), crossed
# with labels.window_weeks [4, 8] as a grid axis: 128 sweep points.
#
# The objective is the image experiment at K = 2 (pooled best-epoch accuracy
# over SEARCH_FOLDS folds, 1 repeat, both window settings): the cheapest
# experiment, so the 640 unpruned training jobs (5 folds) stay affordable on
# 2 cores; features at 64 px, no extra views (the heads' cost does not
# depend on the image size).
#
# With halving, train.epochs cannot be searched: the rungs set the epochs
# (the spec is refused if it is). The pruned search trains rungs of 1, 3, 9
# and 27 epochs (min_epochs 1, eta 3, max_epochs SEARCH_MAX_EPOCHS: the top
# of the unpruned search's epochs range) in one bracket of 64 trials. Its lr and
# batch size draws equal the unpruned search's trial by trial: a random
# draw depends on the seed, the trial and the key's position, and
# train.epochs is the last key.
#
# Ingest, labels, extraction and dedup run once, in a prepared database
# (a 1-epoch grid over the same labels); each search runs on a fresh copy
# of it under its own sweep name, so its wall time is its training.
#
#   bench/search_halving.sh           BENCH_RUNS runs of each (median)
#
# SEARCH_FOLDS       folds per trial (default 5, the paper's)
# SEARCH_MAX_EPOCHS  the top of the unpruned epochs range and the pruned
#                    search's last rung (default 27: rungs 1, 3, 9, 27)
source "$(dirname "$0")/common.sh"
SEARCH_FOLDS=${SEARCH_FOLDS:-5}
SEARCH_MAX_EPOCHS=${SEARCH_MAX_EPOCHS:-27}

work=$BENCH_WORK/search-halving
mkdir -p "$work"
cat >"$work/spec.yaml" <<SPEC
name: search-halving
seed: 7
profile:
  synth:
    preset: paper
    seed: 1
features:
  image_size: 64
  views: 0
train:
  experiments: [image]
  classes: [2]
  folds: $SEARCH_FOLDS
  repeats: 1
  epochs: $SEARCH_MAX_EPOCHS
sweep:
  labels.window_weeks: [4, 8]
search:
  method: random
  trials: 64
  batch: 64
  seed: 3
  train.lr: {loguniform: [0.0001, 0.1]}
  train.batch_size: {choice: [16, 32, 64, 128]}
SPEC
unpruned=(search.train.epochs="{int: [1, $SEARCH_MAX_EPOCHS]}" --new-sweep unpruned)
pruned=(search.pruner=successive_halving search.min_epochs=1 search.eta=3 search.max_epochs=$SEARCH_MAX_EPOCHS
  --new-sweep pruned)

prepared=$work/prepared.db
if [[ ! -s $prepared ]]; then
  echo "preparing $prepared (synth, ingest, labels, extraction, dedup; once)" >&2
  # The same profile, labels and features, one epoch, no search.
  sed -e '/^search:/,$d' -e "s/^  epochs: $SEARCH_MAX_EPOCHS/  epochs: 1/" -e 's/^name: .*/name: prepare/' \
    "$work/spec.yaml" >"$work/prepare.yaml"
  rm -f "$prepared.tmp"
  (cd "$work" && "$POPSWEEP" run prepare.yaml --db "$prepared.tmp") >"$work/prepare.log" 2>&1 ||
    { tail -20 "$work/prepare.log" >&2; exit 1; }
  mv "$prepared.tmp" "$prepared"
fi

# One timed search on a fresh copy: "wall_s epochs best_trial best_score".
measure() {
  local name=$1; shift
  local db=$work/$name.db
  rm -f "$db" "$db"-wal "$db"-shm
  cp "$prepared" "$db"
  local wall
  wall=$(cd "$work" && seconds_of "$POPSWEEP" run spec.yaml --db "$db" "$@") || exit 1
  cp "$BENCH_WORK/last.log" "$work/$name.log"
  # Epochs trained: each training job from where it started (a rung job
  # continues its trial's previous rung) to where it stopped.
  local epochs
  epochs=$(sqlite3 "$db" "SELECT sum(r.epochs_run - coalesce(json_extract(j.params, '$.halving.from_epoch'), 0))
    FROM sweep_jobs s JOIN sweeps w ON w.id = s.sweep_id JOIN jobs j ON j.id = s.job_id
    JOIN train_results r ON r.job_id = j.id WHERE w.name = '$name' AND j.stage = 'train'")
  # The best trial by the objective over its full-budget jobs (a pruned
  # search: its last rung): pooled best-epoch accuracy over folds and windows.
  local best
  best=$(sqlite3 -separator ' ' "$db" "SELECT json_extract(s.point, '$.\"search.trial\"') + 0 AS trial,
      printf('%.4f', sum(r.accuracy_best * r.val_items) / sum(r.val_items)) AS score
    FROM sweep_jobs s JOIN sweeps w ON w.id = s.sweep_id JOIN jobs j ON j.id = s.job_id
    JOIN train_results r ON r.job_id = j.id
    WHERE w.name = '$name' AND j.stage = 'train' AND j.status = 'done'
      AND json_extract(s.point, '$.\"search.rung\"') IS NULL
    GROUP BY 1 ORDER BY score DESC, trial LIMIT 1")
  echo "$wall $epochs $best"
}

load_note before
declare -A walls last
for ((run = 1; run <= BENCH_RUNS; ++run)); do
  for name in unpruned pruned; do
    if [[ $name == unpruned ]]; then line=$(measure unpruned "${unpruned[@]}"); else line=$(measure pruned "${pruned[@]}"); fi
    echo "run $run $name: wall ${line%% *} s; epochs, best trial, best score: ${line#* }"
    walls[$name]+=" ${line%% *}"
    last[$name]=${line#* }
  done
done
load_note after
echo
echo "| search | wall s (median of $BENCH_RUNS) | epochs trained | best trial | best score |"
echo "|---|---|---|---|---|"
for name in unpruned pruned; do
  # shellcheck disable=SC2086  # the runs' times, one word each
  read -r epochs trial score <<<"${last[$name]}"
  echo "| $name | $(median ${walls[$name]}) | $epochs | $trial | $score |"
done
grep -h "successive halving:" "$work/pruned.log" || true
