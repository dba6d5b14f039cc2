#!/usr/bin/env bash
# What pixel verification (dedup.verify, issue 21) adds to the dedup stage.
#
#   bench/dedup_verification.sh                   the paper-size synthetic profile
#   BENCH_DB=my.db BENCH_FEATURES="--backbone mobilenet_v2 --weights builtin:mobilenet_v2" \
#     bench/dedup_verification.sh                 a database already ingested and extracted
#
# Without BENCH_DB: generates the paper-size profile once ($BENCH_WORK/paper),
# ingests it and extracts features (random EfficientNet-B0, 224 px, not timed).
# Then times `popsweep dedup` $BENCH_RUNS times each with --verify false and
# --verify true, for the suggested threshold and for the paper's fixed 5
# (wall clock, process start included), and prints the medians, the ratio
# and how many candidates verification checked.
source "$(dirname "$0")/common.sh"

features=(${BENCH_FEATURES:---backbone efficientnet_b0 --weights random} --views 0 --image-size 224 --threads 2)
load_note before
db=${BENCH_DB:-}
if [[ -z $db ]]; then
  profile=$BENCH_WORK/paper
  db=$BENCH_WORK/dedup-verification.db
  if [[ ! -f $profile/posts.csv ]]; then
    rm -rf "$profile"
    "$POPSWEEP" synth --preset paper --out "$profile" --threads 2 >/dev/null
  fi
  if [[ ! -f $db ]]; then
    "$POPSWEEP" ingest --profile "$profile" --db "$db" >/dev/null
    "$POPSWEEP" extract --db "$db" "${features[@]}" >/dev/null 2>&1
  fi
fi

for threshold in auto 5; do
  for verify in false true; do
    runs=()
    for _ in $(seq "$BENCH_RUNS"); do
      runs+=("$(seconds_of "$POPSWEEP" dedup --db "$db" "${features[@]}" --threshold "$threshold" --verify "$verify")")
    done
    median_s=$(median "${runs[@]}")
    eval "seconds_${verify}=$median_s"
    echo "dedup --threshold $threshold --verify $verify: median ${median_s} s of ${runs[*]}"
    grep -o '[0-9]* candidates verified on their pixels, [0-9]* rejected' "$BENCH_WORK/last.log" || true
  done
  # shellcheck disable=SC2154
  awk -v a="$seconds_false" -v b="$seconds_true" -v t="$threshold" \
    'BEGIN { printf "threshold %s: verification adds %.0f%% to the dedup stage\n", t, 100 * (b - a) / a }'
done
load_note after
