#include "worker/features/feature_set_key.h"

#include <fmt/format.h>

namespace popsweep::features {

storage::FeatureSetKey feature_set_key(const nlohmann::json& features) {
  storage::FeatureSetKey key;
  key.backbone = features.at("backbone").get<std::string>();
  key.weights_hash = features.at("weights_hash").get<std::string>();
  // The backbone's own normalisation is implied by its name and weights.
  key.preprocessing = fmt::format("rgb{0}x{0};pil-bilinear;views={1};view-seed={2}",
                                  features.at("image_size").get<int>(), features.at("views").get<int>(),
                                  features.at("view_seed").get<std::int64_t>());
  if (features.value("jpeg_dct_scaling", false)) key.preprocessing += ";jpeg-dct-scaled";
  key.dim = 1280;
  return key;
}

}  // namespace popsweep::features
