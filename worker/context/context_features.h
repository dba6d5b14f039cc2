// The context vector of each media item (issue 18): when and how its post was
// published and how the profile had been doing, computed only from what was
// known strictly before the post. docs/METHOD.md (context features) gives
// every feature's formula; tests/worker/context/context_reference_test.py
// recomputes all of them with pandas.
//
// The inputs are plain structs, so this file knows nothing of storage; the
// database side is context_inputs.h.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/time_format.h"

namespace popsweep::context {

struct ContextMedia {
  std::int64_t media_id = 0;
  int index = 0;  // carousel position, from 0
  bool is_video = false;
};

struct ContextPost {
  std::string key;
  UnixSeconds posted_at = 0;
  std::int64_t likes = 0;
  std::int64_t comments = 0;
  std::string caption;
  std::vector<ContextMedia> media;  // every item as published, excluded ones too
};

struct ContextFollowerSample {
  UnixSeconds at = 0;
  std::int64_t followers = 0;
};

struct ContextSettings {
  std::string time_zone = "UTC";
  std::string time_zone_key = "context.time_zone";  // named in the error for an unknown zone
  int history_posts = 10;                           // N of the popularity history
};

// The features, in the order of every vector. Missing values (no earlier
// post, no earlier follower sample, a history too short) are NaN.
const std::vector<std::string>& context_feature_names();

struct ContextRow {
  std::int64_t media_id = 0;
  std::string post_key;
  int media_index = 0;
  bool is_video = false;
  std::vector<double> values;  // one per context_feature_names()
};

// One row per media item of `posts`, ordered by post time, post key, then
// media index. `posts` and `followers` may come in any order.
std::vector<ContextRow> compute_context(const std::vector<ContextPost>& posts,
                                        const std::vector<ContextFollowerSample>& followers,
                                        const ContextSettings& settings);

}  // namespace popsweep::context
