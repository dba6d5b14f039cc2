# shellcheck shell=bash
# A training-heavy sweep on the paper-size synthetic profile, for
# bench/scaling.sh and bench/memory.sh (sourced after common.sh, not run).
#
# prepare_sweep_db: once, a database with ingest, labels, extraction
# (128x128, 2 views, 4 shards) and dedup done, by a small training sweep
# under `mpirun -np 2` with each rank's peak memory recorded in
# $BENCH_WORK/prepared.mem (rank 0 the coordinator, rank 1 the worker).
# Measured sweeps then run on a fresh copy of it under a new sweep name, so
# only their training jobs run (the earlier stages are reused by key).
#
# SCALING_TRAIN  the measured sweep's training overrides (default: the image
#                and video_to_image experiments, 2 and 3 classes, 5 folds,
#                1 repeat, 3 epochs = 20 jobs of about 0.1 s each on a quiet
#                machine; the sequence experiments take 3-10x longer)
PREPARED_DB=$BENCH_WORK/prepared-sweep.db
SCALING_TRAIN=${SCALING_TRAIN:-train.experiments=[image,video_to_image] train.folds=5 train.repeats=1 train.epochs=3 train.classes=[2,3]}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

# The paper-size profile and the spec overrides that point at it.
# quick.yaml's backbone is now the built-in MobileNetV2 and its default split
# is post: the figures in docs/BENCHMARKS.md were measured with random
# EfficientNet-B0 weights and the paper's media split, so name them.
sweep_overrides() {
  echo "profile.synth.preset= profile.path=$BENCH_WORK/paper features.backbone=efficientnet_b0 \
features.weights=random features.image_size=128 features.views=2 features.shards=4 train.split=media name=paper-128"
}

ensure_paper_profile() {
  [[ -s $BENCH_WORK/paper/truth.json ]] && return
  "$POPSWEEP" synth --preset paper --out "$BENCH_WORK/paper" --threads 2 >/dev/null
}

# Runs a command under `mpirun` with each rank's peak resident memory (KB)
# written to FILE as "rank R maxrss KB" lines.
mpirun_with_memory() {
  local file=$1 ranks=$2; shift 2
  rm -f "$file".rank*
  # shellcheck disable=SC2016  # expanded by each rank's own shell
  mpirun --oversubscribe -np "$ranks" sh -c \
    '/usr/bin/time -f "rank $OMPI_COMM_WORLD_RANK maxrss %M" -o "$0.rank$OMPI_COMM_WORLD_RANK" "$@"' "$file" "$@"
  cat "$file".rank* >"$file"
  rm -f "$file".rank*
}

prepare_sweep_db() {
  [[ -s $PREPARED_DB ]] && return
  ensure_paper_profile
  rm -f "$PREPARED_DB".tmp*
  echo "preparing $PREPARED_DB (ingest, labels, extraction, dedup; once)" >&2
  local start end
  start=$(date +%s.%N)
  # shellcheck disable=SC2046
  mpirun_with_memory "$BENCH_WORK/prepared.mem" 2 "$POPSWEEP" run "$BENCH_ROOT/experiments/quick.yaml" \
    $(sweep_overrides) train.experiments=[image] train.folds=2 train.repeats=1 train.epochs=1 train.classes=[2] \
    --threads 2 --db "$PREPARED_DB.tmp" >"$BENCH_WORK/prepare.log" 2>&1
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f\n", b - a }' >"$BENCH_WORK/prepared.seconds"
  mv "$PREPARED_DB.tmp" "$PREPARED_DB"
}

# A fresh copy of the prepared database at $1.
fresh_sweep_db() {
  rm -f "$1" "$1"-wal "$1"-shm
  cp "$PREPARED_DB" "$1"
}

# The measured sweep's command line after `popsweep`, on database $1.
measured_sweep_args() {
  # shellcheck disable=SC2046,SC2086  # word splitting wanted: lists of overrides
  echo run "$BENCH_ROOT/experiments/quick.yaml" $(sweep_overrides) $SCALING_TRAIN --new-sweep measured --db "$1"
}
