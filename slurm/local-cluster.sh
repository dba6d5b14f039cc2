#!/usr/bin/env bash
# A real single-node Slurm cluster on this machine (Debian's slurmctld,
# slurmd and munge), for trying popsweep.sbatch before a real cluster and for
# the Slurm test. Needs root. Everything lives in one scratch folder.
#
#   slurm/local-cluster.sh start DIR [CPUS]   start munged, slurmctld, slurmd
#   slurm/local-cluster.sh stop DIR           stop them
#   source DIR/env.sh                         SLURM_CONF for sbatch/squeue/...
#
# Facts this relies on (measured in a sandbox without systemd or cgroups):
# munge's socket folder must be 0755; proctrack/linuxproc and task/none need
# no cgroups; cred_expire=10 lets a requeued job start again after ~13 s
# instead of ~120 s; srun needs --mpi=pmix with Debian's OpenMPI.
set -euo pipefail

command=${1:?usage: local-cluster.sh start|stop DIR [CPUS]}
dir=$(mkdir -p "${2:?scratch folder}" && cd "$2" && pwd)
cpus=${3:-$(nproc)}
host=$(hostname -s)

stop_daemons() {
  for name in slurmd slurmctld munged; do
    if [[ -f "$dir/$name.pid" ]]; then
      kill "$(cat "$dir/$name.pid")" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$(cat "$dir/$name.pid")" 2>/dev/null || break; sleep 0.1; done
      rm -f "$dir/$name.pid"
    fi
  done
}

if [[ $command == stop ]]; then
  stop_daemons
  exit 0
fi
[[ $command == start ]] || { echo "unknown command $command" >&2; exit 2; }
for tool in slurmctld slurmd munged mungekey sbatch; do
  command -v "$tool" >/dev/null || { echo "$tool missing: apt-get install -y slurmctld slurmd slurm-client munge" >&2; exit 1; }
done
stop_daemons

mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/log"
chown munge:munge "$dir/munge"
chmod 0755 "$dir/munge"
[[ -f "$dir/munge/munge.key" ]] || runuser -u munge -- mungekey --create --keyfile="$dir/munge/munge.key"
chmod 0600 "$dir/munge/munge.key"
runuser -u munge -- munged --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
  --log-file="$dir/munge/munged.log" --pid-file="$dir/munge/munged.pid" --seed-file="$dir/munge/munged.seed"
cp "$dir/munge/munged.pid" "$dir/munged.pid"

cat > "$dir/slurm.conf" <<CONF
ClusterName=popsweep-local
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket,cred_expire=10
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2,bf_interval=1
MpiDefault=pmix
ReturnToService=2
KillWait=5
MinJobAge=300
MailProg=/bin/true
# The test machine may declare more CPUs than it has, to run several ranks.
SlurmdParameters=config_overrides
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF
echo "export SLURM_CONF=$dir/slurm.conf" > "$dir/env.sh"
export SLURM_CONF=$dir/slurm.conf
slurmctld -i
slurmd
for _ in $(seq 100); do
  if sinfo -h -o %t 2>/dev/null | grep -q idle; then
    echo "local Slurm cluster up: source $dir/env.sh"
    exit 0
  fi
  sleep 0.2
done
echo "the node did not become idle; see $dir/log/" >&2
exit 1
