// The `search:` section of orchestrator/spec_loader.cc: ranges and choices
// become trials crossed with the `sweep:` grid; every bad range is refused
// before any job runs, naming the file, line and key; raising search.trials
// keeps the identity of the old trials.
#include <gtest/gtest.h>

#include "common/error.h"
#include "tests/support/spec_error.h"
#include "orchestrator/search_samplers.h"
#include "orchestrator/spec.h"
#include "orchestrator/spec_loader.h"
#include "orchestrator/sweep_identity.h"

namespace popsweep::orchestrator {
namespace {

const char* kSearch = R"(name: s
profile:
  synth:
    preset: tiny
train:
  experiments: [image]
  classes: [2]
sweep:
  labels.window_weeks: [4, 8]
search:
  method: random
  trials: 5
  seed: 3
  train.lr: {loguniform: [0.0001, 0.1]}
  train.batch_size: {int: [8, 64]}
  train.mode: {choice: [features, pixels]}
)";

using test_support::spec_error_of;

TEST(SpecLoaderSearch, TrialsAreCrossedWithTheGridAndCarryTheirNumber) {
  const LoadedSpec spec = parse_spec_text(kSearch, "s.yaml");
  ASSERT_EQ(spec.search.size(), 3u);
  const std::vector<SpecValues> points = expand_sweep_points(spec);
  ASSERT_EQ(points.size(), 10u);  // 5 trials x 2 window lengths
  for (size_t i = 0; i < points.size(); ++i) {
    EXPECT_EQ(std::get<std::int64_t>(points[i].at(kTrialKey)), static_cast<std::int64_t>(i / 2));
    EXPECT_DOUBLE_EQ(std::get<double>(points[i].at("labels.window_weeks")), i % 2 ? 8.0 : 4.0);
    const Spec typed = make_spec(points[i], "s.yaml");  // every drawn value is a valid one
    EXPECT_GE(typed.train.lr, 1e-4);
    EXPECT_LE(typed.train.lr, 0.1);
    EXPECT_GE(typed.train.batch_size, 8);
    EXPECT_LE(typed.train.batch_size, 64);
  }
  // Both grid points of a trial share its draws.
  EXPECT_EQ(points[0].at("train.lr"), points[1].at("train.lr"));
  EXPECT_NE(points[0].at("train.lr"), points[2].at("train.lr"));
  // Same spec, same values.
  EXPECT_EQ(expand_sweep_points(parse_spec_text(kSearch, "s.yaml")), points);
  // The command line sets searches too.
  const LoadedSpec overridden =
      parse_spec_text(kSearch, "s.yaml", {"search.train.lr={uniform: [0.01, 0.02]}"});
  EXPECT_GE(std::get<double>(expand_sweep_points(overridden)[0].at("train.lr")), 0.01);
}

TEST(SpecLoaderSearch, RaisingTrialsKeepsTheOldTrials) {
  const nlohmann::json five = sweep_identity(parse_spec_text(kSearch, "s.yaml"));
  const nlohmann::json eight = sweep_identity(parse_spec_text(kSearch, "s.yaml", {"search.trials=8"}));
  EXPECT_TRUE(incompatible_changes(five, eight).empty())
      << ::testing::PrintToString(incompatible_changes(five, eight));
  EXPECT_GT(eight.at("points").size(), five.at("points").size());
  // Fewer trials, another seed or another range drop old trials: refused.
  EXPECT_FALSE(incompatible_changes(eight, five).empty());
  EXPECT_FALSE(
      incompatible_changes(five, sweep_identity(parse_spec_text(kSearch, "s.yaml", {"search.seed=4"})))
          .empty());
  EXPECT_FALSE(
      incompatible_changes(five, sweep_identity(parse_spec_text(kSearch, "s.yaml", {"search.method=sobol"})))
          .empty());
  // A grid sweep without `search:` keeps the identity it had.
  const char* grid = "profile:\n  synth:\n    preset: tiny\nsweep:\n  train.lr: [0.1, 0.2]\n";
  const nlohmann::json grid_identity = sweep_identity(parse_spec_text(grid, "g.yaml"));  // outlives the loop
  for (const nlohmann::json& point : grid_identity.at("points")) {
    for (const auto& [key, value] : point.items()) EXPECT_NE(key.rfind("search.", 0), 0u) << key;
  }
}

TEST(SpecLoaderSearch, BadRangesNameFileLineAndKey) {
  const std::string head =
      "profile:\n  synth:\n    preset: tiny\ntrain:\n  experiments: [image]\n  classes: [2]\n"
      "search:\n  method: random\n";
  auto expect_error = [&](const std::string& line, const std::string& wanted) {
    const std::string message = spec_error_of(head + line);
    EXPECT_NE(message.find(wanted), std::string::npos) << line << " -> " << message;
  };
  expect_error("  train.lr: {uniform: [0.2, 0.1]}\n",
               "s.yaml:9:3: 'search.train.lr': {uniform: [a, b]} needs a <= b");
  expect_error("  train.lr: {loguniform: [0, 0.1]}\n",
               "s.yaml:9:3: 'search.train.lr': {loguniform: [a, b]} is a log range");
  expect_error("  labels.window_weeks: {loguniform: [-1, 4]}\n",
               "'search.labels.window_weeks': {loguniform: [a, b]} is a log range");
  expect_error("  train.mode: {choice: []}\n",
               "s.yaml:9:3: 'search.train.mode': {choice: []} has nothing to choose from");
  expect_error("  run.workers: {int: [1, 4]}\n",
               "s.yaml:9:3: 'search.run.workers': this key cannot be searched");
  expect_error("  train.lrate: {uniform: [0.1, 0.2]}\n", "did you mean 'train.lr'");
  expect_error("  train.lr: {normal: [0.1, 0.2]}\n", "'normal' is not a range");
  expect_error("  train.epochs: {uniform: [1, 5]}\n", "holds whole numbers: use {int: [a, b]}");
  expect_error("  train.lr: {uniform: [0.1, 20]}\n", "'search.train.lr': must be at most 10");
  expect_error("  train.mode: {choice: [features, fast]}\n", "'fast' is not one of");
  expect_error("  train.lr: {uniform: [0.1, 0.2]}\nsweep:\n  train.lr: [0.1]\n",
               "s.yaml:9:3: 'search.train.lr': is also under `sweep:`");
  EXPECT_NE(spec_error_of(head + "  train.lr: {uniform: [0.1, 0.2]}\n", {"sweep.train.lr=[0.1]"})
                .find("also under `sweep:`"),
            std::string::npos);
  EXPECT_NE(spec_error_of(head).find("s.yaml:7:1: 'search.method': random needs at least one key"),
            std::string::npos)
      << spec_error_of(head);
  // A grid takes lists under `sweep:`, not ranges.
  const std::string grid =
      "profile:\n  synth:\n    preset: tiny\nsearch:\n  train.lr: {uniform: [0.1, 0.2]}\n";
  EXPECT_NE(spec_error_of(grid).find("s.yaml:5:3: 'search.train.lr': search.method is grid"), std::string::npos)
      << spec_error_of(grid);
}

TEST(SpecLoaderSearch, ObjectiveIsRequiredWhenSeveralExperimentsOrClassesTrain) {
  const std::string head =
      "profile:\n  synth:\n    preset: tiny\nsearch:\n  method: sobol\n"
      "  train.lr: {uniform: [0.1, 0.2]}\n";
  EXPECT_NE(
      spec_error_of(head).find("s.yaml:4:1: 'search.objective.experiments': the spec trains several experiments"),
      std::string::npos)
      << spec_error_of(head);
  const std::string named = head + "  objective:\n    experiments: [image]\n";
  EXPECT_NE(spec_error_of(named).find("'search.objective.classes': the spec trains several numbers of classes"),
            std::string::npos)
      << spec_error_of(named);
  EXPECT_EQ(spec_error_of(named + "    classes: 3\n"), "");
  EXPECT_NE(spec_error_of(named + "    classes: 4\n").find("4 is not in train.classes"), std::string::npos);
  const SearchSettings settings =
      search_settings(parse_spec_text(named + "    classes: 3\n    epoch: last\n", "s.yaml").values);
  EXPECT_EQ(settings.objective.experiments, std::vector<std::string>{"image"});
  EXPECT_EQ(settings.objective.classes, 3);
  EXPECT_EQ(settings.objective.epoch, "last");
}

}  // namespace
}  // namespace popsweep::orchestrator
