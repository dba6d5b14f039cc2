#include "orchestrator/device_assignment.h"

#include <fmt/format.h>

#include <cctype>

#include "common/error.h"

namespace popsweep::orchestrator {
namespace {

constexpr const char* kForms = "expected auto, cpu, cuda or cuda:N (N a GPU index: 0, 1, ...)";

// The N of "cuda:N", or nullopt when `requested` is not of that form.
std::optional<int> cuda_index(const std::string& requested) {
  const std::string prefix = "cuda:";
  if (requested.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  const std::string digits = requested.substr(prefix.size());
  if (digits.empty() || digits.size() > 4) return std::nullopt;
  for (const char c : digits) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  return std::stoi(digits);
}

std::string visible_gpus_text(int visible_gpus) {
  if (visible_gpus == 0) return "no GPU is visible to this process";
  if (visible_gpus == 1) return "only 1 GPU is visible to this process (cuda:0)";
  return fmt::format("only {} GPUs are visible to this process (cuda:0 to cuda:{})", visible_gpus,
                     visible_gpus - 1);
}

}  // namespace

std::string device_name_problem(const std::string& requested) {
  if (requested == "auto" || requested == "cpu" || requested == "cuda" || cuda_index(requested)) return "";
  return "'" + requested + "' is not a device: " + kForms;
}

std::string assign_device(const std::string& requested, int visible_gpus, int worker_index,
                          const std::string& key) {
  if (const std::string problem = device_name_problem(requested); !problem.empty()) {
    throw ConfigError(key + ": " + problem);
  }
  if (requested == "cpu" || (requested == "auto" && visible_gpus <= 0)) return "cpu";
  if (visible_gpus <= 0) {
    throw ConfigError(
        fmt::format("{} is {}, but {} (a LibTorch without CUDA, no GPU, or an empty "
                    "CUDA_VISIBLE_DEVICES); use {}: cpu or auto",
                    key, requested, visible_gpus_text(0), key));
  }
  if (const std::optional<int> index = cuda_index(requested)) {
    if (*index >= visible_gpus) {
      throw ConfigError(
          fmt::format("{} is {}, but {}; CUDA_VISIBLE_DEVICES renumbers the GPUs it lists from 0", key,
                      requested, visible_gpus_text(visible_gpus)));
    }
    return requested;
  }
  return "cuda:" + std::to_string(worker_index % visible_gpus);
}

}  // namespace popsweep::orchestrator
