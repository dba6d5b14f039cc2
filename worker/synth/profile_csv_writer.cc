#include "worker/synth/profile_csv_writer.h"

#include <sstream>

#include "common/csv.h"
#include "common/file_util.h"

namespace popsweep::synth {

std::string posts_csv(const ProfilePlan& plan) {
  std::ostringstream out;
  write_csv_row(out, {"post_id", "timestamp", "likes", "comments", "impressions", "kind", "media"});
  for (const PlannedPost& post : plan.posts) {
    std::string media;
    for (int index : post.media) media += (media.empty() ? "" : ";") + plan.media[index].path;
    write_csv_row(out, {post.id, format_iso8601(post.posted_at), std::to_string(post.likes),
                        std::to_string(post.comments), post.impressions ? std::to_string(*post.impressions) : "",
                        to_string(post.kind), media});
  }
  return out.str();
}

std::string followers_csv(const ProfilePlan& plan) {
  std::ostringstream out;
  write_csv_row(out, {"date", "followers"});
  for (const FollowerPoint& sample : plan.follower_samples) {
    write_csv_row(out, {format_iso8601(sample.at).substr(0, 10), std::to_string(sample.followers)});
  }
  return out.str();
}

void write_profile_csvs(const ProfilePlan& plan, const std::string& root) {
  write_file_atomically(join_path(root, "posts.csv"), posts_csv(plan));
  write_file_atomically(join_path(root, "followers.csv"), followers_csv(plan));
}

}  // namespace popsweep::synth
