#!/usr/bin/env bash
# Data-parallel gangs (issue 20): the seconds of each pixels-mode training
# job (jobs.seconds) on 1 worker and on a gang of 2, 1 thread each, from the
# same extracted features (one base run, copied). Prints one line per run.
#   bench/gang_pixels.sh [popsweep binary] [epochs] [repetitions] [KEY=VALUE ...]
# The KEY=VALUE overrides go to every timed run: e.g. 'train.experiments=[cnn_rnn]'
# for augmented video frames, 'profile.synth.preset=paper' for the paper-size
# profile; bench/gang_finetune.sh passes fine-tuning's.
set -euo pipefail
bin=${1:-build/popsweep}
epochs=${2:-10}
reps=${3:-3}
extra=("${@:4}")
spec=$(cd "$(dirname "$0")" && pwd)/gang_pixels_spec.yaml
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/base"
# The base run only prepares the profile and its features: one epoch is enough.
"$bin" run "$spec" --db "$work/base/p.db" "${extra[@]}" train.epochs=1 > "$work/base.log" 2>&1
for rep in $(seq "$reps"); do
  for ranks in 1 2; do
    dir=$work/r$ranks-$rep
    mkdir "$dir"
    cp -r "$work"/base/synth-* "$dir/"
    cp "$work/base/p.db" "$dir/p.db"
    # A new sweep (name, seed) in a copy of the base: new training jobs, the same features.
    "$bin" run "$spec" --db "$dir/p.db" name=b$rep train.epochs=$epochs seed=$((10 + rep)) run.workers=$ranks \
      run.ranks_per_job=$ranks "${extra[@]}" > "$dir/log" 2>&1
    echo "ranks=$ranks rep=$rep job seconds: $(sqlite3 "$dir/p.db" \
      "SELECT group_concat(printf('%.2f', seconds), ' ') FROM jobs j JOIN sweep_jobs s ON s.job_id = j.id
         JOIN sweeps w ON w.id = s.sweep_id WHERE j.stage = 'train' AND w.name = 'b$rep'")"
  done
done
