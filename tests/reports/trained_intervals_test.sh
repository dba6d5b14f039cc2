#!/usr/bin/env bash
# The report's intervals and p-values on trained sweeps (issue 22), the
# default run's size: 4 sweeps of the tiny profile whose popularity is
# shuffled among its posts (no signal by construction) and one whose
# popularity the visual family decides (tests/support/trained_intervals.sh
# says how). At least 3 of the 4 no-signal intervals must contain chance
# (0.5) and at most 1 p-value fall under 0.05 (with 95% coverage and uniform
# p-values, a false failure has odds of about 1 in 70 either way); the
# signal interval must lie above chance and the majority baseline. The
# 20-seed version (18 of 20, at most 2) is trained_intervals_slow.sh.
set -euo pipefail
source "$(dirname "$0")/../support/trained_intervals.sh"
run_trained_interval_check 4 3 1
echo "trained intervals: OK"
