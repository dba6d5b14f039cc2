#!/usr/bin/env bash
# The whole pipeline through the real binary: `popsweep demo` generates the
# tiny profile and runs every stage (ingest, label, extract, dedup, train)
# with local worker processes. Checked against the database itself:
#   - every planned training job has a result, history and kept weights;
#   - every readable media file has features, every corrupt one is recorded
#     as a problem (truth.json lists them) and did not stop the sweep;
#   - the same spec and seed give the same numbers (determinism);
#   - a second run finds nothing to do and changes nothing;
#   - a coordinator killed with SIGKILL mid-sweep resumes where it stopped
#     and ends with exactly the numbers of an uninterrupted run;
#   - a worker killed with SIGKILL only costs its job an attempt: the sweep
#     goes on and ends with the same numbers;
#   - under mpirun (rank 0 coordinates, two worker ranks) the same numbers
#     come out, also after the whole MPI job, or one worker rank, is killed
#     and the command run again.
set -euo pipefail
bin=${POPSWEEP_BIN:?POPSWEEP_BIN must name the popsweep binary}
work=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

overrides=(train.epochs=3 "train.classes=[2]" train.folds=2 run.workers=2 run.threads_per_worker=1)
results() {
  sqlite3 "$1/popsweep.db" "SELECT experiment, classes, fold, repeat, best_epoch, printf('%.9f', accuracy_best),
                                   printf('%.9f', accuracy_last) FROM train_results ORDER BY 1, 2, 3, 4"
}
history() {
  sqlite3 "$1/popsweep.db" "SELECT r.experiment, r.fold, e.epoch, printf('%.9f', e.train_loss), printf('%.9f', e.val_loss)
                            FROM epochs e JOIN train_results r USING (job_id) ORDER BY 1, 2, 3"
}

"$bin" demo --out "$work/a" "${overrides[@]}" > "$work/a.log" 2>&1 || { cat "$work/a.log"; fail "demo run failed"; }

# 4 experiments x 1 class setting x 2 folds x 1 repeat.
[[ $(sqlite3 "$work/a/popsweep.db" "SELECT count(*) FROM train_results") == 8 ]] || fail "expected 8 training results"
[[ $(sqlite3 "$work/a/popsweep.db" "SELECT count(DISTINCT job_id) FROM epochs") == 8 ]] || fail "expected 8 histories"
[[ $(sqlite3 "$work/a/popsweep.db" "SELECT count(*) FROM checkpoints WHERE kind = 'best'") == 8 ]] ||
  fail "expected 8 kept models"
# Accuracies are fractions of the validation items.
[[ $(sqlite3 "$work/a/popsweep.db" "SELECT count(*) FROM train_results WHERE accuracy_best < 0 OR accuracy_best > 1
                                     OR val_items <= 0") == 0 ]] || fail "accuracy out of range"

# Corrupt files: recorded as problems, never embedded; the rest embedded.
corrupt=$(/usr/bin/python3 -c "import json,sys; t=json.load(open(sys.argv[1])); print(len(t['corrupt']))" \
  "$work/a"/synth-tiny-1*/truth.json)
problems=$(sqlite3 "$work/a/popsweep.db" "SELECT count(DISTINCT m.content_hash) FROM media_problems p JOIN media m ON m.id = p.media_id")
(( corrupt > 0 )) || fail "the tiny profile should plant corrupt files"
(( problems >= corrupt )) || fail "$corrupt corrupt files planted, only $problems recorded as problems"
missing=$(sqlite3 "$work/a/popsweep.db" "SELECT count(DISTINCT m.content_hash) FROM media m
  WHERE m.content_hash NOT IN (SELECT content_hash FROM features)
    AND m.id NOT IN (SELECT media_id FROM media_problems)")
[[ $missing == 0 ]] || fail "$missing readable media files have no features"

# Determinism: a second database from the same spec and seed.
"$bin" demo --out "$work/b" "${overrides[@]}" > "$work/b.log" 2>&1 || { cat "$work/b.log"; fail "second run failed"; }
diff <(results "$work/a") <(results "$work/b") || fail "same spec and seed gave different results"
diff <(history "$work/a") <(history "$work/b") || fail "same spec and seed gave different histories"

# Rerun: nothing to do, nothing changes.
before=$(results "$work/a")
"$bin" demo --out "$work/a" "${overrides[@]}" > "$work/rerun.log" 2>&1 || { cat "$work/rerun.log"; fail "rerun failed"; }
[[ "$(results "$work/a")" == "$before" ]] || fail "a rerun changed results"

# SIGKILL the coordinator while it has a job out, then resume.
"$bin" demo --out "$work/c" "${overrides[@]}" > "$work/c.log" 2>&1 &
coordinator=$!
for _ in $(seq 1 600); do
  running=$(sqlite3 "$work/c/popsweep.db" "SELECT count(*) FROM jobs WHERE status = 'running'" 2>/dev/null || echo 0)
  (( running >= 1 )) && break
  kill -0 $coordinator 2>/dev/null || break
  sleep 0.2
done
kill -9 $coordinator 2>/dev/null || true
wait $coordinator 2>/dev/null || true
echo "coordinator killed with $(sqlite3 "$work/c/popsweep.db" "SELECT count(*) FROM jobs WHERE status = 'done'") jobs done"
# Orphaned workers notice their coordinator is gone and exit.
"$bin" demo --out "$work/c" "${overrides[@]}" > "$work/c2.log" 2>&1 || { cat "$work/c2.log"; fail "resume failed"; }
diff <(results "$work/a") <(results "$work/c") || fail "the resumed sweep differs from an uninterrupted one"
# SIGKILL one worker process while it runs a job; the coordinator retries it.
"$bin" demo --out "$work/d" "${overrides[@]}" > "$work/d.log" 2>&1 &
coordinator=$!
killed_worker=""
for _ in $(seq 1 600); do
  # The busy worker's pid, as the coordinator records it ("local-N/pid-PID").
  busy=$(sqlite3 "$work/d/popsweep.db" "SELECT worker FROM jobs WHERE status = 'running' AND worker LIKE 'local-%'" \
    2>/dev/null | head -n 1 || true)
  if [[ $busy == *pid-* ]] && kill -9 "${busy##*pid-}" 2>/dev/null; then
    killed_worker=${busy##*pid-}
    break
  fi
  kill -0 $coordinator 2>/dev/null || break
  sleep 0.1
done
wait $coordinator || { cat "$work/d.log"; fail "the sweep did not survive a killed worker"; }
[[ -n $killed_worker ]] || fail "no busy worker was found to kill"
# The worker may have finished its job just before the kill; when it had not,
# its job was retried (LocalPoolTransport.KilledWorkerLosesOnlyItsJob pins
# that down deterministically).
grep -q "will retry" "$work/d.log" && echo "killed worker $killed_worker: its job was retried" ||
  echo "killed worker $killed_worker between jobs"
diff <(results "$work/a") <(results "$work/d") || fail "a killed worker changed the results"

# MPI: rank 0 coordinates, ranks 1-2 work; then kill -9 the whole MPI job and resume.
source "$(dirname "$0")/../support/mpi_environment.sh"
if command -v mpirun > /dev/null; then
  mkdir -p "$work/m" "$work/n"
  mpirun -np 3 "$bin" run "$work/a/quick.yaml" "${overrides[@]}" --db "$work/m/popsweep.db" > "$work/m.log" 2>&1 ||
    { cat "$work/m.log"; fail "the MPI sweep failed"; }
  grep -q "2 worker(s)" "$work/m.log" || { cat "$work/m.log"; fail "expected 2 MPI worker ranks"; }
  diff <(results "$work/a") <(results "$work/m") || fail "MPI gave other results than the local pool"

  setsid mpirun -np 3 "$bin" run "$work/a/quick.yaml" "${overrides[@]}" --db "$work/n/popsweep.db" > "$work/n.log" 2>&1 &
  launcher=$!
  for _ in $(seq 1 600); do
    (( $(sqlite3 "$work/n/popsweep.db" "SELECT count(*) FROM jobs WHERE status = 'running'" 2>/dev/null || echo 0) >= 1 )) && break
    kill -0 $launcher 2>/dev/null || break
    sleep 0.1
  done
  kill -9 -- -$launcher 2>/dev/null || true  # mpirun and every rank at once, like a node failure
  wait $launcher 2>/dev/null || true
  # Open MPI may start its ranks in process groups of their own, which the
  # kill above misses: a rank left alive still holds the coordinator lease,
  # and the rerun rightly refuses the database. A node failure leaves none.
  pkill -9 -f -- "--db $work/n/popsweep.db" 2>/dev/null || true
  for _ in $(seq 1 100); do
    pgrep -f -- "--db $work/n/popsweep.db" > /dev/null || break
    sleep 0.1
  done
  echo "MPI job killed with $(sqlite3 "$work/n/popsweep.db" "SELECT count(*) FROM jobs WHERE status = 'done'") jobs done"
  mpirun -np 3 "$bin" run "$work/a/quick.yaml" "${overrides[@]}" --db "$work/n/popsweep.db" > "$work/n2.log" 2>&1 ||
    { cat "$work/n2.log"; fail "the MPI resume failed"; }
  diff <(results "$work/a") <(results "$work/n") || fail "the resumed MPI sweep differs"

  # SIGKILL one worker rank (not rank 0) while it runs a job. Open MPI then
  # ends the whole job (its default on a lost rank); the rerun resumes.
  mkdir -p "$work/w"
  mpirun -np 3 "$bin" run "$work/a/quick.yaml" "${overrides[@]}" --db "$work/w/popsweep.db" > "$work/w.log" 2>&1 &
  launcher=$!
  victim=""
  for _ in $(seq 1 600); do
    if (( $(sqlite3 "$work/w/popsweep.db" "SELECT count(*) FROM jobs WHERE status = 'running'" 2>/dev/null || echo 0) >= 1 )); then
      for pid in $(pgrep -P $launcher); do
        if tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=2"; then victim=$pid; fi
      done
      [[ -n $victim ]] && kill -9 "$victim" && break
    fi
    kill -0 $launcher 2>/dev/null || break
    sleep 0.1
  done
  wait $launcher 2>/dev/null || true
  [[ -n $victim ]] || fail "no MPI worker rank was found to kill"
  echo "MPI worker rank 2 (pid $victim) killed with $(sqlite3 "$work/w/popsweep.db" "SELECT count(*) FROM jobs WHERE status = 'done'") jobs done"
  mpirun -np 3 "$bin" run "$work/a/quick.yaml" "${overrides[@]}" --db "$work/w/popsweep.db" > "$work/w2.log" 2>&1 ||
    { cat "$work/w2.log"; fail "the MPI resume after a killed worker rank failed"; }
  diff <(results "$work/a") <(results "$work/w") || fail "the sweep resumed after a killed worker rank differs"
fi
echo "PASS"
