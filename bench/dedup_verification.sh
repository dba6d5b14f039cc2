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
# (wall clock and CPU seconds, user + system, process start included), and
# prints the medians, the ratios, how many candidates verification
# checked and why each was kept or rejected. CPU seconds are the figure to compare on a loaded machine; the
# wall clock falls further where verification's threads (the stage's torch
# thread count, --threads) find idle cores.
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

# CPU seconds (user + system) of the last seconds_of run.
cpu_seconds() { awk '/^cpu / { printf "%.3f\n", $2 + $3 }' "$BENCH_WORK/last.log"; }

for threshold in ${BENCH_THRESHOLDS:-auto 5}; do
  for verify in false true; do
    runs=() cpu=()
    for _ in $(seq "$BENCH_RUNS"); do
      runs+=("$(seconds_of /usr/bin/time -f 'cpu %U %S' "$POPSWEEP" dedup --db "$db" "${features[@]}" \
        --threshold "$threshold" --verify "$verify" --pairs "$BENCH_WORK/pairs.csv")")
      cpu+=("$(cpu_seconds)")
    done
    median_s=$(median "${runs[@]}") median_cpu=$(median "${cpu[@]}")
    eval "seconds_${verify}=$median_s cpu_${verify}=$median_cpu"
    echo "dedup --threshold $threshold --verify $verify: median ${median_s} s wall of ${runs[*]}," \
      "median ${median_cpu} s CPU of ${cpu[*]}"
    grep -o '[0-9]* candidates verified on their pixels, [0-9]* rejected' "$BENCH_WORK/last.log" || true
    # Why each candidate was kept or rejected (the glance's "unrelated" never reached the full check).
    [[ $verify == true ]] && awk -F, 'NR > 1 { n[$NF]++ } END { for (r in n) printf "  %s %d\n", r, n[r] }' \
      "$BENCH_WORK/pairs.csv" | sort
  done
  # shellcheck disable=SC2154
  awk -v a="$seconds_false" -v b="$seconds_true" -v c="$cpu_false" -v d="$cpu_true" -v t="$threshold" \
    'BEGIN { printf "threshold %s: verification adds %.0f%% to the dedup stage (wall), %.0f%% (CPU)\n",
             t, 100 * (b - a) / a, 100 * (d - c) / c }'
done
load_note after
