// The tables of a study (profile.paths, issue 19): for each sweep point (its
// values other than the profile), experiment and number of classes, a row per
// profile and a row `pooled` (mean, sample std, min and max across profiles
// of the profiles' best-epoch accuracies); then the experiments compared pair
// by pair across profiles, and the profiles that could not be prepared.
//
// Across profiles the comparison is the ordinary paired t-test over profiles
// (corrected_resampled_t_test with test fraction 0): each profile is its own
// data set, so the per-profile differences are independent and share no
// training items, which is exactly what the Nadeau-Bengio correction exists
// for within one profile. Its question is the users' one: does the difference
// hold across accounts, not only across the folds of one account.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "reports/sweep_results.h"
#include "reports/text_table.h"
#include "storage/profile_tables.h"

namespace popsweep::reports {

struct StudyCell {
  std::string profile;
  double accuracy = 0;  // best-epoch accuracy, mean over repeats
  double accuracy_std = 0;
  std::optional<double> majority_baseline;
};

struct StudyRow {
  std::string point;  // the point's values without the profile, as JSON
  std::string experiment;
  int classes = 0;
  std::vector<StudyCell> profiles;  // by name
  double pooled_mean = 0;
  double pooled_std = 0;  // sample std across profiles (0 with one profile)
  double pooled_min = 0;
  double pooled_max = 0;
};

struct StudyComparison {
  std::string point;
  int classes = 0;
  std::string first;
  std::string second;
  int profiles = 0;  // profiles with both experiments
  PairedComparison t_test;
};

struct StudyTables {
  std::vector<StudyRow> rows;
  std::vector<StudyComparison> comparisons;
  std::vector<storage::StudyProfileRow> failed;  // profiles that could not be prepared
  bool empty() const { return rows.empty() && failed.empty(); }
};

// Groups whose point names no profile are left out (not a study).
StudyTables study_tables(const SweepResults& results, const std::vector<storage::StudyProfileRow>& profiles);

std::vector<TextTable> study_text_tables(const StudyTables& study);
nlohmann::json study_json(const StudyTables& study);

}  // namespace popsweep::reports
