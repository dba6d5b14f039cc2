// The feature set a job's "features" parameters name: which backbone, which
// weights, which preprocessing (input size, augmented views and their seed).
// Extraction writes under this key and training reads under it, so both
// must build it here, the one place.
#pragma once

#include <nlohmann/json.hpp>

#include "storage/feature_tables.h"

namespace popsweep::features {

storage::FeatureSetKey feature_set_key(const nlohmann::json& features);

}  // namespace popsweep::features
