// Which device each worker computes on, from what the user asked for
// (run.device, `--device`), how many GPUs this process sees and the
// worker's index on this node. Pure, so the rules are tested on a machine
// without a GPU; device_choice.cc asks LibTorch for the count.
//
//   cpu      every worker on the CPU
//   auto     worker i on cuda:(i mod GPUs) when a GPU is visible, else the CPU
//   cuda     the same spread, but no GPU is an error
//   cuda:N   every worker on GPU N; N must be below the visible count
//
// GPUs are numbered as CUDA numbers them for this process: with
// CUDA_VISIBLE_DEVICES=2,3 the two visible GPUs are cuda:0 and cuda:1.
#pragma once

#include <optional>
#include <string>

namespace popsweep::orchestrator {

// Why `requested` is not a device name, or an empty string when it is one.
// For the spec schema, which adds the key.
std::string device_name_problem(const std::string& requested);

// The device of worker `worker_index`; ConfigError naming `key` when the
// name is malformed or asks for a GPU that is not visible.
std::string assign_device(const std::string& requested, int visible_gpus, int worker_index,
                          const std::string& key = "run.device");

}  // namespace popsweep::orchestrator
