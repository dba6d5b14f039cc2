// Plants the popularity the later stages must recover: each post's Popularity
// Rate (M1) drifts down as followers grow, shifts with the visual families of
// its media and drops for posts with a video (M6); likes and comments follow
// from it, and impressions, known only for the last period, give an
// engagement rate that correlates with PoR as the paper found (M3).
#pragma once

#include "worker/synth/follower_model.h"
#include "worker/synth/synth_plan.h"
#include "worker/synth/synth_random.h"

namespace popsweep::synth {

// The UTC hour at which the planted hour-of-day effect peaks (SynthPreset::hour_effect).
inline constexpr double kHourEffectPeak = 19.5;
// The year of the planted time trend (SynthPreset::time_trend): 365.25 days.
inline constexpr double kSecondsPerYear = 365.25 * 86400;

// Needs plan.posts and plan.media (families) laid out; fills each post's
// followers, por, likes, comments and impressions.
void plan_engagement(const TrueFollowerCurve& curve, SynthRandom& random, ProfilePlan& plan);

}  // namespace popsweep::synth
