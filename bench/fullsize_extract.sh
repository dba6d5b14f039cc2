#!/usr/bin/env bash
# Extraction of full-size photos (issue 25), side by side in each run on the
# same COUNT (default 256) JPEGs of 1080 x 1080 (uniform random pixels,
# quality 90, made once by bench/python/toolchain_extract.py; FOLDER instead
# takes the .jpg files of a folder, e.g. real photographs):
#
#   popsweep extract                 reference decoding (full size, then the
#                                    PIL-exact resize): whole process, on a
#                                    fresh copy of the ingested database
#   popsweep extract, DCT scaling    features.jpeg_dct_scaling: true
#   Python loop                      bench/python/extract_images.py: PIL
#                                    decode, Resize((224, 224)), eval-mode
#                                    torchvision EfficientNet-B0; its own timer
#                                    (first decode to last embedding)
#   Python loop, Image.draft         the same with PIL's reduced JPEG decoding
#                                    to at least 448 x 448, the fair baseline
#                                    for DCT scaling
#
# All: random weights, 224 x 224, no augmented views, batch 32, 2 threads;
# median of $BENCH_RUNS runs. Then each stage of popsweep's image path alone
# (build/bench/popsweep_bench_extract_stages, bench/extract_stages.cc).
#
#   bench/fullsize_extract.sh [COUNT | FOLDER]
source "$(dirname "$0")/common.sh"
STAGES=${STAGES:-$(dirname "$POPSWEEP")/bench/popsweep_bench_extract_stages}

if [[ -d ${1:-} ]]; then
  source_folder=$1
  name=$(basename "$source_folder")
else
  count=${1:-256}
  name=random-1080-$count
  source_folder=$BENCH_WORK/$name/media
  [[ -f $BENCH_WORK/$name/posts.csv ]] ||
    "$BENCH_PYTHON" "$BENCH_ROOT/bench/python/toolchain_extract.py" profile "$BENCH_WORK/$name" \
      --count "$count" --size 1080 --quality 90
fi
mapfile -t images < <(find "$source_folder" -maxdepth 1 -iname '*.jpg' | sort)
count=${#images[@]}
profile=$BENCH_WORK/$name-profile
if [[ ! -f $profile/posts.csv ]]; then
  # An images-only profile in popsweep's layout (docs/INPUT.md) over those files.
  mkdir -p "$profile"
  {
    echo "post_id,timestamp,likes,comments,impressions,kind,media"
    for i in "${!images[@]}"; do
      printf 'p%05d,2021-01-%02dT%02d:00:00Z,%d,%d,,image,%s\n' "$i" $((1 + i / 24 % 28)) $((i % 24)) \
        $((100 + i % 50)) $((i % 7)) "${images[$i]}"
    done
  } >"$profile/posts.csv"
  printf 'date,followers\n2021-01-01,1000\n2021-12-31,1500\n' >"$profile/followers.csv"
fi
db=$BENCH_WORK/$name.db
rm -f "$db"
"$POPSWEEP" ingest --profile "$profile" --db "$db" >/dev/null
printf 'profile:\n  path: %s\nfeatures:\n  jpeg_dct_scaling: true\n' "$profile" >"$BENCH_WORK/dct-scaling.yaml"
extract=(extract --weights random --views 0 --image-size 224 --batch 32 --threads 2)

load_note before
reference=(); scaled=(); python=(); drafted=()
for _ in $(seq "$BENCH_RUNS"); do
  cp "$db" "$BENCH_WORK/run.db"
  reference+=("$(seconds_of "$POPSWEEP" "${extract[@]}" --db "$BENCH_WORK/run.db" features.jpeg_dct_scaling=false)")
  cp "$db" "$BENCH_WORK/run.db"
  scaled+=("$(seconds_of "$POPSWEEP" "${extract[@]}" --spec "$BENCH_WORK/dct-scaling.yaml" --db "$BENCH_WORK/run.db")")
  seconds_of "$BENCH_PYTHON" "$BENCH_ROOT/bench/python/extract_images.py" "$source_folder" --threads 2 --batch 32 >/dev/null
  python+=("$(awk '/^seconds:/ { print $2 }' "$BENCH_WORK/last.log")")
  seconds_of "$BENCH_PYTHON" "$BENCH_ROOT/bench/python/extract_images.py" "$source_folder" --threads 2 --batch 32 \
    --draft 448 >/dev/null
  drafted+=("$(awk '/^seconds:/ { print $2 }' "$BENCH_WORK/last.log")")
done
load_note "after extraction"

r=$(median "${reference[@]}"); s=$(median "${scaled[@]}"); p=$(median "${python[@]}"); d=$(median "${drafted[@]}")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }
echo
echo "| $count JPEGs of $name, EfficientNet-B0, 2 threads, batch 32 | seconds (runs) | median s | images/s | Python's time / this |"
echo "|---|---|---|---|---|"
row() { echo "| $1 | $2 | $3 | $(awk -v n="$count" -v s="$3" 'BEGIN { printf "%.1f", n / s }') | $4 |"; }
row "\`popsweep extract\`, reference decoding (whole process)" "${reference[*]}" "$r" "$(ratio "$p" "$r")"
row "\`popsweep extract\`, features.jpeg_dct_scaling (whole process)" "${scaled[*]}" "$s" \
  "$(ratio "$p" "$s") ($(ratio "$d" "$s") against Image.draft)"
row "Python loop, full decoding (its own timer)" "${python[*]}" "$p" ""
row "Python loop, Image.draft to 448 (its own timer)" "${drafted[*]}" "$d" ""
echo
"$STAGES" "$BENCH_RUNS" 2 "${images[@]}"
load_note after
