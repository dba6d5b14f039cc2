# Shared helpers for the bench/*.sh scripts (sourced, not run).
#
#   POPSWEEP       the popsweep binary (default build/popsweep)
#   BENCH_WORK     scratch folder for profiles and databases
#                  (default /tmp/popsweep-bench; kept between runs so the
#                  paper-size profile is generated once)
#   BENCH_PYTHON   a Python with torch and torchvision (default /usr/bin/python3)
#   BENCH_RUNS     runs per measurement, the median is reported (default 3)
set -euo pipefail

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
POPSWEEP=${POPSWEEP:-$BENCH_ROOT/build/popsweep}
BENCH_WORK=${BENCH_WORK:-/tmp/popsweep-bench}
BENCH_PYTHON=${BENCH_PYTHON:-/usr/bin/python3}
BENCH_RUNS=${BENCH_RUNS:-3}
mkdir -p "$BENCH_WORK"

# Wall-clock seconds of a command (its output goes to $BENCH_WORK/last.log).
seconds_of() {
  local start end
  start=$(date +%s.%N)
  "$@" >"$BENCH_WORK/last.log" 2>&1 || { cat "$BENCH_WORK/last.log" >&2; return 1; }
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f\n", b - a }'
}

# Median of the numbers given as arguments.
median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# The machine's load, printed before and after each benchmark: figures taken
# with a load average above the core count were taken under load.
load_note() {
  echo "load ($1): $(uptime | sed 's/.*load average: //') on $(nproc) cores"
}
