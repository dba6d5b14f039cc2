// truth.json: what the generator planted, for tests and reports to check the
// pipeline against (families and their effects, duplicates, corrupt files,
// follower sampling, video formats). Its key names are an interface: other
// code reads them. It is written last; its presence means the profile is
// complete.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "worker/synth/synth_plan.h"

namespace popsweep::synth {

nlohmann::ordered_json truth_json(const ProfilePlan& plan);

// Replaces `root`/truth.json atomically.
void write_truth(const ProfilePlan& plan, const std::string& root);

}  // namespace popsweep::synth
