// Kept apart from launch.cc because it is the only piece of the launch logic
// that needs LibTorch (to ask whether CUDA is there).
#include <torch/cuda.h>

#include "common/error.h"
#include "orchestrator/launch.h"

namespace popsweep::orchestrator {

std::string choose_device(const std::string& requested, int local_rank) {
  const bool cuda = torch::cuda::is_available();
  const int gpus = cuda ? static_cast<int>(torch::cuda::device_count()) : 0;
  if (requested == "cpu") return "cpu";
  if (requested == "cuda" && !cuda) {
    throw ConfigError("run.device is cuda, but this LibTorch has no CUDA or no GPU is visible");
  }
  if (gpus == 0) return "cpu";
  return "cuda:" + std::to_string(local_rank % gpus);
}

}  // namespace popsweep::orchestrator
