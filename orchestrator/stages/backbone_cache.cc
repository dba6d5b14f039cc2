#include "orchestrator/stages/backbone_cache.h"

namespace popsweep::orchestrator {

nets::FrozenBackbone& BackboneCache::get(const nets::BackboneSpec& spec) {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::string key = spec.name + "|" + spec.weights + "|" + std::to_string(spec.random_seed) + "|" + spec.device;
  auto found = backbones_.find(key);
  if (found == backbones_.end()) found = backbones_.emplace(key, nets::load_backbone(spec)).first;
  return *found->second;
}

nets::BackboneSpec backbone_spec_of(const nlohmann::json& features, const std::string& weights_path,
                                    const std::string& device) {
  static const std::string kRandomPrefix = "random:";
  nets::BackboneSpec spec;
  spec.name = features.at("backbone").get<std::string>();
  spec.device = device;
  const std::string identity = features.at("weights_hash").get<std::string>();
  if (identity.rfind(kRandomPrefix, 0) == 0) {
    spec.weights = "random";
    spec.random_seed = std::stoull(identity.substr(kRandomPrefix.size()));
  } else {
    spec.weights = weights_path;
  }
  return spec;
}

}  // namespace popsweep::orchestrator
