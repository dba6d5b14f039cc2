// Writes the plan's posts.csv and followers.csv in the popsweep layout
// (docs/INPUT.md).
#pragma once

#include <string>

#include "worker/synth/synth_plan.h"

namespace popsweep::synth {

std::string posts_csv(const ProfilePlan& plan);
std::string followers_csv(const ProfilePlan& plan);

// Both files under `root`, each replaced atomically.
void write_profile_csvs(const ProfilePlan& plan, const std::string& root);

}  // namespace popsweep::synth
