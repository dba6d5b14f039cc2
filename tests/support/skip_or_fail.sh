# Sourced by the shell tests that need a tool or a facility popsweep itself
# does not provide (sqlite3, mpirun, Chromium, a local Slurm cluster, the
# benchmarks). On a developer's machine a missing one skips the test (exit
# 77, which ctest reports as skipped). Under CI (the CI variable set, as
# .ci/run and most CI services do) it fails instead: scripts/setup installs
# every such tool there, so a missing one is a broken setup, and a skip would
# let the checks it stands for pass unseen.

in_ci() { [[ -n ${CI:-} && ${CI,,} != false && ${CI} != 0 ]]; }

# Ends the test: skipped here, failed under CI. Say what is missing.
skip_or_fail() {
  if in_ci; then
    echo "FAIL: $* (CI=$CI: in CI nothing may be skipped; scripts/setup installs it)" >&2
    exit 1
  fi
  echo "SKIP: $*"
  exit 77
}

# For a part of a test that cannot run here: fails under CI, otherwise says
# what is left out and returns, so the rest of the test goes on.
skip_part_or_fail() {
  if in_ci; then
    echo "FAIL: $* (CI=$CI: in CI nothing may be skipped; scripts/setup installs it)" >&2
    exit 1
  fi
  echo "skipped part: $*"
}
