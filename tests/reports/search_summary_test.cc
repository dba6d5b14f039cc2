// reports/search_summary.cc: a search's trials ranked by its objective with
// mean ± std and their parameters, and one scatter per key, on a log10 axis
// for a log range; a grid sweep has no search summary.
#include "reports/search_summary.h"

#include <gtest/gtest.h>

namespace popsweep::reports {
namespace {

ResultGroup trial_group(int trial, const std::string& lr, const std::string& experiment, int classes,
                        double best, double last) {
  ResultGroup group;
  group.point =
      nlohmann::json{{"search.trial", trial}, {"train.lr", lr}, {"labels.window_weeks", "8"}}.dump();
  group.experiment = experiment;
  group.classes = classes;
  group.best.accuracy = {best, 0.01 * trial};
  group.last.accuracy = {last, 0.02};
  group.best.runs.resize(3);
  group.last.runs.resize(3);
  return group;
}

SweepResults search_results(const std::string& epoch) {
  SweepResults results;
  results.sweep.spec_text = nlohmann::json{{"points", nlohmann::json::array()},
                                           {"search",
                                            {{"method", "tpe"},
                                             {"experiments", {"image"}},
                                             {"classes", 2},
                                             {"metric", "accuracy"},
                                             {"epoch", epoch},
                                             {"keys", {{{"path", "train.lr"}, {"range", "loguniform"}}}}}}}
                                .dump();
  results.groups.push_back(trial_group(0, "0.001", "image", 2, 0.60, 0.70));
  results.groups.push_back(trial_group(1, "0.01", "image", 2, 0.75, 0.50));
  results.groups.push_back(trial_group(2, "0.1", "image", 2, 0.65, 0.55));
  results.groups.push_back(trial_group(1, "0.01", "cnn_rnn", 2, 0.99, 0.99));  // not the objective
  results.groups.push_back(trial_group(2, "0.1", "image", 3, 0.99, 0.99));     // another K
  return results;
}

TEST(SearchSummary, TrialsRankedByTheObjectiveWithTheirParameters) {
  const std::optional<SearchSummary> summary = summarize_search(search_results("best"));
  ASSERT_TRUE(summary);
  ASSERT_EQ(summary->rows.size(), 3u);
  EXPECT_EQ(summary->rows[0].trial, 1);
  EXPECT_EQ(summary->rows[1].trial, 2);
  EXPECT_EQ(summary->rows[2].trial, 0);
  const TextTable table = best_trials_table(*summary, 2);
  ASSERT_EQ(table.rows.size(), 2u);
  EXPECT_EQ(table.header[5], "train.lr");
  EXPECT_EQ(table.header[6], "labels.window_weeks");  // the grid axis beside the search
  EXPECT_EQ(table.rows[0][3], "0.7500 ± 0.0100");
  EXPECT_EQ(table.rows[0][4], "3");
  EXPECT_EQ(table.rows[0][5], "0.01");
  EXPECT_NE(table.caption.find("3 trial(s) scored"), std::string::npos) << table.caption;
  // At the last epoch the order changes.
  EXPECT_EQ(summarize_search(search_results("last"))->rows[0].trial, 0);
}

TEST(SearchSummary, LogRangesGetALog10Axis) {
  const std::vector<ReportChart> charts = search_parameter_charts(*summarize_search(search_results("best")));
  ASSERT_EQ(charts.size(), 2u);
  EXPECT_EQ(charts[0].file_stem, "search_train_lr");
  EXPECT_NE(charts[0].svg.find("log10 train.lr"), std::string::npos);
  EXPECT_NE(charts[0].svg.find("trial 1: train.lr = 0.01, score 0.7500"), std::string::npos);
  EXPECT_EQ(charts[1].svg.find("log10"), std::string::npos);  // labels.window_weeks: a linear axis
}

// A pruned search: trials 0 and 1 reached the last rung (9 epochs); trial 2
// stopped at rung 1 (3 epochs), trial 3 at rung 0 (1 epoch), both `pruned`.
ResultGroup rung_group(int trial, int rung, int epochs, double best, std::int64_t job_id) {
  ResultGroup group = trial_group(trial, "0.00" + std::to_string(trial + 1), "image", 2, best, best);
  nlohmann::json point = nlohmann::json::parse(group.point);
  point["search.rung"] = rung;
  group.point = point.dump();
  TrainedJob job;
  job.result.job_id = job_id;
  job.params = {{"train", {{"epochs", epochs}}}};
  group.jobs.push_back(job);
  return group;
}

SweepResults pruned_search_results() {
  SweepResults results = search_results("best");
  results.groups.resize(2);  // trials 0 and 1 at the last rung
  nlohmann::json identity = nlohmann::json::parse(results.sweep.spec_text);
  identity["search"]["pruner"] = {{"eta", 3}, {"max_epochs", 9}};
  results.sweep.spec_text = identity.dump();
  results.groups.push_back(rung_group(0, 0, 1, 0.55, 10));  // promoted: its last rung ranks it
  results.groups.push_back(rung_group(2, 0, 1, 0.70, 11));
  results.groups.push_back(rung_group(2, 1, 3, 0.52, 12));  // its highest rung
  results.groups.push_back(rung_group(3, 0, 1, 0.90, 13));  // best-looking, after 1 epoch only
  for (const std::int64_t id : {11, 12, 13}) {
    storage::JobRow job;
    job.id = id;
    job.status = storage::JobStatus::Pruned;
    results.train_jobs.push_back(job);
  }
  ExperimentComparison at_rung;
  at_rung.point = results.groups.back().point;
  results.comparisons.push_back(at_rung);
  ExperimentComparison full;
  full.point = results.groups.front().point;
  results.comparisons.push_back(full);
  return results;
}

TEST(SearchSummary, LowerRungsAreSetApartFromTheFullBudgetTrials) {
  SweepResults results = pruned_search_results();
  set_aside_lower_rungs(results);
  ASSERT_EQ(results.groups.size(), 2u);  // the per-point tables see the last rung only
  for (const ResultGroup& group : results.groups)
    EXPECT_EQ(group.point.find("search.rung"), std::string::npos);
  EXPECT_EQ(results.lower_rung_groups.size(), 4u);
  ASSERT_EQ(results.comparisons.size(), 1u);
  EXPECT_EQ(results.comparisons[0].point, results.groups.front().point);

  const SearchSummary summary = *summarize_search(results);
  ASSERT_EQ(summary.rows.size(), 2u);  // trial 3's 0.90 after one epoch ranks nothing
  EXPECT_EQ(summary.rows[0].trial, 1);
  ASSERT_EQ(summary.lower_rungs.size(), 2u);  // trials 2 and 3; trial 0 reached the last rung
  EXPECT_EQ(summary.lower_rungs[0].trial, 2);
  EXPECT_EQ(summary.lower_rungs[0].rung, 1);
  EXPECT_EQ(summary.lower_rungs[0].epochs, 3);
  EXPECT_EQ(summary.lower_rungs[1].trial, 3);
  EXPECT_EQ(summary.lower_rungs[1].epochs, 1);
  const TextTable table = lower_rung_table(summary);
  ASSERT_EQ(table.rows.size(), 2u);
  EXPECT_EQ(table.rows[0][0], "2");
  EXPECT_EQ(table.rows[0][1], "1");
  EXPECT_EQ(table.rows[0][2], "3");
  EXPECT_EQ(table.rows[0][3], "pruned");
  EXPECT_EQ(table.rows[0][5], "0.5200 ± 0.0200");
  EXPECT_EQ(table.rows[1][5], "0.9000 ± 0.0300");
  EXPECT_EQ(table.header[7], "train.lr");
  EXPECT_EQ(table.rows[1][7], "0.004");
  EXPECT_NE(table.caption.find("fewer than the 9 of the ranked trials"), std::string::npos) << table.caption;
}

TEST(SearchSummary, AnUnprunedSearchHasNoLowerRungs) {
  EXPECT_TRUE(summarize_search(search_results("best"))->lower_rungs.empty());
}

TEST(SearchSummary, AGridHasNone) {
  SweepResults results;
  results.sweep.spec_text = R"({"points": []})";
  EXPECT_FALSE(summarize_search(results));
}

}  // namespace
}  // namespace popsweep::reports
