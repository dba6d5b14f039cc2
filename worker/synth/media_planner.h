// Decides what each media file holds before any is written: image sizes and
// JPEG qualities; video sizes, frame rates, lengths and rotations; which later
// media repost earlier ones and how they were altered (the near-duplicates of
// M7 and M8); which files are corrupt.
#pragma once

#include "worker/synth/synth_plan.h"
#include "worker/synth/synth_random.h"

namespace popsweep::synth {

// Needs plan.media laid out (plan_timeline); fills their formats, duplicate
// links and corruption. A duplicate takes its original's family and scene.
void plan_media_files(SynthRandom& random, ProfilePlan& plan);

// `count` indices into `weights`, each index as often as its weight asks
// (largest remainders; every weighted index at least once when count allows),
// in random order: small presets still get every band of the mix.
std::vector<size_t> stratified_choices(const std::vector<double>& weights, int count, SynthRandom& random);

}  // namespace popsweep::synth
