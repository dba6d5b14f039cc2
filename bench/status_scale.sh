#!/usr/bin/env bash
# `popsweep status` and `popsweep report` on the database of a 100,000-job
# sweep: the legacy test database (a real small sweep: profile, labels,
# feature sets) brought to today's schema by popsweep, grown by
# bench/python/scale_database.py with JOBS generated training jobs that each
# validate ITEMS media (98,500 of them done, x 102 = 10.05 million prediction
# rows). The database is made once (timed) and kept in $BENCH_WORK; each
# command runs $BENCH_RUNS times, median reported, with its peak RSS
# (/usr/bin/time -v).
#
#   bench/status_scale.sh [JOBS] [ITEMS]
source "$(dirname "$0")/common.sh"

jobs=${1:-100000}
items=${2:-102}
db=$BENCH_WORK/status-scale-$jobs-$items.db
if [[ ! -f $db ]]; then
  rm -f "$db".tmp*
  xz -dc "$BENCH_ROOT/tests/orchestrator/legacy_database/popsweep.db.xz" >"$db.tmp"
  # Brings the file to today's schema (any read-write open migrates it).
  "$POPSWEEP" doctor --repair --db "$db.tmp" >/dev/null
  echo "generating: $(seconds_of "$BENCH_PYTHON" "$BENCH_ROOT/bench/python/scale_database.py" "$db.tmp" \
    --jobs "$jobs" --items "$items") s"
  cat "$BENCH_WORK/last.log"
  mv "$db.tmp" "$db"
  rm -f "$db".tmp*
fi
echo "database: $db, $(du -h "$db" | cut -f1)"

# Seconds and peak RSS (MB) of one run, as "S MB".
timed() {
  local seconds
  seconds=$(seconds_of /usr/bin/time -v "$@")
  echo "$seconds $(awk '/Maximum resident/ { printf "%.0f", $NF / 1024 }' "$BENCH_WORK/last.log")"
}

load_note before
declare -A runs memory
for command in status report; do
  runs[$command]=""
  memory[$command]=""
  for i in $(seq "$BENCH_RUNS"); do
    if [[ $command == status ]]; then
      read -r s mb < <(timed "$POPSWEEP" status --db "$db" --sweep scale)
    else
      rm -rf "$BENCH_WORK/scale-report"
      read -r s mb < <(timed "$POPSWEEP" report --db "$db" --sweep scale --out "$BENCH_WORK/scale-report")
    fi
    runs[$command]+="$s "
    memory[$command]+="$mb "
  done
  echo "$command output (last run, head):"
  head -12 "$BENCH_WORK/last.log" | sed 's/^/    /'
done
load_note after

echo
echo "| $jobs jobs, $(sqlite3 "$db" "SELECT COUNT(*) FROM predictions") prediction rows | runs (s) | median s | peak RSS runs (MB) |"
echo "|---|---|---|---|"
echo "| \`popsweep status --db DB --sweep scale\` | ${runs[status]}| $(median ${runs[status]}) | ${memory[status]}|"
echo "| \`popsweep report --db DB --sweep scale --out DIR\` | ${runs[report]}| $(median ${runs[report]}) | ${memory[report]}|"
