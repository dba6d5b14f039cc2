#include "worker/synth/follower_model.h"

#include <cmath>

namespace popsweep::synth {
namespace {

constexpr double kTwoPi = 6.283185307179586;
// The growth rate, 1 + amplitude * 2 pi * cycles * cos(.), stays above 0.4
// for up to 4 cycles: followers never drop.
constexpr double kWobbleAmplitude = 0.02;
constexpr int kMaxWobbleCycles = 4;

UnixSeconds midnight_of(UnixSeconds t) { return t - ((t % kSecondsPerDay) + kSecondsPerDay) % kSecondsPerDay; }

struct Outage {
  UnixSeconds from = 0;
  UnixSeconds to = 0;
};

// One outage per equal slice of the tracked period, so that they never merge
// and never touch its ends.
std::vector<Outage> plan_outages(const SynthPreset& preset, UnixSeconds first, UnixSeconds last,
                                 SynthRandom& random) {
  std::vector<Outage> outages;
  if (preset.long_gaps <= 0) return outages;
  const UnixSeconds slice = (last - first) / preset.long_gaps;
  for (int i = 0; i < preset.long_gaps; ++i) {
    const UnixSeconds length = random.integer(preset.long_gap_min_days, preset.long_gap_max_days) * kSecondsPerDay;
    const UnixSeconds room = slice - length - 2 * kSecondsPerWeek;
    const auto offset = room > 0 ? static_cast<UnixSeconds>(random.uniform(0, static_cast<double>(room))) : 0;
    const UnixSeconds from = midnight_of(first + i * slice + kSecondsPerWeek + offset);
    outages.push_back({from, from + length});
  }
  return outages;
}

bool in_any(const std::vector<Outage>& outages, UnixSeconds day) {
  for (const Outage& outage : outages) {
    if (day >= outage.from && day < outage.to) return true;
  }
  return false;
}

}  // namespace

TrueFollowerCurve::TrueFollowerCurve(const SynthPreset& preset, UnixSeconds start, UnixSeconds end,
                                     SynthRandom& random)
    : start_(start),
      end_(end),
      followers_start_(preset.followers_start),
      followers_end_(preset.followers_end),
      wobble_cycles_(random.integer(1, kMaxWobbleCycles)),
      wobble_phase_(random.uniform(0, kTwoPi)) {}

double TrueFollowerCurve::at(UnixSeconds t) const {
  const double progress = static_cast<double>(t - start_) / static_cast<double>(end_ - start_);
  const double shaped = progress +
                        kWobbleAmplitude * (std::sin(kTwoPi * wobble_cycles_ * progress + wobble_phase_) -
                                            std::sin(wobble_phase_));
  return followers_start_ * std::pow(followers_end_ / followers_start_, shaped);
}

std::vector<FollowerPoint> sample_tracker(const SynthPreset& preset, const TrueFollowerCurve& curve,
                                          UnixSeconds start, UnixSeconds end, SynthRandom& random) {
  const UnixSeconds first = midnight_of(start + preset.untracked_head_days * kSecondsPerDay);
  const UnixSeconds last = midnight_of(end - preset.untracked_tail_days * kSecondsPerDay);
  const std::vector<Outage> outages = plan_outages(preset, first, last, random);
  std::vector<FollowerPoint> samples;
  bool skipped_last_week = false;
  for (UnixSeconds day = first; day <= last;) {
    const bool in_outage = in_any(outages, day);
    const bool skip =
        !in_outage && !skipped_last_week && day != first && random.chance(preset.skipped_week_probability);
    if (!in_outage && !skip) samples.push_back({day, static_cast<std::int64_t>(std::llround(curve.at(day)))});
    skipped_last_week = skip;
    day += kSecondsPerWeek + random.integer(-1, 1) * kSecondsPerDay;
  }
  return samples;
}

std::vector<TrackerGap> long_gaps(const std::vector<FollowerPoint>& samples) {
  std::vector<TrackerGap> gaps;
  for (size_t i = 1; i < samples.size(); ++i) {
    if (samples[i].at - samples[i - 1].at > kLongGapDays * kSecondsPerDay) {
      gaps.push_back({samples[i - 1].at, samples[i].at});
    }
  }
  return gaps;
}

}  // namespace popsweep::synth
