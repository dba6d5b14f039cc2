// Labels per label configuration (classes, window, mode): one row per media.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace popsweep::storage {

class Database;

struct LabelConfigRow {
  std::int64_t id = 0;
  int classes = 2;
  double window_weeks = 8;  // 0 for the global mode
  std::string mode;
};

struct LabelRow {
  std::int64_t media_id = 0;
  double followers = 0;
  bool extrapolated = false;
  double por = 0;
  int popularity_class = 0;
};

// Replaces the labels of one configuration in a single transaction; returns
// the configuration's id.
std::int64_t save_labels(Database& db, const LabelConfigRow& config, const std::vector<LabelRow>& labels);

std::optional<LabelConfigRow> find_label_config(Database& db, int classes, double window_weeks,
                                                const std::string& mode);
std::vector<LabelRow> load_labels(Database& db, std::int64_t label_config_id);

}  // namespace popsweep::storage
