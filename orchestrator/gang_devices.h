// Which device each member of a data-parallel gang computes on (issue 20).
// NCCL refuses two ranks of one group on the same GPU, so the members of a
// gang on one node must hold different GPUs; members on different nodes may
// hold GPUs with the same index. Pure, so the rules are tested with made-up
// GPU counts on a machine without a GPU; the scheduler calls it when it
// places a gang (from what each worker said in its hello: its node, its
// device and how many GPUs it sees), the local pool also before any job runs.
//
//   a member on the CPU       stays there (run.device cpu, or auto without a GPU)
//   run.device auto or cuda   each member keeps its own GPU unless an earlier
//                             member of the gang on its node holds it; then it
//                             takes the lowest GPU of that node no member
//                             holds. More members on a node than it has GPUs:
//                             a ConfigError saying so.
//   run.device cuda:N         every worker is pinned to GPU N: two members on
//                             one node is a ConfigError (they would share it)
//
// GPUs are not reserved across jobs: a one-rank job may share a GPU with a
// gang member, as workers beyond the GPU count always have.
#pragma once

#include <string>
#include <vector>

namespace popsweep::orchestrator {

struct GangSeat {
  std::string node;      // the member's host (workers on one node share its GPUs)
  std::string device;    // the worker's own device: "cpu" or "cuda:N"
  int visible_gpus = 0;  // GPUs the worker sees (CUDA_VISIBLE_DEVICES applied)
};

// devices[r] for member r. `requested` is run.device (auto, cpu, cuda, cuda:N).
std::vector<std::string> assign_gang_devices(const std::string& requested,
                                             const std::vector<GangSeat>& members);

// Before any job runs in a local pool (one node, `visible_gpus` GPUs,
// worker i on `pool_devices[i]`): a ConfigError when a gang of
// `ranks_per_job` could not get a GPU per member.
void check_pool_gang_devices(const std::string& requested, int ranks_per_job, int visible_gpus,
                             const std::vector<std::string>& pool_devices);

}  // namespace popsweep::orchestrator
