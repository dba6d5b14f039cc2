# Sourced by the tests that run sweeps under mpirun (tests/orchestrator/mpi_*_test.sh):
# they skip (status 77; a failure under CI) without sqlite3 or mpirun, and let
# Open MPI run as root and put more ranks than cores on this machine.
source "$(dirname "${BASH_SOURCE[0]}")/skip_or_fail.sh"
command -v sqlite3 > /dev/null || skip_or_fail "sqlite3 command-line tool not installed"
command -v mpirun > /dev/null || skip_or_fail "no mpirun"
source "$(dirname "${BASH_SOURCE[0]}")/mpi_environment.sh"
