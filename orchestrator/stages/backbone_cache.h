// The backbones a worker has loaded, kept for its lifetime and shared by the
// jobs that need one (extraction, and training in `pixels` mode), so a
// worker reads a weight file once however many jobs it runs.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "worker/nets/backbone.h"

namespace popsweep::orchestrator {

class BackboneCache {
 public:
  nets::FrozenBackbone& get(const nets::BackboneSpec& spec);

 private:
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<nets::FrozenBackbone>> backbones_;
};

// The backbone a job's "features" parameters name: random weights come back
// from their identity ("random:<seed>"), a file from `weights_path`.
nets::BackboneSpec backbone_spec_of(const nlohmann::json& features, const std::string& weights_path,
                                    const std::string& device);

}  // namespace popsweep::orchestrator
