// The synthetic profile's followers (M2): a smooth growth curve, which is the
// truth PoR is computed with, and the samples an external tracker would have
// recorded from it: about weekly, starting months after the first post,
// stopping weeks before the last one, with some skipped weeks and a few
// outages of more than kLongGapDays.
#pragma once

#include <vector>

#include "common/time_format.h"
#include "worker/synth/synth_plan.h"
#include "worker/synth/synth_presets.h"
#include "worker/synth/synth_random.h"

namespace popsweep::synth {

// Exponential growth from the preset's start to its end count, with a gentle
// wobble (a whole number of cycles, so both ends stay exact) that never makes
// it shrink.
class TrueFollowerCurve {
 public:
  TrueFollowerCurve(const SynthPreset& preset, UnixSeconds start, UnixSeconds end, SynthRandom& random);
  double at(UnixSeconds t) const;

 private:
  UnixSeconds start_;
  UnixSeconds end_;
  double followers_start_;
  double followers_end_;
  int wobble_cycles_;
  double wobble_phase_;
};

// Samples at midnight UTC, in time order. Skipped weeks never come two in a
// row, so every interval longer than kLongGapDays is a planned outage.
std::vector<FollowerPoint> sample_tracker(const SynthPreset& preset, const TrueFollowerCurve& curve,
                                          UnixSeconds start, UnixSeconds end, SynthRandom& random);

constexpr int kLongGapDays = 20;

struct TrackerGap {
  UnixSeconds last_before = 0;
  UnixSeconds first_after = 0;
};

std::vector<TrackerGap> long_gaps(const std::vector<FollowerPoint>& samples);

}  // namespace popsweep::synth
