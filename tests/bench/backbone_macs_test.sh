#!/usr/bin/env bash
# The backbone benchmark's layer observer (bench/backbone_profile_layers.cc)
# still sees every convolution of the extractor's frozen EfficientNet-B0 and
# counts the multiply-adds torchvision's model has (0.3845 GMAC per 224x224
# image without the classifier; bench/python/count_macs.py gives the same).
# A failure here means the frozen path changed how it calls convolutions, so
# the per-layer profile of bench/backbone_profile.sh needs updating. Not a
# timing test: only the count is checked.
set -euo pipefail
bench=$(dirname "${POPSWEEP_BIN:?}")/bench/popsweep_bench_backbone
source "$(dirname "$0")/../support/skip_or_fail.sh"
[[ -x $bench ]] || skip_or_fail "$bench not built (POPSWEEP_BUILD_BENCH off)"

output=$("$bench" macs 2>&1)
total=$(sed -n 's/^Total \([0-9.]*\) GMAC without the classifier.*/\1/p' <<<"$output")
if [[ $total != 0.3845 ]]; then
  echo "expected 0.3845 GMAC per image from $bench macs, got '${total}'; its output:" >&2
  echo "$output" >&2
  exit 1
fi
# 18 blocks: the stem, 16 MBConv blocks, the head.
blocks=$(grep -c '^| features\.' <<<"$output")
if ((blocks != 18)); then
  echo "expected 18 blocks with multiply-adds, got $blocks:" >&2
  echo "$output" >&2
  exit 1
fi
echo "ok: $total GMAC over $blocks blocks"
