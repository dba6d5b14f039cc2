// Lays the posts out in time and the media out in the posts: which post is an
// image, a video or a carousel, how many media each carousel holds and where
// its videos sit, and every media's visual family and scene seed.
#pragma once

#include <cstdint>

#include "worker/synth/synth_plan.h"
#include "worker/synth/synth_random.h"

namespace popsweep::synth {

// Fills plan.start, plan.end, plan.posts (ids, times, kinds, media lists) and
// plan.media (paths, positions, types, families, scene seeds).
void plan_timeline(SynthRandom& random, ProfilePlan& plan);

}  // namespace popsweep::synth
