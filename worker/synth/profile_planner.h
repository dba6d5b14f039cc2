// The whole plan of a synthetic profile from a preset and a seed. Each step
// draws from its own random stream, so tuning one step leaves the others'
// draws, and the files they lead to, unchanged.
#pragma once

#include <cstdint>

#include "worker/synth/synth_plan.h"
#include "worker/synth/synth_presets.h"

namespace popsweep::synth {

// Throws ConfigError when the preset is inconsistent.
ProfilePlan plan_profile(const SynthPreset& preset, std::uint64_t seed);

}  // namespace popsweep::synth
