#!/usr/bin/env bash
# Feature extraction (M11-M13): `popsweep extract` against the Python loop a
# user would write (bench/python/extract_images.py), on the same images.
#
#   bench/extract.sh [COUNT]      (default 200 images)
#
# The images: the readable images of `popsweep synth --preset tiny` (57),
# with mirrored/flipped/rotated re-encodings up to COUNT distinct files, as an
# images-only profile (bench/python/make_image_profile.py), so no video is
# embedded. popsweep is timed end to end (wall clock of the whole command:
# process start, model construction, database writes included) on a fresh
# copy of the ingested database each run; Python from its first decode to its
# last embedding (model construction excluded). Both use 2 threads, random
# weights, 224x224, no augmented views, batch 32. Median of $BENCH_RUNS runs.
source "$(dirname "$0")/common.sh"

count=${1:-200}
tiny=$BENCH_WORK/tiny
profile=$BENCH_WORK/images-$count
db=$BENCH_WORK/images-$count.db
load_note before

if [[ ! -f $tiny/posts.csv ]]; then
  rm -rf "$tiny"
  "$POPSWEEP" synth --preset tiny --out "$tiny" >/dev/null
fi
if [[ ! -f $profile/posts.csv ]]; then
  rm -rf "$profile"
  "$BENCH_PYTHON" "$BENCH_ROOT/bench/python/make_image_profile.py" "$tiny" "$profile" --count "$count"
fi
rm -f "$db"
"$POPSWEEP" ingest --profile "$profile" --db "$db" >/dev/null

popsweep_runs=(); popsweep_reported=()
for _ in $(seq "$BENCH_RUNS"); do
  cp "$db" "$BENCH_WORK/extract-run.db"
  s=$(seconds_of "$POPSWEEP" extract --db "$BENCH_WORK/extract-run.db" --weights random --views 0 \
        --image-size 224 --batch 32 --threads 2)
  popsweep_runs+=("$(awk -v n="$count" -v s="$s" 'BEGIN { printf "%.2f", n / s }')")
  # The time extract reports itself (from the start of the job to its last
  # batch: model construction included, process start and opening the
  # database excluded; printed to 0.1 s).
  popsweep_reported+=("$(sed -n 's/^extract: [0-9]* media in \([0-9.]*\) s.*/\1/p' "$BENCH_WORK/last.log" | tail -1 |
                          awk -v n="$count" '{ printf "%.2f", n / $1 }')")
done
echo "popsweep extract output (last run):"
sed 's/^/    /' "$BENCH_WORK/last.log"

# Python is timed both ways too: its own timer (first decode to last
# embedding) and the wall clock of the whole process (interpreter start,
# `import torch`, model construction included), which is what popsweep's
# end-to-end figure charges popsweep with.
python_runs=(); python_whole=()
for _ in $(seq "$BENCH_RUNS"); do
  s=$(seconds_of "$BENCH_PYTHON" "$BENCH_ROOT/bench/python/extract_images.py" "$profile/media" --threads 2 --batch 32)
  python_runs+=("$(awk '/^images_per_second:/ { print $2 }' "$BENCH_WORK/last.log")")
  python_whole+=("$(awk -v n="$count" -v s="$s" 'BEGIN { printf "%.2f", n / s }')")
done
load_note after

p=$(median "${popsweep_runs[@]}")
r=$(median "${popsweep_reported[@]}")
q=$(median "${python_runs[@]}")
w=$(median "${python_whole[@]}")
echo
echo "| $count images, 224x224, 2 threads | images/s (runs) | median images/s |"
echo "|---|---|---|"
echo "| \`popsweep extract --weights random --views 0 --image-size 224 --threads 2\` (end to end) | ${popsweep_runs[*]} | $p |"
echo "| the same runs, by the time \`popsweep extract\` reports (process start excluded) | ${popsweep_reported[*]} | $r |"
echo "| \`bench/python/extract_images.py --threads 2\` (torch $("$BENCH_PYTHON" -c 'import torch; print(torch.__version__)'), model construction excluded) | ${python_runs[*]} | $q |"
echo "| the same Python runs, whole process (interpreter start and \`import torch\` included) | ${python_whole[*]} | $w |"
echo "| ratio popsweep / Python, both whole processes | | $(awk -v a="$p" -v b="$w" 'BEGIN { printf "%.2fx", a / b }') |"
echo "| ratio popsweep / Python, reported time (model construction included) / Python's timer (excluded) | | $(awk -v a="$r" -v b="$q" 'BEGIN { printf "%.2fx", a / b }') |"
echo "| ratio popsweep whole process / Python's timer (the least favourable to popsweep) | | $(awk -v a="$p" -v b="$q" 'BEGIN { printf "%.2fx", a / b }') |"
