// M18's trainer: every head fits separable data, runs are bit-identical,
// a resumed job equals an uninterrupted one, and the best epoch is the first
// of the highest validation accuracy.
#include "worker/train/trainer.h"

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "common/error.h"

namespace popsweep::train {
namespace {

const Architecture kAllArchitectures[] = {Architecture::kImage, Architecture::kCnnRnn, Architecture::kVideoToImage,
                                          Architecture::kImageToVideo};

// Items of class c are pattern c plus noise (every frame, for sequences):
// linearly separable with a wide margin in 1280 dimensions.
struct SeparableSet {
  torch::Tensor patterns;  // [classes, 1280]
  torch::Tensor inputs;
  std::vector<int> classes;
};

SeparableSet separable_set(int items, int classes, bool sequences, std::uint64_t seed) {
  at::Generator generator = at::detail::createCPUGenerator(seed);
  SeparableSet set;
  set.patterns = torch::empty({classes, kEmbeddingSize}).normal_(0, 1, generator);
  for (int i = 0; i < items; ++i) set.classes.push_back(i % classes);
  const torch::Tensor labels = torch::tensor(std::vector<int64_t>(set.classes.begin(), set.classes.end()));
  const torch::Tensor rows = set.patterns.index_select(0, labels);
  if (sequences) {
    set.inputs = rows.unsqueeze(1).expand({items, kVideoFrames, kEmbeddingSize}) +
                 torch::empty({items, kVideoFrames, kEmbeddingSize}).normal_(0, 0.5, generator);
  } else {
    set.inputs = rows + torch::empty({items, kEmbeddingSize}).normal_(0, 0.5, generator);
  }
  return set;
}

TrainingData train_on_itself(const SeparableSet& set) {
  TrainingData data;
  data.train_inputs = set.inputs;
  data.train_classes = set.classes;
  data.validation_inputs = set.inputs;
  data.validation_classes = set.classes;
  return data;
}

TrainingData split(const SeparableSet& set, int validation_items) {
  const int64_t n = set.inputs.size(0);
  TrainingData data;
  data.train_inputs = set.inputs.narrow(0, 0, n - validation_items);
  data.train_classes.assign(set.classes.begin(), set.classes.end() - validation_items);
  data.validation_inputs = set.inputs.narrow(0, n - validation_items, validation_items);
  data.validation_classes.assign(set.classes.end() - validation_items, set.classes.end());
  return data;
}

bool same_weights(Architecture architecture, int classes, const std::string& a, const std::string& b) {
  const auto head_a = load_head(architecture, classes, a), head_b = load_head(architecture, classes, b);
  const auto pa = head_a->parameters(), pb = head_b->parameters();
  for (size_t i = 0; i < pa.size(); ++i) {
    if (!torch::equal(pa[i], pb[i])) return false;
  }
  return true;
}

void expect_identical(const TrainOutcome& a, const TrainOutcome& b, Architecture architecture, int classes) {
  ASSERT_EQ(a.history.size(), b.history.size());
  for (size_t e = 0; e < a.history.size(); ++e) {
    EXPECT_EQ(a.history[e].train_loss, b.history[e].train_loss) << "epoch " << e + 1;
    EXPECT_EQ(a.history[e].train_accuracy, b.history[e].train_accuracy) << "epoch " << e + 1;
    EXPECT_EQ(a.history[e].validation_loss, b.history[e].validation_loss) << "epoch " << e + 1;
    EXPECT_EQ(a.history[e].validation_accuracy, b.history[e].validation_accuracy) << "epoch " << e + 1;
  }
  EXPECT_EQ(a.best_epoch, b.best_epoch);
  EXPECT_EQ(a.best_probabilities.values, b.best_probabilities.values);
  EXPECT_EQ(a.last_probabilities.values, b.last_probabilities.values);
  EXPECT_EQ(a.best_predicted, b.best_predicted);
  EXPECT_EQ(a.last_predicted, b.last_predicted);
  EXPECT_TRUE(same_weights(architecture, classes, a.best_weights, b.best_weights));
}

TEST(TrainerFit, EveryHeadFitsSeparableDataPerfectly) {
  for (const int classes : {2, 3}) {
    for (const Architecture architecture : kAllArchitectures) {
      const SeparableSet set = separable_set(60, classes, takes_sequences(architecture), 1);
      TrainSettings settings;
      settings.epochs = 12;
      settings.adam.learning_rate = 0.01;
      const TrainOutcome outcome = train(architecture, classes, train_on_itself(set), settings, 2);
      const std::string what = architecture_name(architecture) + " with " + std::to_string(classes) + " classes";
      ASSERT_TRUE(outcome.completed) << what;
      // Validation here is the training set without dropout.
      EXPECT_EQ(outcome.history[static_cast<size_t>(outcome.best_epoch - 1)].validation_accuracy, 1.0) << what;
      EXPECT_EQ(accuracy(set.classes, outcome.best_predicted), 1.0) << what;
      EXPECT_LT(outcome.history.back().train_loss, outcome.history.front().train_loss) << what;
    }
  }
}

TEST(TrainerDeterminism, TwoRunsAreBitIdentical) {
  for (const Architecture architecture : {Architecture::kImage, Architecture::kCnnRnn}) {
    const SeparableSet set = separable_set(90, 3, takes_sequences(architecture), 3);
    TrainSettings settings;
    settings.epochs = 4;
    const TrainOutcome first = train(architecture, 3, split(set, 30), settings, 99);
    const TrainOutcome second = train(architecture, 3, split(set, 30), settings, 99);
    expect_identical(first, second, architecture, 3);
    const TrainOutcome other_seed = train(architecture, 3, split(set, 30), settings, 100);
    EXPECT_NE(first.history.back().train_loss, other_seed.history.back().train_loss);
  }
}

// Stops after `stop_after` epochs, keeping the resume state, then resumes in
// a new trainer: the outcome must equal an uninterrupted run's.
void expect_resume_matches(Architecture architecture, const TrainingData& data, int stop_after) {
  TrainSettings settings;
  settings.epochs = 7;
  const TrainOutcome uninterrupted = train(architecture, 2, data, settings, 5);
  std::string state;
  const TrainOutcome stopped = train(architecture, 2, data, settings, 5, [&](const EpochMetrics& m, const Trainer& t) {
    if (m.epoch < stop_after) return AfterEpoch::kContinue;
    state = t.save_resume_state();
    return AfterEpoch::kStop;
  });
  EXPECT_FALSE(stopped.completed);
  EXPECT_EQ(stopped.history.size(), static_cast<size_t>(stop_after));
  const TrainOutcome resumed = train(architecture, 2, data, settings, 5, {}, state);
  EXPECT_TRUE(resumed.completed);
  expect_identical(uninterrupted, resumed, architecture, 2);
}

TEST(TrainerResume, ContinuingFromAnEpochBoundaryEqualsAnUninterruptedRun) {
  expect_resume_matches(Architecture::kCnnRnn, split(separable_set(80, 2, true, 7), 20), 3);
  expect_resume_matches(Architecture::kImage, split(separable_set(80, 2, false, 7), 20), 1);
}

TEST(TrainerResume, ViewSamplerJobsResumeIdentically) {
  const SeparableSet set = separable_set(80, 2, false, 8);
  TrainingData data = split(set, 20);
  // A pure function of the epoch, as the sampler contract requires.
  const torch::Tensor base = data.train_inputs;
  data.training_inputs_for_epoch = [base](int epoch) { return base * (1.0 + 0.1 * epoch); };
  expect_resume_matches(Architecture::kImage, data, 4);
}

TEST(TrainerResume, RejectsAnotherJobsState) {
  const TrainingData data = split(separable_set(40, 2, false, 9), 10);
  TrainSettings settings;
  settings.epochs = 2;
  Trainer trainer(Architecture::kImage, 2, data, settings, 1);
  trainer.run_epoch();
  const std::string state = trainer.save_resume_state();
  Trainer other_seed(Architecture::kImage, 2, data, settings, 2);
  EXPECT_THROW(other_seed.load_resume_state(state), Error);
  Trainer other_classes(Architecture::kImage, 3, data, settings, 1);
  EXPECT_THROW(other_classes.load_resume_state(state), Error);
  EXPECT_THROW(other_seed.load_resume_state("garbage"), Error);
}

TEST(TrainerBestEpoch, TiesKeepTheFirstEpoch) {
  // With a zero learning rate the weights never move: every epoch has the
  // same validation accuracy, and the first must stay the best.
  TrainSettings settings;
  settings.epochs = 4;
  settings.adam.learning_rate = 0;
  const TrainOutcome outcome = train(Architecture::kImage, 2, split(separable_set(40, 2, false, 4), 20), settings, 3);
  for (const EpochMetrics& m : outcome.history) EXPECT_EQ(m.validation_accuracy, outcome.history[0].validation_accuracy);
  EXPECT_EQ(outcome.best_epoch, 1);
  EXPECT_EQ(outcome.best_probabilities.values, outcome.last_probabilities.values);
}

TEST(TrainerBestEpoch, KeepsTheBestWeightsWhenLaterEpochsGetWorse) {
  // Validation sees pattern A for class 0 and B for class 1. Training sees the
  // same for epochs 1-3, then the patterns swapped: validation accuracy
  // reaches 1 early, then falls to 0.
  const SeparableSet set = separable_set(80, 2, false, 6);
  TrainingData data = split(set, 20);
  const torch::Tensor right = data.train_inputs;
  const torch::Tensor labels = torch::tensor(std::vector<int64_t>(data.train_classes.begin(), data.train_classes.end()));
  const torch::Tensor swapped = right - set.patterns.index_select(0, labels) + set.patterns.index_select(0, 1 - labels);
  data.training_inputs_for_epoch = [=](int epoch) { return epoch <= 3 ? right : swapped; };
  TrainSettings settings;
  settings.epochs = 10;
  settings.adam.learning_rate = 0.01;
  Trainer trainer(Architecture::kImage, 2, data, settings, 8);
  while (!trainer.finished()) trainer.run_epoch();
  const TrainOutcome outcome = trainer.outcome();

  int first_best = 1;
  for (const EpochMetrics& m : outcome.history) {
    if (m.validation_accuracy > outcome.history[static_cast<size_t>(first_best - 1)].validation_accuracy) first_best = m.epoch;
  }
  EXPECT_EQ(outcome.best_epoch, first_best);
  EXPECT_LE(outcome.best_epoch, 3);
  EXPECT_EQ(outcome.history[static_cast<size_t>(outcome.best_epoch - 1)].validation_accuracy, 1.0);
  EXPECT_LE(outcome.history.back().validation_accuracy, 0.1);
  EXPECT_EQ(accuracy(data.validation_classes, outcome.best_predicted), 1.0);

  // The stored best weights reproduce the best probabilities; the trainer's
  // final weights reproduce the last ones.
  torch::NoGradGuard no_grad;
  const auto best_head = load_head(Architecture::kImage, 2, outcome.best_weights);
  const torch::Tensor best = class_probabilities(best_head->logits(data.validation_inputs, nullptr), 2);
  const torch::Tensor last = class_probabilities(trainer.head().logits(data.validation_inputs, nullptr), 2);
  EXPECT_EQ(std::vector<double>(best.data_ptr<double>(), best.data_ptr<double>() + best.numel()),
            outcome.best_probabilities.values);
  EXPECT_EQ(std::vector<double>(last.data_ptr<double>(), last.data_ptr<double>() + last.numel()),
            outcome.last_probabilities.values);
}

TEST(TrainerOutcome, ReportsBaselineAndBinaryProbabilities) {
  TrainingData data = split(separable_set(50, 2, false, 10), 10);
  data.train_classes[0] = 1;  // 21 of class 1 in training: the majority
  TrainSettings settings;
  settings.epochs = 1;
  const TrainOutcome outcome = train(Architecture::kImage, 2, data, settings, 1);
  EXPECT_EQ(outcome.training_majority_class, 1);
  EXPECT_DOUBLE_EQ(outcome.majority_baseline_accuracy, 0.5);
  ASSERT_EQ(outcome.best_probabilities.values.size(), 20u);
  for (size_t i = 0; i < 10; ++i) {
    EXPECT_EQ(outcome.best_probabilities.at(i, 0), 1.0 - outcome.best_probabilities.at(i, 1));
  }
  EXPECT_EQ(outcome.threads, at::get_num_threads());
}

TEST(TrainerOutcome, WorksWithoutValidationItems) {
  const SeparableSet set = separable_set(30, 2, false, 11);
  TrainingData data;
  data.train_inputs = set.inputs;
  data.train_classes = set.classes;
  TrainSettings settings;
  settings.epochs = 2;
  const TrainOutcome outcome = train(Architecture::kImage, 2, data, settings, 1);
  EXPECT_EQ(outcome.best_epoch, 2);
  EXPECT_TRUE(std::isnan(outcome.history[0].validation_accuracy));
  EXPECT_TRUE(outcome.best_probabilities.values.empty());
  EXPECT_FALSE(outcome.best_weights.empty());
}

TEST(TrainerInputs, RejectsWrongShapesAndLabels) {
  const SeparableSet images = separable_set(20, 2, false, 12);
  TrainSettings settings;
  EXPECT_THROW(Trainer(Architecture::kCnnRnn, 2, split(images, 5), settings, 1), Error);
  TrainingData bad_label = split(images, 5);
  bad_label.train_classes[0] = 2;
  EXPECT_THROW(Trainer(Architecture::kImage, 2, bad_label, settings, 1), Error);
  TrainingData bad_view = split(images, 5);
  bad_view.training_inputs_for_epoch = [](int) { return torch::zeros({3, kEmbeddingSize}); };
  Trainer trainer(Architecture::kImage, 2, bad_view, settings, 1);
  EXPECT_THROW(trainer.run_epoch(), Error);
}

}  // namespace
}  // namespace popsweep::train
