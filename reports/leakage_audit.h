// The leakage audit of a sweep's results (issue 17): for each group of jobs
// (sweep point, experiment, classes), how many validation predictions had,
// in the training set of their own job,
//   - an item of the same post (a carousel sibling: the `media` split allows
//     it, `post` and `time` must not);
//   - an item that the dedup stage's own rule matches as its duplicate
//     (through `DuplicateRule`, so a change to the rule applies here too;
//     same-template pictures the rule does not match are not counted); when
//     the sweep ran dedup with pixel verification (dedup.verify), the pairs
//     verification accepted, as the dedup stage stored them, so a
//     same-template pair it rejected is no leak;
// and, under `time`, the latest training timestamp against the earliest
// validated one. Each job is audited on the media ids it recorded having
// trained on; jobs from before those were kept are said to be unrecorded,
// not guessed at.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "reports/sweep_results.h"
#include "reports/text_table.h"

namespace popsweep::storage {
class Database;
}

namespace popsweep::reports {

// The pairs of media ids that dedup's rule matches over one feature set.
struct DuplicateMatches {
  std::optional<double> threshold;  // nullopt: the rule found no threshold, so no pairs
  bool suggested = false;           // the threshold was suggested by the rule, not given
  std::vector<std::pair<std::int64_t, std::int64_t>> pairs;
};

// `threshold` nullopt: the threshold the rule itself suggests.
using DuplicateRule = std::function<DuplicateMatches(std::int64_t feature_set_id, std::optional<double> threshold)>;

struct MediaFact {
  std::string post;  // post key
  std::int64_t posted_at = 0;
};

// One job's audit; every count is over its validation predictions.
struct JobLeakage {
  int validations = 0;
  int sharing_post = 0;
  int duplicates = 0;
  std::optional<std::int64_t> latest_training;  // nullopt: no training item known
  std::optional<std::int64_t> earliest_validation;
};

// `neighbours`: each media id's duplicates under dedup's rule (nullptr:
// not audited). Training and validation items are media ids.
JobLeakage audit_job(const std::vector<std::int64_t>& training, const std::vector<std::int64_t>& validation,
                     const std::map<std::int64_t, MediaFact>& media,
                     const std::map<std::int64_t, std::vector<std::int64_t>>* neighbours);

struct GroupLeakage {
  std::string point;
  std::string experiment;
  int classes = 0;
  std::string split = "media";
  int jobs = 0;
  int unrecorded_jobs = 0;  // finished before training items were kept
  int validations = 0;      // over the recorded jobs
  int sharing_post = 0;
  std::optional<int> duplicates;         // nullopt: dedup's rule could not be applied (see duplicate_rule)
  std::string duplicate_rule;            // the threshold used and where it came from, or why none
  bool duplicate_rule_verified = false;  // the pairs are those pixel verification accepted
  // `time` only: the job with the smallest margin between its latest
  // training item and its earliest validated one.
  std::optional<std::int64_t> latest_training;
  std::optional<std::int64_t> earliest_validation;
  double required_gap_weeks = 0;

  bool recorded() const { return jobs > unrecorded_jobs; }
  bool time_order_broken() const;
  bool leaks() const;
};

struct LeakageAudit {
  std::vector<GroupLeakage> groups;  // in the order of SweepResults::groups
};

LeakageAudit audit_leakage(storage::Database& db, const SweepResults& results, const DuplicateRule& rule);

// One row per group; a point whose groups all read the same is one row.
TextTable leakage_table(const LeakageAudit& audit);
// One line per leak, for report.md, report.html and the terminal; empty when clean.
std::vector<std::string> leakage_warnings(const LeakageAudit& audit);
// For results.json: one object per group, counts as numbers (null: not audited).
nlohmann::json leakage_json(const LeakageAudit& audit);

}  // namespace popsweep::reports
