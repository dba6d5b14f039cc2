// M1, M2, M4, M5: the popularity rate of every media item and its class.
// Labelling reads the stored profile and writes one label configuration;
// images and videos are classed separately (M5), every media item of a post
// carrying its post's PoR.
#pragma once

#include <string>
#include <vector>

#include "storage/profile_tables.h"
#include "worker/data/follower_curve.h"
#include "worker/data/popularity_classes.h"

namespace popsweep::storage {
class Database;
}

namespace popsweep::data {

struct LabelSettings {
  ClassSettings classes;
  int follower_fit_points = 8;  // M2: samples in the log-linear extrapolation
};

struct LabeledMedia {
  storage::MediaOfPost media;
  FollowerEstimate followers;
  double por = 0;
  int popularity_class = 0;
};

// Pure computation over already-loaded media; items keep their input order.
std::vector<LabeledMedia> compute_labels(const std::vector<storage::MediaOfPost>& media,
                                         const FollowerCurve& followers, const ClassSettings& settings);

struct LabelRun {
  std::int64_t label_config_id = 0;
  std::vector<LabeledMedia> items;
};

// Loads the profile, computes the labels and stores them in one transaction.
LabelRun label_profile(storage::Database& db, const LabelSettings& settings);

// CSV columns: media_id,post_id,media_index,media_type,timestamp,likes,
// comments,followers,extrapolated,por,class with media_id = post_id/index.
void write_labels_csv(const std::string& path, const std::vector<LabeledMedia>& items);

}  // namespace popsweep::data
