#!/usr/bin/env bash
# Fine-tuning EfficientNet-B0's last 2 blocks (issue 20, train.finetune_blocks)
# on 1 worker and on a gang of 2, 1 thread each: bench/gang_pixels.sh's
# pixels-mode image job with the blocks unfrozen. Prints one line per run.
#   bench/gang_finetune.sh [popsweep binary] [epochs] [repetitions] [KEY=VALUE ...]
set -euo pipefail
exec "$(dirname "$0")/gang_pixels.sh" "${1:-build/popsweep}" "${2:-10}" "${3:-3}" train.finetune_blocks=2 "${@:4}"
