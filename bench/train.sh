#!/usr/bin/env bash
# Training stage (M18): paper-size jobs of every experiment, 15 epochs on
# random embeddings, popsweep (build/bench/popsweep_bench_train, the trainer
# the workers run) against the same heads and loop in PyTorch
# (bench/python/train_jobs.py). 2 threads, median of $BENCH_RUNS runs per job.
#
#   bench/train.sh [THREADS]
source "$(dirname "$0")/common.sh"

threads=${1:-2}
bench_train=${BENCH_TRAIN:-$BENCH_ROOT/build/bench/popsweep_bench_train}
load_note before
"$bench_train" "$threads" "$BENCH_RUNS" | tee "$BENCH_WORK/train-popsweep.md"
load_note "after popsweep"
"$BENCH_PYTHON" "$BENCH_ROOT/bench/python/train_jobs.py" "$threads" "$BENCH_RUNS" | tee "$BENCH_WORK/train-python.md"
load_note "after Python"

echo
echo "| job (K = 3, 15 epochs, $threads threads) | popsweep median s | PyTorch median s | ratio (PyTorch / popsweep) |"
echo "|---|---|---|---|"
awk -F' [|] ' '
  FNR <= 2 { next }
  FNR == NR { popsweep[$1] = $3 + 0; order[++n] = $1; next }
  { python[$1] = $3 + 0 }
  END {
    for (i = 1; i <= n; ++i) {
      job = order[i]; total_p += 30 * popsweep[job]; total_q += 30 * python[job]
      printf "%s | %.2f | %.2f | %.1fx |\n", job, popsweep[job], python[job], python[job] / popsweep[job]
    }
    printf "| estimate: paper.yaml training stage, 30 jobs of each experiment, one worker | %.0f s | %.0f s | %.1fx |\n", total_p, total_q, total_q / total_p
  }' "$BENCH_WORK/train-popsweep.md" "$BENCH_WORK/train-python.md"
