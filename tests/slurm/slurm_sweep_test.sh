#!/usr/bin/env bash
# popsweep under a real Slurm cluster (slurm/local-cluster.sh: Debian's
# slurmctld, slurmd and munge on this machine), through slurm/popsweep.sbatch:
#   1. a sweep runs as an MPI job launched by srun --mpi=pmix: rank 0
#      coordinates, two ranks train, and every job ends up done;
#   2. the preemption path: USR1 to the batch shell (what --signal=B:USR1@120
#      sends before a time limit) stops the sweep at a safe point and requeues
#      the Slurm job, which resumes it; the final numbers equal those of the
#      uninterrupted run;
#   3. data-parallel gangs (run.ranks_per_job: 2, issue 20) under srun
#      --mpi=pmix: three ranks, a coordinator and one gang of two meeting at
#      the address in their hellos (the host name; POPSWEEP_GANG_ADDRESS where
#      it must be another), on the pixels-mode sweep of
#      tests/support/gang_sweep.sh. Its epochs and predictions (probabilities'
#      bytes) equal the local pool's 2-rank run bit for bit, as mpirun's do
#      (tests/orchestrator/gang_training_test.sh), each job on both ranks.
# Skipped (exit 77) without root or without the Slurm packages, or where the
# local cluster does not start; under CI (CI=true) each of these fails instead.
set -euo pipefail
bin=${POPSWEEP_BIN:?POPSWEEP_BIN must name the popsweep binary}
src=${POPSWEEP_SOURCE_DIR:?POPSWEEP_SOURCE_DIR must name the source folder}
source "$(dirname "$0")/../support/skip_or_fail.sh"
if [[ $(id -u) -ne 0 ]] || ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  skip_or_fail "needs root and slurmctld, slurmd, munge (scripts/setup installs them)"
fi
work=$(mktemp -d)
chmod 0755 "$work"  # munged runs as the munge user and must reach its folder
cluster=$work/cluster
trap '"$src/slurm/local-cluster.sh" stop "$cluster" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
fail() {
  echo "FAIL: $*" >&2
  tail -n 40 "$work"/*.log >&2 || true
  exit 1
}
if ! "$src/slurm/local-cluster.sh" start "$cluster" 4 > "$work/cluster.log" 2>&1; then
  cat "$work/cluster.log"
  skip_or_fail "the local Slurm cluster does not start on this machine"
fi
# shellcheck disable=SC1091
source "$cluster/env.sh"
cd "$work"
cp "$src/experiments/quick.yaml" quick.yaml
overrides=(train.epochs=3 "train.classes=[2]" train.folds=2 run.threads_per_worker=1)
results() {
  sqlite3 "$1" "SELECT experiment, classes, fold, repeat, best_epoch, printf('%.9f', accuracy_best)
                FROM train_results ORDER BY 1, 2, 3, 4"
}
job_state() { scontrol show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p'; }

# 1. One uninterrupted sweep over three ranks.
POPSWEEP=$bin sbatch --wait --ntasks-per-node=3 --cpus-per-task=1 --output="$work/first.log" \
  "$src/slurm/popsweep.sbatch" quick.yaml "${overrides[@]}" --db first.db > /dev/null ||
  fail "the Slurm job failed"
grep -q "2 worker(s)" first.log || fail "expected rank 0 to coordinate 2 MPI worker ranks"
[[ $(sqlite3 first.db "SELECT count(*) FROM train_results") == 8 ]] || fail "expected 8 training results"

# 2. Preempted with USR1 once training has started, requeued, resumed.
job=$(POPSWEEP=$bin sbatch --parsable --ntasks-per-node=3 --cpus-per-task=1 --open-mode=append --output="$work/second.log" \
  "$src/slurm/popsweep.sbatch" quick.yaml "${overrides[@]}" --db second.db)
for _ in $(seq 1 900); do
  (( $(sqlite3 second.db "SELECT count(*) FROM train_results" 2>/dev/null || echo 0) >= 1 )) && break
  [[ $(job_state "$job") == RUNNING || $(job_state "$job") == PENDING ]] || break
  sleep 0.2
done
scancel --batch --signal=USR1 "$job"
for _ in $(seq 1 1800); do
  [[ $(job_state "$job") == COMPLETED || $(job_state "$job") == FAILED ]] && break
  sleep 0.2
done
[[ $(job_state "$job") == COMPLETED ]] || fail "the requeued job did not complete (state $(job_state "$job"))"
grep -q "USR1 received" second.log || fail "the batch script never saw USR1"
grep -q "start 2" second.log || fail "the job was not requeued"
diff <(results first.db) <(results second.db) || fail "the preempted and resumed sweep differs from the first"
echo "preempted with USR1, requeued, resumed: the uninterrupted results"

# 3. Gangs of two worker ranks under srun, against the local pool's gangs.
started=$SECONDS
source "$src/tests/support/gang_sweep.sh"
gang_sweep_spec gangs.yaml
gang_overrides=(run.ranks_per_job=2 train.epochs=2)  # 2 epochs, not 3: the default run stays short
mkdir pool srun
"$bin" run gangs.yaml --db pool/popsweep.db "${gang_overrides[@]}" > pool.log 2>&1 ||
  { cat pool.log; fail "the local pool's 2-rank sweep failed"; }
pool_seconds=$(( SECONDS - started ))
cp -r pool/synth-tiny-* srun/
POPSWEEP=$bin sbatch --wait --ntasks-per-node=3 --cpus-per-task=1 --output="$work/srun.log" \
  "$src/slurm/popsweep.sbatch" gangs.yaml "${gang_overrides[@]}" --db srun/popsweep.db > /dev/null ||
  fail "the Slurm job of gangs failed"
gangs=$(sqlite3 srun/popsweep.db "SELECT group_concat(worker || ' ' || attempts || ' ' || status, ', ')
                                  FROM (SELECT worker, attempts, status FROM jobs WHERE stage = 'train' ORDER BY id)")
[[ $gangs == "rank-1 + rank-2 1 done, rank-1 + rank-2 1 done" ]] ||
  fail "the training jobs did not each run once on a gang of both worker ranks: $gangs"
gang_numbers pool/popsweep.db > pool.numbers
gang_numbers srun/popsweep.db > srun.numbers
[[ $(wc -l < pool.numbers) -gt 4 ]] || fail "no epochs or predictions in the local pool's run"
cmp -s pool.numbers srun.numbers ||
  { diff pool.numbers srun.numbers | head; fail "the gangs under srun differ from the local pool's"; }
echo "srun --mpi=pmix, 3 ranks, 2 per job: the local pool's numbers bit for bit ($(wc -l < srun.numbers) epoch and prediction rows; jobs on ${gangs%%,*}; local pool $pool_seconds s, Slurm job $(( SECONDS - started - pool_seconds )) s)"
echo "PASS"
