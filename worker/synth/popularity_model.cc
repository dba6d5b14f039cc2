#include "worker/synth/popularity_model.h"

#include <algorithm>
#include <cmath>

#include "worker/synth/leak_planner.h"
#include "worker/synth/visual_families.h"

namespace popsweep::synth {
namespace {

constexpr double kPi = 3.14159265358979323846;

// Impressions are about this share of the followers on a typical post.
constexpr double kTypicalReach = 0.5;

// What a media's look adds to log PoR under the preset's signal.
double visual_effect(const ProfilePlan& plan, const PlannedMedia& media) {
  switch (plan.preset.signal) {
    case PopularitySignal::VisualFamily: return visual_families()[media.family].effect;
    case PopularitySignal::PostOnly: return 0;
    case PopularitySignal::DriftingFamily: return drifting_effect(plan.preset, media.family, media.period);
  }
  return 0;
}

// What the posting hour adds to log PoR (issue 18's planted context signal).
double hour_of_day_effect(const SynthPreset& preset, UnixSeconds posted_at) {
  if (preset.hour_effect == 0) return 0;
  const double hour = static_cast<double>(posted_at % kSecondsPerDay) / 3600.0;
  return preset.hour_effect * std::cos(2 * kPi * (hour - kHourEffectPeak) / 24.0);
}

// What the post's date adds to log PoR (a pure time trend, issue 18).
double time_trend_effect(const ProfilePlan& plan, UnixSeconds posted_at) {
  if (plan.preset.time_trend == 0) return 0;
  return plan.preset.time_trend * static_cast<double>(posted_at - plan.start) / kSecondsPerYear;
}

double mean_family_effect(const ProfilePlan& plan, const PlannedPost& post) {
  double sum = 0;
  for (int index : post.media) sum += visual_effect(plan, plan.media[index]);
  return sum / static_cast<double>(post.media.size());
}

void plan_likes_and_comments(const TrueFollowerCurve& curve, SynthRandom& random, ProfilePlan& plan) {
  const SynthPreset& preset = plan.preset;
  for (PlannedPost& post : plan.posts) {
    post.followers = curve.at(post.posted_at);
    const double log_por =
        std::log(preset.por_start) +
        preset.por_follower_elasticity * std::log(post.followers / preset.followers_start) +
        mean_family_effect(plan, post) + hour_of_day_effect(preset, post.posted_at) +
        time_trend_effect(plan, post.posted_at) +
        (has_video(plan, post) ? std::log(preset.video_por_factor) : 0.0) +
        random.normal(0, preset.noise_sigma);
    const double engagement = std::exp(log_por) * post.followers;
    post.comments = std::llround(engagement * random.uniform(0.01, 0.05));
    post.likes = std::max<std::int64_t>(0, std::llround(engagement) - post.comments);
    post.por = static_cast<double>(post.likes + post.comments) / post.followers;
  }
}

// Noise with zero mean, uncorrelated with `values` in this very sample and of
// the standard deviation that makes Pearson(values + noise, values) equal
// `correlation`: the planted M3 correlation holds exactly, not only on average.
std::vector<double> noise_with_exact_correlation(const std::vector<double>& values, double correlation,
                                                 SynthRandom& random) {
  const size_t n = values.size();
  std::vector<double> noise(n);
  for (double& value : noise) value = random.normal();
  double value_mean = 0, noise_mean = 0;
  for (size_t i = 0; i < n; ++i) {
    value_mean += values[i] / static_cast<double>(n);
    noise_mean += noise[i] / static_cast<double>(n);
  }
  double value_square = 0, cross = 0;
  for (size_t i = 0; i < n; ++i) {
    noise[i] -= noise_mean;
    value_square += (values[i] - value_mean) * (values[i] - value_mean);
    cross += (values[i] - value_mean) * noise[i];
  }
  if (value_square <= 0) return std::vector<double>(n, 0.0);
  double noise_square = 0;
  for (size_t i = 0; i < n; ++i) {
    noise[i] -= cross / value_square * (values[i] - value_mean);
    noise_square += noise[i] * noise[i];
  }
  if (noise_square <= 0) return std::vector<double>(n, 0.0);
  const double wanted_square = value_square * (1 / (correlation * correlation) - 1);
  for (double& value : noise) value *= std::sqrt(wanted_square / noise_square);
  return noise;
}

void plan_impressions(SynthRandom& random, ProfilePlan& plan) {
  const SynthPreset& preset = plan.preset;
  const UnixSeconds first_known = plan.end - preset.impressions_days * kSecondsPerDay;
  std::vector<PlannedPost*> known;
  std::vector<double> popularity;
  for (PlannedPost& post : plan.posts) {
    if (post.posted_at < first_known) continue;
    known.push_back(&post);
    popularity.push_back(post.por);
  }
  const std::vector<double> noise =
      noise_with_exact_correlation(popularity, preset.engagement_correlation, random);
  for (size_t i = 0; i < known.size(); ++i) {
    // engagement / impressions = (PoR + noise) / reach; a rare far draw is
    // held at a quarter of the post's PoR so impressions stay finite.
    const double rate = std::max(popularity[i] + noise[i], 0.25 * popularity[i]) / kTypicalReach;
    const auto engagement = static_cast<double>(known[i]->likes + known[i]->comments);
    known[i]->impressions = std::max<std::int64_t>(1, std::llround(engagement / rate));
  }
}

}  // namespace

void plan_engagement(const TrueFollowerCurve& curve, SynthRandom& random, ProfilePlan& plan) {
  plan_likes_and_comments(curve, random, plan);
  plan_impressions(random, plan);
}

}  // namespace popsweep::synth
