// Fine-tuning (issue 20, train.finetune_blocks): the trainer trains the
// backbone's last blocks with the head (their own learning rate), keeps
// their batch norms as they were, stores them with the head, and a stored
// model scores what training scored; resuming is bit-identical.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <map>
#include <set>

#include "common/error.h"
#include "tests/worker/train/finetune_fixture.h"
#include "worker/train/finetune_head.h"

namespace popsweep::train {
namespace {

std::map<std::string, torch::Tensor> tail_tensors(const nets::BackboneTailImpl& tail) {
  std::map<std::string, torch::Tensor> tensors;
  for (const auto& p : tail.named_parameters()) tensors[p.key()] = p.value().detach().clone();
  for (const auto& b : tail.named_buffers()) tensors[b.key()] = b.value().clone();
  return tensors;
}

torch::Tensor validation_probabilities(HeadImpl& head, const TrainingData& data) {
  torch::NoGradGuard no_grad;
  head.eval();
  return class_probabilities(head.logits(data.validation_inputs, nullptr), 2);
}

TEST(FineTuning, TrainsTheLastBlocksAndLeavesTheirBatchNormsAlone) {
  const FinetuneJob job = small_finetune_job(48, 12, 1);
  const std::map<std::string, torch::Tensor> initial = tail_tensors(*job.split.tail);
  const TrainOutcome outcome = train(Architecture::kImage, 2, job.data, finetune_settings(job, 4, 8), 7);
  // The caller's tail is untouched (the trainer trains a copy).
  for (const auto& [key, value] : tail_tensors(*job.split.tail))
    EXPECT_TRUE(torch::equal(value, initial.at(key)));

  const std::shared_ptr<HeadImpl> stored = load_head(Architecture::kImage, 2, outcome.best_weights);
  auto* fine_tuned = dynamic_cast<FinetunedHead*>(stored.get());
  ASSERT_NE(fine_tuned, nullptr) << "the stored model lost its backbone tail";
  std::set<std::string> trainable;
  for (const auto& p : fine_tuned->tail()->named_parameters())
    if (p.value().requires_grad()) trainable.insert(p.key());
  int changed = 0, kept = 0;
  double largest_change = 0;
  for (const auto& [key, value] : tail_tensors(*fine_tuned->tail())) {
    if (key == "description") continue;
    const bool equal = torch::equal(value, initial.at(key));
    if (trainable.count(key)) {
      changed += equal ? 0 : 1;
      largest_change = std::max(largest_change, (value - initial.at(key)).abs().max().item<double>());
    } else {
      EXPECT_TRUE(equal) << key << " (batch norm) changed";
      ++kept;
    }
  }
  std::printf(
      "fine-tuned tail: %d of its %zu trainable tensors changed (largest change %.3g), %d batch-norm "
      "tensors kept\n",
      changed, trainable.size(), largest_change, kept);
  // 15 trainable tensors (per block the expand, depthwise and project convs
  // and squeeze-excitation's two convs with their biases; the 1x1 head
  // conv); a few may end where they began (the best epoch can be the first).
  EXPECT_EQ(trainable.size(), 15u);
  EXPECT_GE(changed, 10);
  EXPECT_GT(kept, 20);
  EXPECT_LT(outcome.history.back().train_loss, outcome.history.front().train_loss);
}

TEST(FineTuning, AStoredModelScoresWhatTrainingScoredAndDiffersFromTheFrozenBlocks) {
  const FinetuneJob job = small_finetune_job(40, 10, 2);
  const TrainOutcome outcome = train(Architecture::kImage, 2, job.data, finetune_settings(job, 3, 8), 3);
  const std::shared_ptr<HeadImpl> stored = load_head(Architecture::kImage, 2, outcome.best_weights);
  const torch::Tensor recomputed = validation_probabilities(*stored, job.data);
  const torch::Tensor trained =
      torch::tensor(outcome.best_probabilities.values, torch::kFloat64).view({-1, 2});
  EXPECT_TRUE(torch::equal(recomputed, trained)) << (recomputed - trained).abs().max().item<double>();
  // The same head behind the backbone's own (frozen) blocks scores otherwise.
  auto* fine_tuned = dynamic_cast<FinetunedHead*>(stored.get());
  ASSERT_NE(fine_tuned, nullptr);
  torch::NoGradGuard no_grad;
  const std::map<std::string, torch::Tensor> initial = tail_tensors(*job.split.tail);
  for (auto& p : fine_tuned->tail()->named_parameters()) p.value().copy_(initial.at(p.key()));
  const double moved = (validation_probabilities(*stored, job.data) - trained).abs().max().item<double>();
  std::printf("largest probability change from putting the frozen blocks back: %.3g\n", moved);
  EXPECT_GT(moved, 1e-3);
}

TEST(FineTuning, ResumingIsBitIdentical) {
  const FinetuneJob job = small_finetune_job(32, 8, 3);
  const TrainSettings settings = finetune_settings(job, 4, 8);
  const TrainOutcome whole = train(Architecture::kImage, 2, job.data, settings, 11);
  std::string state;
  train(Architecture::kImage, 2, job.data, settings, 11,
        [&](const EpochMetrics& metrics, const Trainer& trainer) {
          if (metrics.epoch < 2) return AfterEpoch::kContinue;
          state = trainer.save_resume_state();
          return AfterEpoch::kStop;
        });
  const TrainOutcome resumed = train(Architecture::kImage, 2, job.data, settings, 11, {}, state);
  EXPECT_EQ(resumed.best_weights, whole.best_weights);
  EXPECT_EQ(resumed.best_probabilities.values, whole.best_probabilities.values);
}

TEST(FineTuning, EfficientNetB0sLastTwoBlocksWeighAboutSevenMegabytes) {
  // The tail's parameters do not depend on the image side; 224 px as the paper.
  nets::BackboneSpec spec;
  nets::BackboneSplit split = nets::split_backbone(spec, 2, 224);
  EXPECT_EQ(split.tail->description().input_shape, (std::vector<std::int64_t>{192, 7, 7}));
  const std::string bytes =
      save_head_weights(*make_finetuned_head(Architecture::kImage, 2, 1, 0.2, split.tail));
  std::int64_t parameters = 0;
  for (const torch::Tensor& p : split.tail->parameters()) parameters += p.numel();
  std::printf("EfficientNet-B0 last 2 blocks + 1x1 head conv: %ld parameters, stored model %.2f MB\n",
              static_cast<long>(parameters), static_cast<double>(bytes.size()) / 1e6);
  EXPECT_GT(bytes.size(), 6'000'000u);
  EXPECT_LT(bytes.size(), 8'000'000u);
}

TEST(FineTuning, RefusesOtherExperimentsAndContextInputs) {
  const FinetuneJob job = small_finetune_job(16, 4, 4);
  EXPECT_THROW(make_finetuned_head(Architecture::kCnnRnn, 2, 1, 0.2, job.split.tail), ConfigError);
  TrainSettings settings = finetune_settings(job, 1, 8);
  settings.inputs.set = InputSet::kVisualContext;
  EXPECT_THROW(train(Architecture::kImage, 2, job.data, settings, 1), ConfigError);
}

}  // namespace
}  // namespace popsweep::train
