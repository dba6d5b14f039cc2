#!/usr/bin/env bash
# `popsweep demo` runs on the ImageNet MobileNetV2 built into the binary
# (experiments/quick.yaml: features.backbone mobilenet_v2, features.weights
# builtin:mobilenet_v2), wherever it is started from (M13):
#   - planned from another folder, its feature jobs are keyed by the model's
#     own SHA-256 (the one worker/nets/builtin/README.md documents), so job
#     keys follow the content, not a name or a path;
#   - the builtin with features.backbone efficientnet_b0 is a ConfigError
#     naming both keys, before a profile is made or a job runs.
# The whole demo runs in tests/orchestrator/sweep_end_to_end_test.sh.
set -euo pipefail
bin=${POPSWEEP_BIN:?POPSWEEP_BIN must name the popsweep binary}
src=${POPSWEEP_SOURCE_DIR:?POPSWEEP_SOURCE_DIR must name the source folder}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$work"

"$bin" run "$src/experiments/quick.yaml" --dry-run --db plan.db > plan.log 2>&1 || { cat plan.log; fail "dry run failed"; }
grep -q '"backbone":"mobilenet_v2"' plan.log || { cat plan.log; fail "quick.yaml does not plan mobilenet_v2 features"; }
grep -q '"weights_hash":"7aad0c74c5e3c06e5eb3c827' plan.log ||
  { cat plan.log; fail "the feature jobs are not keyed by the builtin's SHA-256"; }

if "$bin" demo --out bad features.backbone=efficientnet_b0 > bad.log 2>&1; then
  fail "the builtin MobileNetV2 was accepted for efficientnet_b0"
fi
for word in features.weights features.backbone builtin:mobilenet_v2 efficientnet_b0; do
  grep -q "$word" bad.log || { cat bad.log; fail "the error does not name $word"; }
done
# The quick spec's profile folder is synth-tiny-1 plus its template posts' suffix.
! compgen -G "bad/synth-*" > /dev/null && [[ ! -e bad/popsweep.db ]] ||
  fail "a profile or database was made before the error"
echo "PASS"
