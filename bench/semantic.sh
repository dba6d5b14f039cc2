#!/usr/bin/env bash
# Do real ImageNet features predict a semantic popularity signal that random
# features cannot? (issue 7; M13, M14, M19)
#
#   bench/semantic.sh [POSTS]      (default 300 image posts)
#
# 1. bench/python/make_semantic_profile.py writes a profile whose pictures are
#    augmented views (crops, flips, rotations, hue/saturation shifts,
#    grayscale, backgrounds, noise) of the real photos in
#    ../shared/models/coral, popular when the photo shows an animal, with
#    mean colour, brightness and contrast drawn independently of that.
# 2. `popsweep weights import` converts the ImageNet MobileNetV2 TFLite model.
# 3. `popsweep run bench/semantic.yaml` (image experiment, 2 classes, 5 folds,
#    2 repeats, 15 epochs, features mode, no augmented views, no dedup) runs
#    three times on one fresh database: MobileNetV2 with the imported weights,
#    MobileNetV2 with random weights, EfficientNet-B0 with random weights.
# 4. bench/python/semantic_baselines.py gives reference lines: the ceiling
#    (the planted group as the prediction), a logistic regression on
#    low-level statistics (should be near chance), and probes of the stored
#    features with scikit-learn, independent of popsweep's head and trainer.
source "$(dirname "$0")/common.sh"

posts=${1:-300}
coral=$BENCH_ROOT/../shared/models/coral
[[ -d $coral ]] || coral=/work/shared/models/coral  # the shared folder when the checkout is elsewhere
work=$BENCH_WORK/semantic
db=$work/semantic.db
spec=$BENCH_ROOT/bench/semantic.yaml
mkdir -p "$work"
load_note before

# Regenerated each time (about 20 s): it is seeded, and a stale profile from
# an older generator would silently give other figures.
rm -rf "$work/semantic-profile"
"$BENCH_PYTHON" "$BENCH_ROOT/bench/python/make_semantic_profile.py" "$work/semantic-profile" \
  --posts "$posts" --coral "$coral"
"$POPSWEEP" weights import --tflite "$coral/mobilenet_v2_1.0_224_quant.tflite" \
  --out "$work/mobilenet_v2_imagenet.safetensors"
rm -f "$db" "$db-wal" "$db-shm"

# backbone, weights (as the spec takes them), the name printed in the table
configurations=(
  "mobilenet_v2 mobilenet_v2_imagenet.safetensors imported-ImageNet"
  "mobilenet_v2 random random"
  "efficientnet_b0 random random"
)
rows=()
for configuration in "${configurations[@]}"; do
  read -r backbone weights shown <<<"$configuration"
  name=semantic-$backbone-$shown
  # Relative paths in the spec resolve from here.
  s=$(cd "$work" && seconds_of "$POPSWEEP" run "$spec" --db "$db" --workers 1 --threads 2 \
        "name=$name" "features.backbone=$backbone" "features.weights=$weights")
  "$POPSWEEP" report --db "$db" --sweep "$name" --out "$work/report-$name" >/dev/null
  # results.csv: point,experiment,classes,metric,mean,std,runs
  metric() {
    awk -F, -v m="$1" '$2 == "image" && $3 == 2 && $4 == m { printf "%.3f ± %.3f", $5, $6 }' \
      "$work/report-$name/results.csv"
  }
  rows+=("| $backbone | $shown | $(metric accuracy_best) | $(metric accuracy_last) | $(metric majority_baseline) | $s |")
done

"$POPSWEEP" label --db "$db" --classes 2 --window-weeks 8 --mode centered --csv "$work/labels.csv" >/dev/null
baselines=$("$BENCH_PYTHON" "$BENCH_ROOT/bench/python/semantic_baselines.py" "$work/semantic-profile" \
              "$work/labels.csv" --repeats 2 --db "$db")
load_note after

echo
echo "| $posts image posts, image experiment, 2 classes, 5 folds x 2 repeats | weights | accuracy, best epoch | accuracy, last epoch | majority baseline | seconds (run, extraction included) |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
awk '$1 == "low_level" { printf "| logistic regression on mean colour, brightness, contrast (sklearn) | - | %.3f ± %.3f | | | |\n", $2, $3 }
     $1 == "ceiling"   { printf "| ceiling: the planted group as the prediction | - | %.3f | | | |\n", $2 }' <<<"$baselines"
echo
echo "Probes of the stored features (scikit-learn logistic regression, C=0.01, standardised; 5 stratified folds,"
echo "one repeat; the last column leaves each photo out in turn and predicts its group):"
echo
echo "| backbone | weights | class accuracy | which of 8 photos | group of an unseen photo | per held-out photo |"
echo "|---|---|---|---|---|---|"
awk '$1 == "probe" { printf "| %s | %s | %.3f | %.3f | %.3f | %s |\n", $2, $3, $4, $5, $6, $7 }' <<<"$baselines"
echo
echo "Reports: $work/report-semantic-*/report.html; whole script ${SECONDS} s"
