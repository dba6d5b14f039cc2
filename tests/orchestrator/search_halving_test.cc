// orchestrator/search_halving.cc: the rungs' epochs, the jobs of each rung
// (a later rung continues the one before, with the same seed), the
// promotions (the best ceil(n / eta), ties in trial order) against scores
// planted by hand, brackets that never see each other's trials, and the
// pruner's settings refused naming the file, line and key.
#include "orchestrator/search_halving.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "orchestrator/search_space.h"
#include "tests/support/spec_error.h"

namespace popsweep::orchestrator {
namespace {

using storage::JobStatus;

HalvingSettings settings(int min_epochs, int max_epochs, int eta, int bracket) {
  HalvingSettings s;
  s.enabled = true;
  s.min_epochs = min_epochs;
  s.max_epochs = max_epochs;
  s.eta = eta;
  s.bracket = bracket;
  return s;
}

SearchObjective objective() {
  SearchObjective o;
  o.experiments = {"image"};
  o.classes = 2;
  return o;
}

// `trials` trials of `folds` training jobs each, as plan_jobs gives them:
// a shared label job first, then the training jobs carrying their trial.
std::vector<PlannedJob> planned(int trials, int folds) {
  std::vector<PlannedJob> jobs{{"label", {{"classes", 2}}, 0, {}}};
  const std::string label_key = jobs.front().key();
  for (int trial = 0; trial < trials; ++trial) {
    for (int fold = 0; fold < folds; ++fold) {
      PlannedJob job{"train",
                     {{"trial_lr", trial}, {"fold", fold}, {"train", {{"epochs", 99}, {"lr", 0.01 * trial}}}},
                     1000 + trial * 10 + fold,
                     {label_key}};
      job.point = {{kTrialKey, trial}};
      jobs.push_back(std::move(job));
    }
  }
  return jobs;
}

// A database in a map: every job listed is done, with the accuracy its
// trial's planted score gives at the rung's epochs.
struct FakeStore {
  std::map<std::string, StoredTrainJob> jobs;

  void finish(const std::vector<PlannedJob>& round,
              const std::function<double(int trial, int epochs)>& accuracy) {
    for (const PlannedJob& job : round) {
      if (job.stage != "train" || jobs.count(job.key())) continue;
      storage::TrainResultRow row;
      row.experiment = "image";
      row.classes = 2;
      row.val_items = 10;
      row.accuracy_best = row.accuracy_last =
          accuracy(job.point.at(kTrialKey).get<int>(), job.params.at("train").at("epochs").get<int>());
      jobs[job.key()] = {JobStatus::Done, row};
    }
  }
  void prune(const std::vector<std::string>& keys) {
    for (const std::string& key : keys) jobs.at(key).status = JobStatus::Pruned;
  }
  StoredJobLookup lookup() const {
    return [this](const std::string& key) -> std::optional<StoredTrainJob> {
      const auto found = jobs.find(key);
      if (found == jobs.end()) return std::nullopt;
      return found->second;
    };
  }
};

// Runs rounds as the sweep runner does until a round decides nothing new.
HalvingRound run_to_end(const std::vector<PlannedJob>& base, const HalvingSettings& s, FakeStore& store,
                        const std::function<double(int, int)>& accuracy) {
  HalvingRound round = plan_halving(base, s, objective(), store.lookup());
  for (int i = 0; i < 20; ++i) {
    store.finish(round.jobs, accuracy);
    store.prune(round.pruned_keys);
    HalvingRound next = plan_halving(base, s, objective(), store.lookup());
    if (next.jobs.size() == round.jobs.size() && next.pruned_keys.size() == round.pruned_keys.size())
      return next;
    round = std::move(next);
  }
  ADD_FAILURE() << "the rounds never settled";
  return round;
}

TEST(SearchHalving, RungEpochsGrowByEtaUpToTheLast) {
  EXPECT_EQ(rung_epochs(settings(1, 9, 3, 9)), (std::vector<int>{1, 3, 9}));
  EXPECT_EQ(rung_epochs(settings(2, 15, 3, 9)), (std::vector<int>{2, 6, 15}));
  EXPECT_EQ(rung_epochs(settings(1, 8, 2, 8)), (std::vector<int>{1, 2, 4, 8}));
  EXPECT_EQ(rung_epochs(settings(5, 5, 2, 8)), (std::vector<int>{5}));
}

TEST(SearchHalving, FirstRoundPlansRungZeroInPlaceWithTheTrialsSeed) {
  const std::vector<PlannedJob> base = planned(4, 2);
  const HalvingRound round = plan_halving(base, settings(1, 9, 3, 4), objective(), {});
  ASSERT_EQ(round.jobs.size(), base.size());
  EXPECT_TRUE(round.pruned_keys.empty());
  for (size_t i = 1; i < base.size(); ++i) {
    const PlannedJob& job = round.jobs[i];
    EXPECT_EQ(job.params["train"]["epochs"], 1);
    EXPECT_EQ(job.params["halving"]["rung"], 0);
    EXPECT_EQ(job.seed, base[i].seed);    // the seed of the unpruned job
    EXPECT_NE(job.key(), base[i].key());  // never shared with an unpruned job
    EXPECT_EQ(job.point[kRungKey], 0);
  }
  EXPECT_EQ(round.epochs_planned, 8);
  EXPECT_EQ(round.epochs_unpruned, 8 * 9);
}

TEST(SearchHalving, PromotesTheBestThirdFromTheirSavedState) {
  // Nine trials, planted: trial t scores 0.5 + 0.01 * ((t * 4) % 9) at every
  // epoch, so the ranking is 2 (0.58), 4 (0.57), 6 (0.56), 8, 1, 3, 5, 7, 0.
  const auto accuracy = [](int trial, int) { return 0.5 + 0.01 * ((trial * 4) % 9); };
  const std::vector<PlannedJob> base = planned(9, 2);
  FakeStore store;
  const HalvingRound last = run_to_end(base, settings(1, 9, 3, 9), store, accuracy);
  std::set<int> at_rung_1, at_rung_2;
  for (const TrialRungs& trial : last.trials) {
    if (trial.rungs_planned >= 2) at_rung_1.insert(trial.trial);
    if (trial.rungs_planned == 3) at_rung_2.insert(trial.trial);
    EXPECT_EQ(trial.pruned, trial.rungs_planned < 3) << trial.trial;
  }
  EXPECT_EQ(at_rung_1, (std::set<int>{2, 4, 6}));
  EXPECT_EQ(at_rung_2, (std::set<int>{2}));
  // Six pruned at rung 0 and two at rung 1, two jobs each.
  EXPECT_EQ(last.pruned_keys.size(), 16u);
  // Epochs: 18 jobs x 1, then 6 x (3 - 1), then 2 x (9 - 3); unpruned 18 x 9.
  EXPECT_EQ(last.epochs_planned, 18 + 12 + 12);
  EXPECT_EQ(last.epochs_unpruned, 162);
  // A rung-2 job continues its trial's rung-1 job, depends on it, keeps the seed.
  std::map<std::string, const PlannedJob*> by_key;
  for (const PlannedJob& job : last.jobs) by_key[job.key()] = &job;
  int rung_2_jobs = 0;
  for (const PlannedJob& job : last.jobs) {
    if (job.stage != "train" || job.params["halving"]["rung"] != 2) continue;
    ++rung_2_jobs;
    EXPECT_EQ(job.params["train"]["epochs"], 9);
    EXPECT_EQ(job.params["halving"]["from_epoch"], 3);
    EXPECT_FALSE(job.point.contains(kRungKey));  // the last rung ranks the trial in the report
    const PlannedJob& before = *by_key.at(job.params["halving"]["continues"].get<std::string>());
    EXPECT_EQ(before.params["halving"]["rung"], 1);
    EXPECT_EQ(before.params["fold"], job.params["fold"]);
    EXPECT_EQ(before.seed, job.seed);
    EXPECT_NE(std::find(job.depends_on.begin(), job.depends_on.end(), before.key()), job.depends_on.end());
  }
  EXPECT_EQ(rung_2_jobs, 2);
}

TEST(SearchHalving, TiesGoToTheEarlierTrialAndWaitForWholeRungs) {
  const auto flat = [](int, int) { return 0.6; };
  const std::vector<PlannedJob> base = planned(4, 1);
  FakeStore store;
  const HalvingRound last = run_to_end(base, settings(1, 4, 2, 4), store, flat);
  // ceil(4 / 2) = 2 go on, then 1: trials 0 and 1, then 0.
  std::map<int, int> rungs;
  for (const TrialRungs& trial : last.trials) rungs[trial.trial] = trial.rungs_planned;
  EXPECT_EQ(rungs, (std::map<int, int>{{0, 3}, {1, 2}, {2, 1}, {3, 1}}));

  // A rung with one job not done yet decides nothing.
  FakeStore partial;
  const HalvingRound first = plan_halving(base, settings(1, 4, 2, 4), objective(), {});
  partial.finish(first.jobs, flat);
  partial.jobs.erase(first.jobs.back().key());
  const HalvingRound waiting = plan_halving(base, settings(1, 4, 2, 4), objective(), partial.lookup());
  EXPECT_EQ(waiting.jobs.size(), first.jobs.size());
  EXPECT_TRUE(waiting.pruned_keys.empty());
}

TEST(SearchHalving, NewBracketsNeverChangeOldPromotions) {
  // Scores that would reorder everything if brackets mixed: later trials are better.
  const auto rising = [](int trial, int epochs) { return 0.3 + 0.01 * trial + 0.001 * epochs; };
  FakeStore small_store, large_store;
  const HalvingRound small = run_to_end(planned(6, 2), settings(1, 9, 3, 6), small_store, rising);
  const HalvingRound large = run_to_end(planned(12, 2), settings(1, 9, 3, 6), large_store, rising);
  ASSERT_EQ(large.trials.size(), 12u);
  for (size_t t = 0; t < small.trials.size(); ++t) {
    EXPECT_EQ(small.trials[t].rungs_planned, large.trials[t].rungs_planned) << t;
    EXPECT_EQ(small.trials[t].pruned, large.trials[t].pruned) << t;
    EXPECT_EQ(small.trials[t].scores, large.trials[t].scores) << t;
  }
  // The second bracket promotes within itself: ceil(6 / 3) = 2 of trials 6..11, the best two.
  std::set<int> promoted;
  for (size_t t = 6; t < 12; ++t)
    if (large.trials[t].rungs_planned >= 2) promoted.insert(static_cast<int>(t));
  EXPECT_EQ(promoted, (std::set<int>{10, 11}));
}

TEST(SearchHalving, BadPrunerSettingsNameFileLineAndKey) {
  const std::string head =
      "profile:\n  synth:\n    preset: tiny\ntrain:\n  experiments: [image]\n  classes: [2]\n  epochs: 9\n"
      "search:\n  method: random\n  trials: 8\n  batch: 4\n  train.lr: {uniform: [0.1, 0.2]}\n";
  using test_support::spec_error_of;
  EXPECT_EQ(spec_error_of(head + "  pruner: successive_halving\n"), "");
  auto expect_error = [&](const std::string& lines, const std::string& wanted) {
    const std::string message = spec_error_of(head + lines);
    EXPECT_NE(message.find(wanted), std::string::npos) << lines << " -> " << message;
  };
  expect_error("  pruner: successive_halving\n  min_epochs: 10\n",
               "s.yaml:8:1: 'search.min_epochs': 10 is more than search.max_epochs (9)");
  expect_error("  pruner: successive_halving\n  min_epochs: 3\n  max_epochs: 2\n",
               "'search.min_epochs': 3 is more than search.max_epochs (2)");
  expect_error("  pruner: successive_halving\n  eta: 1\n", "search.eta");
  EXPECT_NE(
      spec_error_of(head + "  pruner: successive_halving\n", {"search.trials=6"})
          .find("s.yaml:8:1: 'search.trials': successive_halving runs whole brackets of search.batch (4)"),
      std::string::npos);
  expect_error("  pruner: successive_halving\n  train.epochs: {int: [1, 4]}\n",
               "'train.epochs': successive_halving sets each rung's epochs");
  expect_error("  pruner: median\n", "'median' is not one of");
  EXPECT_NE(spec_error_of(head + "  pruner: successive_halving\n", {"search.method=tpe"})
                .find("'search.pruner': successive_halving prunes the trials of a random or sobol search"),
            std::string::npos);
  const std::string grid = "profile:\n  synth:\n    preset: tiny\nsearch:\n  holdout_repeats: 2\n";
  EXPECT_NE(spec_error_of(grid).find("'search.holdout_repeats': re-evaluates the best trial of a search"),
            std::string::npos)
      << spec_error_of(grid);
}

}  // namespace
}  // namespace popsweep::orchestrator
