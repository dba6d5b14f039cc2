// Kept apart from launch.cc because it is the only piece of the launch logic
// that needs LibTorch (to ask how many GPUs CUDA shows this process, which
// already honours CUDA_VISIBLE_DEVICES). The rules are in device_assignment.h.
#include <torch/cuda.h>

#include "orchestrator/device_assignment.h"
#include "orchestrator/launch.h"

namespace popsweep::orchestrator {
namespace {

int visible_gpus() { return torch::cuda::is_available() ? static_cast<int>(torch::cuda::device_count()) : 0; }

}  // namespace

int visible_gpu_count() { return visible_gpus(); }

std::string choose_device(const std::string& requested, int local_rank) {
  return assign_device(requested, visible_gpus(), local_rank);
}

std::vector<std::string> choose_pool_devices(const std::string& requested, int workers) {
  const int gpus = visible_gpus();
  std::vector<std::string> devices;
  for (int worker = 0; worker < workers; ++worker) devices.push_back(assign_device(requested, gpus, worker));
  return devices;
}

}  // namespace popsweep::orchestrator
