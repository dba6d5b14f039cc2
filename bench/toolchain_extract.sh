#!/usr/bin/env bash
# Extraction against current PyTorch (issue 16), in a Debian chroot made by
# scripts/check-debian, which mounts it, builds popsweep there and then runs
# this script on the host:
#
#   CHROOT=... scripts/check-debian trixie --no-tests -- bench/toolchain_extract.sh [COUNT]
#
# Side by side in each run, on the same COUNT (default 256) JPEGs of uniform
# random pixels, 1080 x 1080, quality 90: `popsweep extract` built in the
# chroot (trixie: LibTorch 2.6), the chroot's Python torch loop with
# channels_last (bench/python/toolchain_extract.py; model construction
# excluded from its time) and `popsweep extract` built here ($POPSWEEP,
# bookworm: LibTorch 1.13). popsweep is timed as a whole process on a fresh
# copy of its database. All: EfficientNet-B0, random weights, 224 x 224, no
# augmented views, 2 threads, batch 32; median of $BENCH_RUNS runs. Then the
# backbone alone, batch 32, 2 threads, in all three (popsweep's frozen path:
# build/bench/popsweep_bench_backbone onednn).
source "$(dirname "$0")/common.sh"

count=${1:-256}
: "${CHROOT:?run through scripts/check-debian (see the header)}" "${CHROOT_BUILD:?}"
inside=/tmp/popsweep-toolchain-bench  # as the chroot sees it
outside=$CHROOT$inside
mkdir -p "$outside"
in_chroot() {
  chroot "$CHROOT" /usr/bin/env -i HOME=/root PATH=/usr/bin:/bin LANG=C.UTF-8 "$@"
}
chroot_python() { in_chroot python3 /popsweep/bench/python/toolchain_extract.py "$@"; }
host_backbone=$(dirname "$POPSWEEP")/bench/popsweep_bench_backbone
load_note before

if [[ ! -f $outside/images/posts.csv ]]; then
  chroot_python profile "$inside/images" --count "$count" --size 1080 --quality 90
fi
# One database per build: the media paths are stored as each process sees them.
in_chroot "$CHROOT_BUILD/popsweep" ingest --profile "$inside/images" --db "$inside/chroot.db" >/dev/null
"$POPSWEEP" ingest --profile "$outside/images" --db "$outside/host.db" >/dev/null
# The reference decoding on both sides, as the Python loop does (DCT scaling is
# on by default since issue 25; a chroot binary built before that had it off).
extract=(extract --weights random --views 0 --image-size 224 --batch 32 --threads 2 features.jpeg_dct_scaling=false)

chroot_runs=(); python_runs=(); host_runs=()
for _ in $(seq "$BENCH_RUNS"); do
  cp "$outside/chroot.db" "$outside/run.db"
  chroot_runs+=("$(seconds_of in_chroot "$CHROOT_BUILD/popsweep" "${extract[@]}" --db "$inside/run.db")")
  seconds_of chroot_python loop "$inside/images/media" --threads 2 --batch 32 >/dev/null
  python_runs+=("$(awk '/^seconds:/ { print $2 }' "$BENCH_WORK/last.log")")
  python_version=$(head -1 "$BENCH_WORK/last.log")
  cp "$outside/host.db" "$outside/run.db"
  host_runs+=("$(seconds_of "$POPSWEEP" "${extract[@]}" --db "$outside/run.db")")
done
load_note "after extraction"

# images/s of the 2-thread row of popsweep_bench_backbone onednn (batch 32).
frozen_rate() { "$@" onednn | awk -F'|' '$3 + 0 == 2 { gsub(/ /, "", $4); print $4 }'; }
chroot_backbone=(); python_backbone=(); host_backbone_runs=()
for _ in $(seq "$BENCH_RUNS"); do
  chroot_backbone+=("$(frozen_rate in_chroot "$CHROOT_BUILD/bench/popsweep_bench_backbone")")
  python_backbone+=("$(chroot_python backbone --threads 2 --batch 32 | awk '/^backbone_images_per_second:/ { print $2 }')")
  host_backbone_runs+=("$(frozen_rate "$host_backbone")")
done
load_note after

c=$(median "${chroot_runs[@]}"); p=$(median "${python_runs[@]}"); h=$(median "${host_runs[@]}")
cb=$(median "${chroot_backbone[@]}"); pb=$(median "${python_backbone[@]}"); hb=$(median "${host_backbone_runs[@]}")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }
echo
echo "| $count JPEGs 1080x1080 q90, EfficientNet-B0, 2 threads, batch 32 | seconds (runs) | median s | images/s |"
echo "|---|---|---|---|"
echo "| \`popsweep extract\`, $(cat "$CHROOT/etc/debian_version") chroot build (whole process) | ${chroot_runs[*]} | $c | $(awk -v n="$count" -v s="$c" 'BEGIN { printf "%.1f", n / s }') |"
echo "| Python loop, channels_last, $python_version (model construction excluded) | ${python_runs[*]} | $p | $(awk -v n="$count" -v s="$p" 'BEGIN { printf "%.1f", n / s }') |"
echo "| \`popsweep extract\`, host build, $(cat /etc/debian_version) (whole process) | ${host_runs[*]} | $h | $(awk -v n="$count" -v s="$h" 'BEGIN { printf "%.1f", n / s }') |"
echo "| popsweep (chroot) against Python | | $(ratio "$p" "$c") | |"
echo "| popsweep chroot build against host build | | $(ratio "$h" "$c") | |"
echo
echo "| backbone alone, batch 32, 2 threads | images/s (runs) | median |"
echo "|---|---|---|"
echo "| popsweep frozen path, chroot build | ${chroot_backbone[*]} | $cb |"
echo "| torchvision model, channels_last, chroot's torch | ${python_backbone[*]} | $pb |"
echo "| popsweep frozen path, host build | ${host_backbone_runs[*]} | $hb |"
echo "| popsweep chroot / torch | | $(ratio "$cb" "$pb") |"
