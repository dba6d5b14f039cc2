// The input ablation table of issue 18 on planted truth: three input sets
// (visual, context, visual+context) validated on the same 120 items per
// split (2 repeats x 5 folds), each item right with a planted probability
// per input set (0.50, 0.70, 0.90). The ablation must pair them, compute
// each pair's mean difference as the per-split accuracies give it by hand,
// name visual+context the winner and say in words that it beats visual.
#include "reports/input_ablation.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>

#include "reports/paired_comparisons.h"

namespace popsweep::reports {
namespace {

constexpr int kItems = 120;
constexpr int kRepeats = 2;
constexpr int kFolds = 5;

// Per split, the accuracy each job of the group reached, in (repeat, fold)
// order: the hand-computed truth the comparisons are checked against.
struct PlantedGroup {
  ResultGroup group;
  std::vector<double> split_accuracies;
};

PlantedGroup planted_group(const std::string& point, double right_probability, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  PlantedGroup planted;
  ResultGroup& group = planted.group;
  group.point = point;
  group.experiment = "image";
  group.classes = 2;
  group.split = "post";
  group.folds = kFolds;
  std::vector<train::JobPredictions> predictions;
  for (int repeat = 0; repeat < kRepeats; ++repeat) {
    for (int fold = 0; fold < kFolds; ++fold) {
      TrainedJob job;
      job.result.repeat = repeat;
      job.result.fold = fold;
      job.result.classes = 2;
      job.best.repeat = repeat;
      job.best.fold = fold;
      job.best.probabilities.classes = 2;
      int right = 0, items = 0;
      // The same items validate each split whatever the input set: folds
      // depend on the repeat only, as the sweep's do.
      for (int item = (fold + repeat) % kFolds; item < kItems; item += kFolds) {
        const int truth = item % 2;
        const bool hit = unit(rng) < right_probability;
        const int predicted = hit ? truth : 1 - truth;
        job.validation_media.push_back(item);
        job.predicted_media.push_back(item);
        job.predicted_posts.push_back(item);
        job.best.true_classes.push_back(truth);
        job.best.probabilities.values.push_back(predicted == 0 ? 0.8 : 0.2);
        job.best.probabilities.values.push_back(predicted == 1 ? 0.8 : 0.2);
        right += hit;
        ++items;
      }
      planted.split_accuracies.push_back(static_cast<double>(right) / items);
      job.last = job.best;
      predictions.push_back(job.best);
      group.jobs.push_back(std::move(job));
    }
  }
  group.best = train::aggregate_runs(predictions);
  group.last = group.best;
  return planted;
}

double mean_difference(const std::vector<double>& first, const std::vector<double>& second) {
  double sum = 0;
  for (std::size_t i = 0; i < first.size(); ++i) sum += first[i] - second[i];
  return sum / static_cast<double>(first.size());
}

TEST(InputAblation, PairsTheInputSetsAndNamesThePlantedWinner) {
  // Groups in the order a sweep might store them: not the ablation's order.
  const PlantedGroup both = planted_group(R"({"train.inputs":"visual+context"})", 0.90, 3);
  const PlantedGroup visual = planted_group(R"({"train.inputs":"visual"})", 0.50, 1);
  const PlantedGroup context = planted_group(R"({"train.inputs":"context"})", 0.70, 2);
  SweepResults results;
  results.groups = {both.group, visual.group, context.group};

  const std::vector<InputAblation> ablations = input_ablations(results);
  ASSERT_EQ(ablations.size(), 1u);
  const InputAblation& ablation = ablations[0];
  EXPECT_EQ(ablation.point, "{}");
  ASSERT_EQ(ablation.by_inputs.size(), 3u);
  EXPECT_EQ(ablation.by_inputs[0].first, "visual");
  EXPECT_EQ(ablation.by_inputs[1].first, "context");
  EXPECT_EQ(ablation.by_inputs[2].first, "visual+context");
  EXPECT_EQ(ablation.winner, "visual+context");

  ASSERT_EQ(ablation.comparisons.size(), 3u);
  const std::vector<std::pair<const PlantedGroup*, const PlantedGroup*>> expected_pairs = {
      {&visual, &context}, {&visual, &both}, {&context, &both}};
  for (std::size_t i = 0; i < expected_pairs.size(); ++i) {
    const ExperimentComparison& c = ablation.comparisons[i];
    const double expected = mean_difference(expected_pairs[i].first->split_accuracies,
                                            expected_pairs[i].second->split_accuracies);
    EXPECT_NEAR(c.mean_difference, expected, 1e-12) << c.first << " vs " << c.second;
    EXPECT_EQ(c.splits, kRepeats * kFolds);
    ASSERT_TRUE(c.t_test.has_value());
  }
  EXPECT_EQ(ablation.comparisons[1].first, "visual");
  EXPECT_EQ(ablation.comparisons[1].second, "visual+context");
  const std::optional<double> p_visual_vs_both = comparison_p_value(ablation.comparisons[1]);
  ASSERT_TRUE(p_visual_vs_both.has_value());
  EXPECT_LT(*p_visual_vs_both, 0.05);
  std::printf("planted accuracies 0.50 / 0.70 / 0.90: visual+context - visual = %+.3f (p = %.4g)\n",
              -ablation.comparisons[1].mean_difference, *p_visual_vs_both);
  std::printf("verdict: %s\n", ablation.verdict.c_str());
  EXPECT_NE(ablation.verdict.find("visual+context has the highest accuracy"), std::string::npos);
  EXPECT_NE(ablation.verdict.find("beats visual ("), std::string::npos);

  const TextTable table = input_ablation_table(ablations);
  ASSERT_EQ(table.rows.size(), 1u);
  EXPECT_EQ(table.header, (std::vector<std::string>{"experiment", "classes", "visual", "context",
                                                    "visual+context", "highest"}));
  EXPECT_EQ(table.rows[0].back(), "visual+context");
  EXPECT_EQ(input_ablation_tests_table(ablations).rows.size(), 3u);
}

TEST(InputAblation, KeepsOtherSweptValuesApartAndSkipsLoneInputSets) {
  const PlantedGroup a = planted_group(R"({"labels.window_weeks":4,"train.inputs":"visual"})", 0.6, 1);
  const PlantedGroup b = planted_group(R"({"labels.window_weeks":4,"train.inputs":"context"})", 0.6, 2);
  // A window with only one input set has nothing to compare with.
  const PlantedGroup lone = planted_group(R"({"labels.window_weeks":8,"train.inputs":"visual"})", 0.6, 3);
  SweepResults results;
  results.groups = {a.group, b.group, lone.group};
  const std::vector<InputAblation> ablations = input_ablations(results);
  ASSERT_EQ(ablations.size(), 1u);
  EXPECT_EQ(ablations[0].point, R"({"labels.window_weeks":4})");
  EXPECT_EQ(input_ablation_table(ablations).header.front(), "point");
}

TEST(InputAblation, IsEmptyWhenTheSweepDoesNotVaryInputs) {
  SweepResults results;
  results.groups = {planted_group(R"({"train.lr":0.001})", 0.6, 1).group,
                    planted_group(R"({"train.lr":0.01})", 0.6, 2).group};
  EXPECT_TRUE(input_ablations(results).empty());
}

TEST(InputAblation, SaysWhenInputSetsCannotBeToldApart) {
  // Identical per-item outcomes: every split's difference is 0, so the
  // corrected t-test gives p = 1 and the words must not claim a win.
  const PlantedGroup visual = planted_group(R"({"train.inputs":"visual"})", 0.7, 5);
  PlantedGroup context = visual;
  context.group.point = R"({"train.inputs":"context"})";
  SweepResults results;
  results.groups = {visual.group, context.group};
  const std::vector<InputAblation> ablations = input_ablations(results);
  ASSERT_EQ(ablations.size(), 1u);
  EXPECT_EQ(ablations[0].winner, "visual");  // a tie goes to the earlier input set
  std::printf("verdict: %s\n", ablations[0].verdict.c_str());
  EXPECT_NE(ablations[0].verdict.find("is not distinguishable from context"), std::string::npos);
}

}  // namespace
}  // namespace popsweep::reports
