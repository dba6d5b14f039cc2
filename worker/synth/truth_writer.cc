#include "worker/synth/truth_writer.h"

#include "common/file_util.h"
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
  if (media.is_video) {
    entry["thumbnail"] = media.thumbnail_path;
    entry["width"] = media.video.width;  // as coded
    entry["height"] = media.video.height;
    entry["frame_rate"] = media.video.fps;
    entry["frames"] = media.video.frames;
    entry["duration_seconds"] = media.video.duration_seconds();
    entry["rotation_clockwise"] = media.video.rotation_clockwise;
  }
  return entry;
}

Json families_json() {
  Json families = Json::array();
  for (const VisualFamily& family : visual_families()) {
    families.push_back({{"id", family.id}, {"name", family.name}, {"effect", family.effect}});
  }
  return families;
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
  truth["families"] = families_json();
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
  truth["corrupt"] = corrupt;
  truth["media_effect"] = {{"video_por_factor", plan.preset.video_por_factor}};
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
