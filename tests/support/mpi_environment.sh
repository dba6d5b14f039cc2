# Sourced by every test that starts mpirun: lets Open MPI run as root (CI
# runs as root) and put more ranks than cores on this 2-core machine. Open
# MPI 4 (Debian 12) reads OMPI_MCA_rmaps_base_oversubscribe; Open MPI 5
# (Debian 13) launches through PRRTE, which ignores it and reads
# PRTE_MCA_rmaps_default_mapping_policy instead. Each ignores the other's.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
export PRTE_MCA_rmaps_default_mapping_policy=:oversubscribe
