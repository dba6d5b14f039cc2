#!/usr/bin/env bash
# One coordinator per database (issue 24, docs/RELIABILITY.md), through the
# real binary on the small demo sweep:
#   1. a second `popsweep run` two seconds after the first is refused,
#      naming the first one's host, pid and start; a Slurm requeue
#      (SLURM_RESTART_COUNT=1) started beside it waits instead and proceeds
#      once the first releases; `status` names the holder meanwhile; the
#      first finishes normally and no job is attempted twice;
#   2. a coordinator stopped by SIGTERM releases the lease; after a kill -9
#      of the coordinator, the rerun on the same host takes the lease over
#      at once and ends with the uninterrupted run's results;
#   3. a lease forged as held on another host, with a heartbeat that never
#      changes, is taken over after the (shortened) lifetime of watching;
#   4. the same forged lease whose heartbeat keeps changing (a background
#      sqlite3 loop) gets the new coordinator refused;
#   5. a running coordinator whose lease is taken from it stops at once with
#      status 5, saying so.
set -euo pipefail
bin=${POPSWEEP_BIN:?POPSWEEP_BIN must name the popsweep binary}
work=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
source "$(dirname "$0")/../support/skip_or_fail.sh"
command -v sqlite3 > /dev/null || skip_or_fail "sqlite3 command-line tool not installed"

overrides=(train.epochs=3 "train.classes=[2]" train.folds=2 run.workers=2 run.threads_per_worker=1)
host=$(hostname)
db=$work/a/popsweep.db
query() { sqlite3 -cmd ".timeout 5000" "$@" 2>/dev/null || true; }
holder() { query "$1" "SELECT host || ' ' || pid FROM coordinator_lease"; }
results() {
  query "$1" "SELECT experiment, classes, fold, repeat, best_epoch, printf('%.9f', accuracy_best),
                     printf('%.9f', accuracy_last) FROM train_results ORDER BY 1, 2, 3, 4"
}
summary() { grep -o "sweep 'quick': [0-9]* done, [0-9]* failed, [0-9]* interrupted, [0-9]* not run" "$1"; }
# Waits until the coordinator $2 holds the lease of database $1.
wait_for_lease() {
  for _ in $(seq 1 1200); do
    [[ $(holder "$1") == "$host $2" ]] && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}
started=$SECONDS

# 1. Two coordinators about two seconds apart; a requeue and `status` beside
# them while the first runs (about 10 s).
"$bin" demo --out "$work/a" "${overrides[@]}" > "$work/a.log" 2>&1 &
first=$!
wait_for_lease "$db" $first || { cat "$work/a.log"; fail "the first coordinator never took the lease"; }
"$bin" status --db "$db" > "$work/status.log" 2>&1 &
watcher=$!
SLURM_RESTART_COUNT=1 "$bin" run "$work/a/quick.yaml" "${overrides[@]}" --db "$db" > "$work/requeue.log" 2>&1 &
requeue=$!
sleep 1
t=$SECONDS
if "$bin" run "$work/a/quick.yaml" "${overrides[@]}" --db "$db" > "$work/second.log" 2>&1; then
  fail "a second coordinator ran on a database in use"
fi
refused_in=$(( SECONDS - t ))
grep -q "is in use by another coordinator (host $host, pid $first, started 20[0-9-]*T[0-9:]*Z): it is running on this host" \
  "$work/second.log" ||
  { cat "$work/second.log"; fail "the refusal does not name the holder's host, pid and start"; }
wait $watcher || { cat "$work/status.log"; fail "status failed"; }
grep -q "^coordinator: host $host, pid $first, started .*; running on this host, last heartbeat [0-9] s ago" \
  "$work/status.log" ||
  { cat "$work/status.log"; fail "status does not show the holder and its heartbeat"; }
wait $first || { tail -20 "$work/a.log"; fail "the first coordinator did not finish normally"; }
wait $requeue || { cat "$work/requeue.log"; fail "the requeued coordinator failed"; }
grep -q "is held by host $host, pid $first, .*: this is a Slurm requeue, waiting up to 90 s for it to end" \
  "$work/requeue.log" || { cat "$work/requeue.log"; fail "the requeue did not wait for the holder"; }
[[ $(summary "$work/requeue.log") == "$(summary "$work/a.log")" ]] ||
  { cat "$work/requeue.log"; fail "the requeue did not find the first one's sweep finished"; }
[[ $(query "$db" "SELECT count(*) FROM jobs WHERE attempts > 1") == 0 ]] || fail "a job was attempted twice"
[[ $(query "$db" "SELECT count(*) FROM jobs WHERE status != 'done'") == 0 ]] || fail "not every job is done"
[[ -z $(holder "$db") ]] || fail "the lease was not released"
"$bin" status --db "$db" | grep -q "^coordinator: none$" || fail "status shows a holder after the sweeps ended"
baseline=$(results "$db")
echo "two coordinators: the second refused in ${refused_in} s; the requeue waited, then found the sweep done ($(( SECONDS - started )) s)"
echo "  $(grep "popsweep: error" "$work/second.log" | cut -c1-150)..."
echo "  status: $(head -1 "$work/status.log")"

# 2. A stop signal releases the lease; a kill -9 of the coordinator leaves
# it, and the rerun on the same host takes it over at once.
# Waits until the coordinator $2 on database $1 has a job out.
wait_for_running_job() {
  for _ in $(seq 1 1200); do
    running=$(query "$1" "SELECT count(*) FROM jobs WHERE status = 'running'")
    (( ${running:-0} >= 1 )) && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
t=$SECONDS
mkdir -p "$work/k"
cp -r "$work/a"/synth-tiny-1* "$work/k/"
"$bin" demo --out "$work/k" "${overrides[@]}" > "$work/k0.log" 2>&1 &
stopped=$!
wait_for_running_job "$work/k/popsweep.db" $stopped || fail "the coordinator ended before it could be stopped"
kill -TERM $stopped
status=0
wait $stopped || status=$?
(( status == 3 )) || { tail -5 "$work/k0.log"; fail "the stopped coordinator ended with status $status, not 3"; }
[[ -z $(holder "$work/k/popsweep.db") ]] || fail "a coordinator stopped by SIGTERM kept its lease"
"$bin" demo --out "$work/k" "${overrides[@]}" > "$work/k.log" 2>&1 &
victim=$!
wait_for_running_job "$work/k/popsweep.db" $victim || fail "the coordinator ended before it could be killed"
kill -9 $victim
wait $victim 2>/dev/null || true
[[ $(holder "$work/k/popsweep.db") == "$host $victim" ]] || fail "the killed coordinator left no lease behind"
resumed=$SECONDS
"$bin" demo --out "$work/k" "${overrides[@]}" > "$work/k2.log" 2>&1 || { tail -20 "$work/k2.log"; fail "the rerun failed"; }
grep -q "coordinator lease of .* taken over from pid $victim on this host, which has exited" "$work/k2.log" ||
  { head -20 "$work/k2.log"; fail "the rerun did not take the dead coordinator's lease over"; }
! grep -q "watching its heartbeat" "$work/k2.log" || fail "the rerun watched a holder known to be dead"
diff <(echo "$baseline") <(results "$work/k/popsweep.db") || fail "the resumed sweep differs from an uninterrupted one"
echo "SIGTERM: lease released (status 3); kill -9: the rerun took over at once and resumed in $(( SECONDS - resumed )) s to the same results ($(( SECONDS - t )) s)"

# 3. and 4. A lease forged as held on another host, for a new coordinator
# with a 0.5 s heartbeat and a 3 s lifetime (test-only settings).
forge() {
  query "${1:-$db}" "INSERT OR REPLACE INTO coordinator_lease VALUES
                     (1, 'forged', 'elsewhere-node', 'other-boot', 4242, 77, 1000000000, 1, 1000000000, 500, 3000)"
}
short_run() {
  POPSWEEP_LEASE_HEARTBEAT_SECONDS=0.5 POPSWEEP_LEASE_LIFETIME_SECONDS=3 \
    "$bin" run "$work/a/quick.yaml" "${overrides[@]}" --db "$db"
}
forge
t=$SECONDS
short_run > "$work/stale.log" 2>&1 || { cat "$work/stale.log"; fail "the coordinator did not take a stale lease over"; }
grep -q "is held by host elsewhere-node, pid 4242, started 2001-09-09T01:46:40Z: watching its heartbeat" \
  "$work/stale.log" || { cat "$work/stale.log"; fail "the coordinator did not say it watches the holder"; }
grep -q "taken over from host elsewhere-node, pid 4242, .*: its heartbeat stood still for 3\.[0-9] s" \
  "$work/stale.log" || { cat "$work/stale.log"; fail "the coordinator did not say why it took over"; }
(( SECONDS - t >= 3 )) || fail "the stale lease was taken before its lifetime"
[[ $(results "$db") == "$baseline" ]] || fail "the results changed"
echo "stale lease elsewhere: taken over after watching ($(( SECONDS - t )) s)"

forge
(while :; do query "$db" "UPDATE coordinator_lease SET heartbeat = heartbeat + 1" > /dev/null; sleep 0.2; done) &
beater=$!
t=$SECONDS
if short_run > "$work/alive.log" 2>&1; then fail "a coordinator ran beside a live holder elsewhere"; fi
refused_in=$(( SECONDS - t ))
"$bin" status --db "$db" > "$work/status.log" 2>&1 || { cat "$work/status.log"; fail "status failed"; }
kill $beater && wait $beater 2>/dev/null || true
grep -q "is in use by another coordinator (host elsewhere-node, pid 4242, started 2001-09-09T01:46:40Z): it is alive: its heartbeat is changing" \
  "$work/alive.log" || { cat "$work/alive.log"; fail "the refusal does not name the live holder"; }
[[ $(query "$db" "SELECT holder FROM coordinator_lease") == forged ]] || fail "the refused coordinator touched the lease"
grep -q "^coordinator: host elsewhere-node, pid 4242, started 2001-09-09T01:46:40Z; last heartbeat just now (it changed after 0\.[0-9] s of watching)" \
  "$work/status.log" || { cat "$work/status.log"; fail "status does not show the live holder elsewhere"; }
echo "live lease elsewhere: refused in $refused_in s"
echo "  status: $(head -1 "$work/status.log")"

# 5. A coordinator whose lease was taken from it (as when it froze for a
# lifetime and another took over) stops at once, with status 5. The lease is
# taken while it generates the synthetic profile, its first step.
POPSWEEP_LEASE_HEARTBEAT_SECONDS=0.2 POPSWEEP_LEASE_LIFETIME_SECONDS=3 \
  "$bin" demo --out "$work/l" "${overrides[@]}" > "$work/l.log" 2>&1 &
robbed=$!
wait_for_lease "$work/l/popsweep.db" $robbed || { cat "$work/l.log"; fail "the coordinator never took the lease"; }
forge "$work/l/popsweep.db"
t=$SECONDS
status=0
wait $robbed || status=$?
(( status == 5 )) || { tail -5 "$work/l.log"; fail "a coordinator that lost its lease ended with status $status, not 5"; }
grep -q "this coordinator lost its lease: the lease of .* was taken by another coordinator (host elsewhere-node, pid 4242" \
  "$work/l.log" || { tail -5 "$work/l.log"; fail "the coordinator did not say it lost its lease"; }
[[ $(query "$work/l/popsweep.db" "SELECT holder FROM coordinator_lease") == forged ]] ||
  fail "the coordinator that lost its lease touched the new holder's row"
echo "lease taken away: the coordinator stopped with status 5 in $(( SECONDS - t )) s"
echo "  $(grep "lost its lease" "$work/l.log" | cut -c1-150)..."
echo "PASS ($(( SECONDS - started )) s)"
