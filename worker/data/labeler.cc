#include "worker/data/labeler.h"

#include <fmt/format.h>

#include <fstream>

#include "common/error.h"
#include "common/csv.h"
#include "storage/database.h"
#include "storage/label_tables.h"

namespace popsweep::data {

std::vector<LabeledMedia> compute_labels(const std::vector<storage::MediaOfPost>& media,
                                         const FollowerCurve& followers, const ClassSettings& settings) {
  std::vector<LabeledMedia> items;
  items.reserve(media.size());
  for (const storage::MediaOfPost& item : media) {
    LabeledMedia labeled;
    labeled.media = item;
    labeled.followers = followers.at(item.posted_at);
    labeled.por = static_cast<double>(item.likes + item.comments) / labeled.followers.followers;
    items.push_back(std::move(labeled));
  }
  // M5: images and videos get their own windows, so both are class-balanced.
  for (const char* type : {"image", "video"}) {
    std::vector<size_t> members;
    std::vector<UnixSeconds> times;
    std::vector<double> por;
    for (size_t i = 0; i < items.size(); ++i) {
      if (items[i].media.media_type != type) continue;
      members.push_back(i);
      times.push_back(items[i].media.posted_at);
      por.push_back(items[i].por);
    }
    const std::vector<int> classes = assign_classes(times, por, settings);
    for (size_t j = 0; j < members.size(); ++j) items[members[j]].popularity_class = classes[j];
  }
  return items;
}

LabelRun label_profile(storage::Database& db, const LabelSettings& settings) {
  const storage::ProfileRow profile = storage::require_profile(db);
  std::vector<FollowerSample> samples;
  for (const storage::FollowerRow& row : storage::load_followers(db, profile.id)) {
    samples.push_back({row.sampled_at, row.followers});
  }
  if (samples.empty()) throw Error(db.path() + ": profile '" + profile.name + "' has no follower samples");
  const FollowerCurve curve(std::move(samples), settings.follower_fit_points);

  LabelRun run;
  run.items = compute_labels(storage::load_media_of_posts(db), curve, settings.classes);
  storage::LabelConfigRow config;
  config.classes = settings.classes.classes;
  config.window_weeks = settings.classes.mode == WindowMode::Global ? 0.0 : settings.classes.window_weeks;
  config.mode = to_string(settings.classes.mode);
  std::vector<storage::LabelRow> rows;
  rows.reserve(run.items.size());
  for (const LabeledMedia& item : run.items) {
    rows.push_back({item.media.media_id, item.followers.followers, item.followers.extrapolated, item.por,
                    item.popularity_class});
  }
  run.label_config_id = storage::save_labels(db, config, rows);
  return run;
}

void write_labels_csv(const std::string& path, const std::vector<LabeledMedia>& items) {
  std::ofstream out(path);
  if (!out) throw Error("cannot write " + path);
  write_csv_row(out, {"media_id", "post_id", "media_index", "media_type", "timestamp", "likes", "comments",
                      "followers", "extrapolated", "por", "class"});
  for (const LabeledMedia& item : items) {
    const storage::MediaOfPost& m = item.media;
    // 17 significant digits: a double survives the round trip through text.
    write_csv_row(out, {m.post_key + "/" + std::to_string(m.media_index), m.post_key,
                        std::to_string(m.media_index), m.media_type, format_iso8601(m.posted_at),
                        std::to_string(m.likes), std::to_string(m.comments),
                        fmt::format("{:.17g}", item.followers.followers), item.followers.extrapolated ? "1" : "0",
                        fmt::format("{:.17g}", item.por), std::to_string(item.popularity_class)});
  }
  if (!out) throw Error("write failed for " + path);
}

}  // namespace popsweep::data
