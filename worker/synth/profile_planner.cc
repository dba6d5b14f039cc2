#include "worker/synth/profile_planner.h"

#include "worker/synth/follower_model.h"
#include "worker/synth/leak_planner.h"
#include "worker/synth/media_planner.h"
#include "worker/synth/popularity_model.h"
#include "worker/synth/synth_random.h"
#include "worker/synth/timeline_planner.h"

namespace popsweep::synth {
namespace {

// derive_seed streams of the planning steps.
constexpr std::uint64_t kTimelineStream = 11;
constexpr std::uint64_t kMediaFilesStream = 12;
constexpr std::uint64_t kFollowersStream = 13;
constexpr std::uint64_t kEngagementStream = 14;
constexpr std::uint64_t kCarouselShotStream = 15;
constexpr std::uint64_t kCrossTypeStream = 16;
constexpr std::uint64_t kTemplateStream = 17;

}  // namespace

ProfilePlan plan_profile(const SynthPreset& preset, std::uint64_t seed) {
  validate_preset(preset);
  ProfilePlan plan;
  plan.preset = preset;
  plan.seed = seed;
  SynthRandom timeline_random(derive_seed(seed, kTimelineStream, 0));
  plan_timeline(timeline_random, plan);
  SynthRandom media_random(derive_seed(seed, kMediaFilesStream, 0));
  plan_media_files(media_random, plan);
  plan_drift_periods(plan);
  SynthRandom shot_random(derive_seed(seed, kCarouselShotStream, 0));
  plan_carousel_shots(shot_random, plan);
  SynthRandom cross_type_random(derive_seed(seed, kCrossTypeStream, 0));
  plan_cross_type_copies(cross_type_random, plan);
  SynthRandom template_random(derive_seed(seed, kTemplateStream, 0));
  plan_template_posts(template_random, plan);
  SynthRandom follower_random(derive_seed(seed, kFollowersStream, 0));
  const TrueFollowerCurve curve(preset, plan.start, plan.end, follower_random);
  plan.follower_samples = sample_tracker(preset, curve, plan.start, plan.end, follower_random);
  SynthRandom engagement_random(derive_seed(seed, kEngagementStream, 0));
  plan_engagement(curve, engagement_random, plan);
  return plan;
}

}  // namespace popsweep::synth
