#!/usr/bin/env bash
# What pixel verification (dedup.verify, issue 21) adds to the dedup stage.
#
#   bench/dedup_verification.sh                   the paper-size synthetic profile
#   BENCH_DB=my.db BENCH_FEATURES="--backbone mobilenet_v2 --weights builtin:mobilenet_v2" \
#     bench/dedup_verification.sh                 a database already ingested and extracted
#
# Without BENCH_DB: generates the paper-size profile once ($BENCH_WORK/paper),
# ingests it and extracts features (random EfficientNet-B0, 224 px, not timed).
#
#   BENCH_PHOTOS=1600 bench/dedup_verification.sh
#
# instead cuts that many 1080 x 1080 JPEGs from the real photographs of
# plasma-workspace-wallpapers (bench/python/photo_crops_profile.py), the
# media users have, and extracts them with the real MobileNetV2.
# Then times `popsweep dedup` $BENCH_RUNS times each with --verify false and
# --verify true, for the suggested threshold and for the paper's fixed 5
# (wall clock and CPU seconds, user + system, process start included), and
# prints the medians, the ratios, how many candidates verification
# checked and why each was kept or rejected. CPU seconds are the figure to compare on a loaded machine; the
# wall clock falls further where verification's threads (the stage's torch
# thread count, --threads) find idle cores.
#
#   BENCH_BASELINE=other/popsweep bench/dedup_verification.sh
#
# also times a second binary in the same sitting, its runs alternating with
# $POPSWEEP's (so both meet the same load), and compares the two binaries'
# --pairs files row by row: every candidate's decision, worst block and reason.
#
#   BENCH_THREADS=1 bench/dedup_verification.sh
#
# runs the stage on one thread (default 2: --threads, which verification
# follows since issue 21's fifth step; binaries before it verified on
# LibTorch's count whatever --threads said).
source "$(dirname "$0")/common.sh"

features=(${BENCH_FEATURES:---backbone efficientnet_b0 --weights random} --views 0 --image-size 224 --threads "${BENCH_THREADS:-2}")
load_note before
db=${BENCH_DB:-}
if [[ -z $db && -n ${BENCH_PHOTOS:-} ]]; then
  features=(--backbone mobilenet_v2 --weights builtin:mobilenet_v2 --views 0 --image-size 224 --threads "${BENCH_THREADS:-2}")
  profile=$BENCH_WORK/photos-$BENCH_PHOTOS
  db=$BENCH_WORK/dedup-verification-photos-$BENCH_PHOTOS.db
  [[ -f $profile/posts.csv ]] || "$BENCH_PYTHON" "$BENCH_ROOT/bench/python/photo_crops_profile.py" "$profile" --count "$BENCH_PHOTOS"
elif [[ -z $db ]]; then
  profile=$BENCH_WORK/paper
  db=$BENCH_WORK/dedup-verification.db
  if [[ ! -f $profile/posts.csv ]]; then
    rm -rf "$profile"
    "$POPSWEEP" synth --preset paper --out "$profile" --threads 2 >/dev/null
  fi
fi
if [[ -n ${profile:-} ]]; then
  if [[ ! -f $db ]]; then
    "$POPSWEEP" ingest --profile "$profile" --db "$db" >/dev/null
    "$POPSWEEP" extract --db "$db" "${features[@]}" >/dev/null 2>&1
  fi
fi

# CPU seconds (user + system) of the last seconds_of run.
cpu_seconds() { awk '/^cpu / { printf "%.3f\n", $2 + $3 }' "$BENCH_WORK/last.log"; }

binaries=("$POPSWEEP")
labels=(popsweep)
if [[ -n ${BENCH_BASELINE:-} ]]; then
  binaries=("$BENCH_BASELINE" "$POPSWEEP")
  labels=(baseline popsweep)
fi

for threshold in ${BENCH_THRESHOLDS:-auto 5}; do
  for verify in false true; do
    declare -A runs=() cpu=()
    for _ in $(seq "$BENCH_RUNS"); do
      for b in "${!binaries[@]}"; do
        pairs=$BENCH_WORK/pairs-${labels[$b]}-$threshold-$verify.csv
        runs[$b]+=" $(seconds_of /usr/bin/time -f 'cpu %U %S' "${binaries[$b]}" dedup --db "$db" "${features[@]}" \
          --threshold "$threshold" --verify "$verify" --pairs "$pairs")"
        cpu[$b]+=" $(cpu_seconds)"
      done
    done
    for b in "${!binaries[@]}"; do
      # shellcheck disable=SC2086
      median_s=$(median ${runs[$b]}) median_cpu=$(median ${cpu[$b]})
      eval "seconds_${verify}_$b=$median_s cpu_${verify}_$b=$median_cpu"
      echo "${labels[$b]} dedup --threshold $threshold --verify $verify: median ${median_s} s wall of${runs[$b]}," \
        "median ${median_cpu} s CPU of${cpu[$b]}"
    done
    grep -o '[0-9]* candidates verified on their pixels, [0-9]* rejected.*' "$BENCH_WORK/last.log" || true
    # Why each candidate was kept or rejected (the glance's "unrelated" never reached the full check).
    [[ $verify == true ]] && awk -F, 'NR > 1 { n[$NF]++ } END { for (r in n) printf "  %s %d\n", r, n[r] }' \
      "$BENCH_WORK/pairs-popsweep-$threshold-true.csv" | sort
    if [[ ${#binaries[@]} == 2 ]]; then
      if cmp -s "$BENCH_WORK/pairs-baseline-$threshold-$verify.csv" "$BENCH_WORK/pairs-popsweep-$threshold-$verify.csv"; then
        echo "  pairs files of both binaries identical ($(($(wc -l <"$BENCH_WORK/pairs-popsweep-$threshold-$verify.csv") - 1)) candidates)"
      else
        echo "  PAIRS FILES DIFFER: diff $BENCH_WORK/pairs-{baseline,popsweep}-$threshold-$verify.csv"
      fi
    fi
  done
  for b in "${!binaries[@]}"; do
    # shellcheck disable=SC2154
    awk -v a="$(eval echo "\$seconds_false_$b")" -v b="$(eval echo "\$seconds_true_$b")" \
      -v c="$(eval echo "\$cpu_false_$b")" -v d="$(eval echo "\$cpu_true_$b")" -v t="$threshold" -v l="${labels[$b]}" \
      'BEGIN { printf "%s, threshold %s: verification adds %.0f%% to the dedup stage (wall), %.0f%% (CPU): %.2f s CPU\n",
               l, t, 100 * (b - a) / a, 100 * (d - c) / c, d - c }'
  done
done
load_note after
