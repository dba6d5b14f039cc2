#!/usr/bin/env bash
# GPU readiness (issue 25), for a machine with an NVIDIA GPU and a CUDA
# LibTorch (docs/GPU.md says how to get one):
#   1. builds popsweep against it into $GPU_BUILD (default build-cuda);
#   2. runs the EfficientNet-B0 parity test on the GPU
#      (tests/worker/nets/efficientnet_parity_test.py, POPSWEEP_TEST_DEVICE);
#   3. the backbone alone at batch $GPU_BATCH (256): the extractor's fp32 path
#      and the module in fp16 / bf16, channels-last (build/bench/popsweep_bench_gpu);
#   4. extraction of the 1080 px JPEG set of bench/fullsize_extract.sh,
#      images/s at batch $GPU_BATCH: `popsweep extract --device cuda` (whole
#      process) against the plain PyTorch loop on the same GPU in fp32 and
#      with fp16 / bf16 autocast, channels-last (bench/python/extract_images.py;
#      its own timer). Median of $BENCH_RUNS runs.
#
#   TORCH_DIR=/opt/libtorch/share/cmake/Torch bench/gpu.sh [COUNT]
#
# GPU_DEVICE=cpu runs every step on the CPU with Debian's LibTorch and the
# existing build/ (no CUDA build, fp16 skipped): how the script itself is
# checked on a machine without a GPU.
source "$(dirname "$0")/common.sh"
count=${1:-256}
device=${GPU_DEVICE:-cuda}
batch=${GPU_BATCH:-256}
cd "$BENCH_ROOT"

if [[ $device == cpu ]]; then
  build=$(dirname "$POPSWEEP")
else
  command -v nvidia-smi >/dev/null || { echo "bench/gpu.sh: no nvidia-smi: this machine has no NVIDIA driver" >&2; exit 1; }
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
  : "${TORCH_DIR:?set TORCH_DIR to the share/cmake/Torch folder of a CUDA LibTorch, see docs/GPU.md}"
  build=${GPU_BUILD:-build-cuda}
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTorch_DIR="$TORCH_DIR" >/dev/null
  cmake --build "$build" --target popsweep popsweep_bench_gpu -j "$(nproc)"
  "$BENCH_PYTHON" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else "the Python torch sees no GPU")'
fi
POPSWEEP=$build/popsweep

echo "== parity on $device"
POPSWEEP_BIN=$POPSWEEP POPSWEEP_TEST_DEVICE=$device "$BENCH_PYTHON" tests/worker/nets/efficientnet_parity_test.py

echo "== backbone alone"
load_note before
"$build/bench/popsweep_bench_gpu" "$device" "$batch" "$BENCH_RUNS"

echo "== extraction of $count JPEGs of 1080 px"
images=$BENCH_WORK/random-1080-$count
[[ -f $images/posts.csv ]] ||
  "$BENCH_PYTHON" bench/python/toolchain_extract.py profile "$images" --count "$count" --size 1080 --quality 90
db=$BENCH_WORK/gpu-$count.db
rm -f "$db"
"$POPSWEEP" ingest --profile "$images" --db "$db" >/dev/null
declare -A runs
for _ in $(seq "$BENCH_RUNS"); do
  cp "$db" "$BENCH_WORK/gpu-run.db"
  runs[popsweep]+=" $(seconds_of "$POPSWEEP" extract --db "$BENCH_WORK/gpu-run.db" --weights random --views 0 \
    --image-size 224 --batch "$batch" --threads "$(nproc)" --device "$device" features.jpeg_dct_scaling=false)"
  for autocast in none fp16 bf16; do
    [[ $device == cpu && $autocast == fp16 ]] && continue
    seconds_of "$BENCH_PYTHON" bench/python/extract_images.py "$images/media" --threads "$(nproc)" --batch "$batch" \
      --device "$device" --autocast "$autocast" --channels-last >/dev/null
    runs[$autocast]+=" $(awk '/^seconds:/ { print $2 }' "$BENCH_WORK/last.log")"
  done
done
load_note after
echo "| $count JPEGs 1080 px, batch $batch, $device | seconds (runs) | median | images/s |"
echo "|---|---|---|---|"
for name in popsweep none fp16 bf16; do
  [[ -n ${runs[$name]:-} ]] || continue
  # shellcheck disable=SC2086
  m=$(median ${runs[$name]})
  case $name in
    popsweep) label="\`popsweep extract --device $device\` (fp32, whole process)" ;;
    none) label="PyTorch loop, fp32, channels-last (its own timer)" ;;
    *) label="PyTorch loop, $name autocast, channels-last (its own timer)" ;;
  esac
  echo "| $label |${runs[$name]} | $m | $(awk -v n="$count" -v s="$m" 'BEGIN { printf "%.1f", n / s }') |"
done
