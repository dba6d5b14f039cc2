# Sourced by the tests that run sweeps under mpirun (tests/orchestrator/mpi_*_test.sh):
# they skip (status 77) without sqlite3 or mpirun, and let Open MPI run as
# root and put more ranks than cores on this machine.
command -v sqlite3 > /dev/null || { echo "skipped: sqlite3 command-line tool not installed"; exit 77; }
command -v mpirun > /dev/null || { echo "skipped: no mpirun"; exit 77; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
