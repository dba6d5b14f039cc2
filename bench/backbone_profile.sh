#!/usr/bin/env bash
# How close the frozen EfficientNet-B0 comes to the machine's limit
# (build/bench/popsweep_bench_backbone, bench/backbone_profile.cc): MACs per
# image layer by layer (cross-checked against torchvision's model counted
# with forward hooks, bench/python/count_macs.py), the machine's peak, the
# frozen path's images/s and fraction of peak over batch size, layout,
# batch-norm folding and threads, a per-layer time profile, bf16, oneDNN on
# and off; then the extractor's path again with oneDNN limited to AVX2
# (ONEDNN_MAX_CPU_ISA) to show what AVX-512 brings.
#
#   bench/backbone_profile.sh [SECTION...]     (sections: see the .cc; all by default)
source "$(dirname "$0")/common.sh"
BENCH_BACKBONE=${BENCH_BACKBONE:-$BENCH_ROOT/build/bench/popsweep_bench_backbone}

load_note before
"$BENCH_BACKBONE" "$@"
load_note after

if (($# == 0)); then
  echo "## Cross-check: torchvision's efficientnet_b0, Conv2d/Linear forward hooks"
  echo
  "$BENCH_PYTHON" "$BENCH_ROOT/bench/python/count_macs.py"
  echo
  # oneDNN prints the instruction set it dispatches to once verbose is on.
  isa=$(ONEDNN_VERBOSE=1 "$BENCH_BACKBONE" isa 2>&1 | grep -m1 -i 'cpu,isa' || true)
  echo "oneDNN ISA (default): ${isa:-not reported}"
  isa=$(ONEDNN_MAX_CPU_ISA=AVX2 ONEDNN_VERBOSE=1 "$BENCH_BACKBONE" isa 2>&1 | grep -m1 -i 'cpu,isa' || true)
  echo "oneDNN ISA with ONEDNN_MAX_CPU_ISA=AVX2: ${isa:-not reported}"
  echo
  load_note "before AVX2 run"
  ONEDNN_MAX_CPU_ISA=AVX2 "$BENCH_BACKBONE" onednn | sed 's/^## oneDNN on and off/## ONEDNN_MAX_CPU_ISA=AVX2: oneDNN on and off/'
  load_note "after AVX2 run"
fi
