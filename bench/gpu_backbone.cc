// The backbone on a GPU (issue 25's GPU readiness; bench/gpu.sh runs it):
// images/s at a large batch of the extractor's fp32 path (batch norms folded,
// channels-last) and of the nn module cast to fp16 and bf16 (channels-last,
// as autocast would run its convs), with how far the reduced precisions move
// the features. Runs on the CPU too (fp16 skipped: LibTorch's CPU convs have
// no fp16 kernels), which is how the script is checked on machines without a
// GPU.
//
//   build/bench/popsweep_bench_gpu DEVICE BATCH RUNS      (e.g. cuda 256 5)
#include <torch/cuda.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "bench/median_timer.h"
#include "worker/nets/efficientnet_b0_weights.h"
#include "worker/nets/frozen_efficientnet_b0.h"

namespace {

using popsweep::nets::EfficientNetB0;
using popsweep::nets::FrozenBackboneOptions;
using popsweep::nets::FrozenEfficientNetB0;
using popsweep::bench::median_seconds;

// By hand: random-weight features are tiny, below cosine_similarity's eps.
double min_cosine(const torch::Tensor& a, const torch::Tensor& b) {
  const torch::Tensor a64 = a.to(torch::kCPU, torch::kFloat64), b64 = b.to(torch::kCPU, torch::kFloat64);
  return ((a64 * b64).sum(1) / (a64.norm(2, {1}) * b64.norm(2, {1}))).min().item<double>();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s DEVICE BATCH RUNS\n", argv[0]);
    return 2;
  }
  const torch::Device device(argv[1]);
  const std::int64_t batch = std::max(1, std::atoi(argv[2]));
  const int runs = std::max(1, std::atoi(argv[3]));
  c10::InferenceMode inference;
  // Queued GPU work is counted: each timed call waits for the device.
  const std::function<void()> wait = [&] {
    if (device.is_cuda()) torch::cuda::synchronize(device.index() < 0 ? -1 : device.index());
  };
  torch::manual_seed(1);
  const torch::Tensor x = torch::randn({batch, 3, 224, 224}).to(device).contiguous(torch::MemoryFormat::ChannelsLast);

  const EfficientNetB0 model = popsweep::nets::load_efficientnet_b0("random", 0, torch::kCPU);
  FrozenBackboneOptions options;
  options.device = device;
  const FrozenEfficientNetB0 frozen(model, options);
  torch::Tensor reference;
  const double fp32 = median_seconds(runs, [&] { reference = frozen.embed(x); }, wait);
  std::printf("| path on %s, batch %ld | images/s | min cosine to fp32 |\n|---|---|---|\n", argv[1],
              static_cast<long>(batch));
  std::printf("| fp32, folded BN, channels-last (the extractor's path) | %.1f | 1 |\n", batch / fp32);
  std::fflush(stdout);

  std::vector<std::pair<const char*, torch::ScalarType>> reduced = {{"bf16", torch::kBFloat16}};
  if (device.is_cuda()) reduced.insert(reduced.begin(), {"fp16", torch::kHalf});
  for (const auto& [name, type] : reduced) {
    EfficientNetB0 cast = popsweep::nets::load_efficientnet_b0("random", 0, torch::kCPU);
    cast->to(device, type);
    cast->eval();
    const torch::Tensor input = x.to(type).contiguous(torch::MemoryFormat::ChannelsLast);
    torch::Tensor features;
    const double seconds = median_seconds(runs, [&] { features = cast->embed(input); }, wait);
    std::printf("| %s, nn module cast, channels-last | %.1f | %.6f |\n", name, batch / seconds,
                min_cosine(features, reference));
    std::fflush(stdout);
  }
  return 0;
}
