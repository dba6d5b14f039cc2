#include "worker/synth/truth_writer.h"

#include "common/file_util.h"
#include "worker/synth/leak_planner.h"
#include "worker/synth/popularity_model.h"
#include "worker/synth/visual_families.h"

namespace popsweep::synth {
namespace {

using Json = nlohmann::ordered_json;

std::string date_of(UnixSeconds at) { return format_iso8601(at).substr(0, 10); }

Json media_entry(const ProfilePlan& plan, const PlannedMedia& media) {
  Json entry;
  entry["path"] = media.path;
  entry["post_id"] = plan.posts[media.post].id;
  entry["media_index"] = media.media_index;
  entry["type"] = media.is_video ? "video" : "image";
  entry["family"] = media.family;
  entry["duplicate_of"] = media.duplicate_of < 0 ? Json(nullptr) : Json(plan.media[media.duplicate_of].path);
  entry["corrupt"] = media.corruption != CorruptionKind::None;
  if (media.period >= 0) entry["period"] = media.period;
  if (media.image.grain_seed != 0) entry["shot_shift"] = {media.image.shift_x, media.image.shift_y};
  if (media.copies_video >= 0) {
    entry["copies_video"] = {{"video", plan.media[media.copies_video].path}, {"kind", to_string(media.copy)}};
  }
  if (media.is_video) {
    entry["thumbnail"] = media.thumbnail_path.empty() ? Json(nullptr) : Json(media.thumbnail_path);
    entry["width"] = media.video.width;  // as coded
    entry["height"] = media.video.height;
    entry["frame_rate"] = media.video.fps;
    entry["frames"] = media.video.frames;
    entry["duration_seconds"] = media.video.duration_seconds();
    entry["rotation_clockwise"] = media.video.rotation_clockwise;
  }
  return entry;
}

// A family's fixed effect on log PoR; none (0) when the preset's popularity
// does not come from the family alone (popularity_signal says where).
Json families_json(const SynthPreset& preset) {
  Json families = Json::array();
  for (const VisualFamily& family : visual_families()) {
    const double effect = preset.signal == PopularitySignal::VisualFamily ? family.effect : 0.0;
    families.push_back({{"id", family.id}, {"name", family.name}, {"effect", effect}});
  }
  return families;
}

Json drift_periods_json(const ProfilePlan& plan) {
  Json periods = Json::array();
  for (int period = 0; period < plan.preset.drift_periods; ++period) {
    Json effects = Json::object();
    for (int family : drift_families_of(plan.preset, period)) {
      effects[std::to_string(family)] = drifting_effect(plan.preset, family, period);
    }
    periods.push_back({{"period", period},
                       {"start", format_iso8601(drift_period_start(plan, period))},
                       {"end", format_iso8601(drift_period_start(plan, period + 1))},
                       {"tint_hue", drift_tint_hue(plan.preset, period)},
                       {"effects", effects}});
  }
  return periods;
}

// Where popularity comes from, for the presets that plant a leak.
Json popularity_signal_json(const ProfilePlan& plan) {
  const SynthPreset& preset = plan.preset;
  if (preset.signal == PopularitySignal::PostOnly) {
    return {{"kind", "post-only"},
            {"noise_sigma", preset.noise_sigma},
            {"carousel_shot_shift", preset.carousel_shot_shift}};
  }
  return {{"kind", "drifting-family"},
          {"families", preset.families},
          {"drift_effect", preset.drift_effect},
          {"tint_strength", preset.period_tint_strength},
          {"periods", drift_periods_json(plan)}};
}

// M9 between an image and the video it copies: a single post wins over a
// carousel, then the more recent post.
Json cross_type_entry(const ProfilePlan& plan, const PlannedMedia& image) {
  const PlannedMedia& video = plan.media[image.copies_video];
  const PlannedPost& image_post = plan.posts[image.post];
  const PlannedPost& video_post = plan.posts[video.post];
  const bool image_in_carousel = image_post.kind == PlannedPostKind::Carousel;
  const bool video_in_carousel = video_post.kind == PlannedPostKind::Carousel;
  const bool image_stays = image_in_carousel != video_in_carousel ? !image_in_carousel
                                                                  : image_post.posted_at > video_post.posted_at;
  return {{"image", image.path},
          {"video", video.path},
          {"kind", to_string(image.copy)},
          {"kept", image_stays ? image.path : video.path},
          {"removed", image_stays ? video.path : image.path}};
}

Json followers_json(const ProfilePlan& plan) {
  Json followers;
  if (!plan.follower_samples.empty()) {
    followers["first_sample"] = date_of(plan.follower_samples.front().at);
    followers["last_sample"] = date_of(plan.follower_samples.back().at);
  }
  followers["samples"] = plan.follower_samples.size();
  followers["untracked_head_days"] = plan.preset.untracked_head_days;
  followers["untracked_tail_days"] = plan.preset.untracked_tail_days;
  followers["start_count"] = plan.preset.followers_start;
  followers["end_count"] = plan.preset.followers_end;
  return followers;
}

Json posts_json(const ProfilePlan& plan) {
  Json posts = Json::array();
  for (const PlannedPost& post : plan.posts) {
    posts.push_back({{"post_id", post.id},
                     {"followers", post.followers},
                     {"por", post.por},
                     {"has_video", has_video(plan, post)}});
    if (plan.preset.signal == PopularitySignal::DriftingFamily) {
      posts.back()["period"] = drift_period_at(plan, post.posted_at);
    }
  }
  return posts;
}

}  // namespace

Json truth_json(const ProfilePlan& plan) {
  Json truth;
  int images = 0, videos = 0;
  for (const PlannedMedia& media : plan.media) (media.is_video ? videos : images)++;
  truth["preset"] = plan.preset.name;
  truth["seed"] = plan.seed;
  truth["posts"] = plan.posts.size();
  truth["images"] = images;
  truth["videos"] = videos;
  truth["start"] = format_iso8601(plan.start);
  truth["end"] = format_iso8601(plan.end);
  truth["families"] = families_json(plan.preset);
  Json media = Json::array(), duplicates = Json::array(), corrupt = Json::array();
  for (const PlannedMedia& item : plan.media) {
    media.push_back(media_entry(plan, item));
    if (item.duplicate_of >= 0) {
      duplicates.push_back({{"original", plan.media[item.duplicate_of].path},
                            {"duplicate", item.path},
                            {"type", item.is_video ? "video" : "image"},
                            {"transform", to_string(item.transform)}});
    }
    if (item.corruption != CorruptionKind::None) {
      corrupt.push_back({{"path", item.path}, {"kind", to_string(item.corruption)}});
    }
  }
  truth["media"] = media;
  truth["duplicates"] = duplicates;
  if (plan.preset.thumbnail_copies + plan.preset.first_frame_copies > 0) {
    Json cross_type = Json::array();
    for (const PlannedMedia& item : plan.media) {
      if (item.copies_video >= 0) cross_type.push_back(cross_type_entry(plan, item));
    }
    truth["cross_type_duplicates"] = cross_type;
  }
  if (plan.preset.signal != PopularitySignal::VisualFamily) truth["popularity_signal"] = popularity_signal_json(plan);
  if (plan.preset.template_posts > 0) {
    // Distinct posts on one template: not duplicates, whatever their distance.
    Json siblings = Json::array();
    for (const PlannedMedia& item : plan.media) {
      if (item.template_of >= 0)
        siblings.push_back({{"first", plan.media[item.template_of].path}, {"second", item.path}});
    }
    truth["template_siblings"] = siblings;
  }
  truth["corrupt"] = corrupt;
  truth["media_effect"] = {{"video_por_factor", plan.preset.video_por_factor}};
  // Only when planted, so the truth of every earlier profile stays byte-identical.
  if (plan.preset.hour_effect != 0) {
    const Json hour_of_day = {
        {"amplitude", plan.preset.hour_effect},
        {"peak_hour_utc", kHourEffectPeak},
        {"formula",
         "log PoR += amplitude * cos(2 pi (h - peak_hour_utc) / 24), h the post's UTC hour"}};
    truth["context_signal"] = {{"hour_of_day", hour_of_day}};
  }
  if (plan.preset.time_trend != 0) {
    truth["context_signal"]["time_trend"] = {
        {"log_por_per_year", plan.preset.time_trend},
        {"start", format_iso8601(plan.start)},
        {"formula", "log PoR += log_por_per_year * (t - start) / 365.25 days"}};
  }
  truth["followers"] = followers_json(plan);
  truth["impressions"] = {{"days", plan.preset.impressions_days},
                          {"engagement_correlation", plan.preset.engagement_correlation}};
  truth["post_truth"] = posts_json(plan);
  return truth;
}

void write_truth(const ProfilePlan& plan, const std::string& root) {
  write_file_atomically(join_path(root, "truth.json"), truth_json(plan).dump(1) + "\n");
}

}  // namespace popsweep::synth
