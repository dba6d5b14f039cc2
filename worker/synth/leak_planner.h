// The planted leaks of the `cross-type`, `carousel-leak` and `drift` presets
// and the planted near-misses of template posts (--template-posts),
// planned once the timeline and the media files are: images that copy a
// video's cover or first frame (dedup across media types), carousels whose
// pictures are shots of one scene (folds that split a post), and periods
// whose popular family changes and whose pictures carry a tint (folds that
// see the future). Each step draws no random number when its preset knob is off,
// so the other presets keep their bytes.
#pragma once

#include <vector>

#include "worker/synth/synth_plan.h"
#include "worker/synth/synth_random.h"

namespace popsweep::synth {

void plan_carousel_shots(SynthRandom& random, ProfilePlan& plan);
void plan_cross_type_copies(SynthRandom& random, ProfilePlan& plan);
void plan_drift_periods(ProfilePlan& plan);
// SynthPreset::template_posts pairs of plain single-image posts: the later
// one takes the earlier one's scene (family, seed, size) and both get a text
// panel of their own text.
void plan_template_posts(SynthRandom& random, ProfilePlan& plan);

// PopularitySignal::DriftingFamily: the period of a time (0 to
// drift_periods - 1), its first second, its tint, the two families posted in
// it (families[period] and families[period + 1]) and a family's effect in it:
// the new look is popular, last period's look no longer is.
int drift_period_at(const ProfilePlan& plan, UnixSeconds at);
UnixSeconds drift_period_start(const ProfilePlan& plan, int period);
double drift_tint_hue(const SynthPreset& preset, int period);
std::vector<int> drift_families_of(const SynthPreset& preset, int period);
double drifting_effect(const SynthPreset& preset, int family, int period);

}  // namespace popsweep::synth
