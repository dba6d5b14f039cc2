// train.inputs (issue 18): the heads with context inputs have the parameter
// counts worked out by hand and `models describe` lists; the standardisation
// uses the training rows only (statistics computed by hand); a stored context
// model keeps its input set and statistics; the joined layouts feed the
// context where heads.h says.
#include "worker/train/context_join.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <limits>

#include "common/error.h"
#include "worker/train/trainer.h"

namespace popsweep::train {
namespace {

constexpr int kWidth = 13;  // context_feature_names() today
const float kNaN = std::numeric_limits<float>::quiet_NaN();

int64_t parameter_count(const torch::nn::Module& module) {
  int64_t count = 0;
  for (const torch::Tensor& p : module.parameters()) count += p.numel();
  return count;
}

HeadInputs standard_inputs(InputSet set, int width = kWidth) {
  return {set, std::vector<float>(static_cast<size_t>(width), 0.0f),
          std::vector<float>(static_cast<size_t>(width), 1.0f)};
}

TEST(ContextHeads, ParameterCountsByHand) {
  // Image head: dropout then one dense layer over the joined vector.
  EXPECT_EQ(describe_model(Architecture::kImage, 2, InputSet::kContext, kWidth).trainable, 13 + 1);
  EXPECT_EQ(describe_model(Architecture::kImage, 2, InputSet::kVisualContext, kWidth).trainable, 1293 + 1);
  EXPECT_EQ(describe_model(Architecture::kVideoToImage, 3, InputSet::kVisualContext, kWidth).trainable,
            3 * 1293 + 3);
  // Context alone has no backbone.
  EXPECT_EQ(describe_model(Architecture::kImage, 2, InputSet::kContext, kWidth).frozen, 0);
  EXPECT_EQ(describe_model(Architecture::kImage, 2, InputSet::kVisualContext, kWidth).frozen, 4007548);
  // CNN-RNN on context as a static sequence: GRU 3 x (8x13 + 8x8 + 2x8) = 552,
  // then 288 + 56 + 9 as for the visual head (K = 2).
  EXPECT_EQ(describe_model(Architecture::kCnnRnn, 2, InputSet::kContext, kWidth).trainable,
            552 + 288 + 56 + 9);
  // Visual + context: the relu dense layer reads 6 + 13 values: 19 x 8 + 8 = 160.
  EXPECT_EQ(describe_model(Architecture::kCnnRnn, 2, InputSet::kVisualContext, kWidth).trainable,
            30960 + 288 + 160 + 9);
  for (const InputSet set : {InputSet::kVisual, InputSet::kContext, InputSet::kVisualContext}) {
    for (const Architecture a : {Architecture::kImage, Architecture::kCnnRnn, Architecture::kVideoToImage,
                                 Architecture::kImageToVideo}) {
      for (const int classes : {2, 3}) {
        const HeadInputs inputs = set == InputSet::kVisual ? HeadInputs{} : standard_inputs(set);
        EXPECT_EQ(parameter_count(*make_head(a, classes, 1, kDefaultDropout, inputs)),
                  describe_model(a, classes, set, kWidth).trainable)
            << architecture_name(a) << " " << input_set_name(set);
      }
    }
  }
  const std::string text = describe_model(Architecture::kCnnRnn, 2, InputSet::kVisualContext, kWidth).text();
  EXPECT_NE(text.find("visual+context inputs"), std::string::npos) << text;
  EXPECT_NE(text.find("joined with the context vector"), std::string::npos) << text;
  EXPECT_THROW(parse_input_set("pixels"), ConfigError);
  EXPECT_EQ(parse_input_set("visual+context"), InputSet::kVisualContext);
}

TEST(ContextStandardisation, TrainingRowsOnlyByHand) {
  // Feature 0: 1, 3, missing -> mean 2, population sd 1. Feature 1: 5, 5, 5 ->
  // no spread, sd 0 (ignored). Feature 2: all missing -> mean 0, sd 0.
  const torch::Tensor training =
      torch::tensor({1.0f, 5.0f, kNaN, 3.0f, 5.0f, kNaN, kNaN, 5.0f, kNaN}).reshape({3, 3});
  const HeadInputs inputs = fit_context_standardisation(InputSet::kContext, training);
  EXPECT_EQ(inputs.context_mean, (std::vector<float>{2.0f, 5.0f, 0.0f}));
  EXPECT_EQ(inputs.context_std, (std::vector<float>{1.0f, 0.0f, 0.0f}));
  // A validation row far from the training rows is standardised with the
  // training statistics, not its own; missing becomes 0 (the training mean),
  // and a feature without spread in training reads 0 whatever its value.
  const torch::Tensor validation = torch::tensor({10.0f, 7.0f, kNaN}).reshape({1, 3});
  const torch::Tensor standardised = standardise_context(validation, inputs);
  EXPECT_FLOAT_EQ(standardised[0][0].item<float>(), 8.0f);
  EXPECT_FLOAT_EQ(standardised[0][1].item<float>(), 0.0f);
  EXPECT_FLOAT_EQ(standardised[0][2].item<float>(), 0.0f);

  // use_context_inputs fits on the training rows of a job.
  JobData job;
  job.data.train_inputs = torch::zeros({3, kEmbeddingSize});
  job.data.train_classes = {0, 1, 0};
  job.data.validation_inputs = torch::zeros({1, kEmbeddingSize});
  job.data.validation_classes = {1};
  const HeadInputs fitted =
      use_context_inputs(job, Architecture::kImage, InputSet::kVisualContext, training, validation);
  EXPECT_EQ(fitted.context_mean, inputs.context_mean);
  EXPECT_EQ(job.data.train_inputs.sizes(), (std::vector<int64_t>{3, kEmbeddingSize + 3}));
  EXPECT_FLOAT_EQ(job.data.validation_inputs[0][kEmbeddingSize].item<float>(), 8.0f);
}

TEST(ContextStandardisation, ImageHeadBalancesTheContextBlock) {
  // Visual rows of 0.5 everywhere: squared norm 1280 x 0.25 = 320 per row;
  // two context features, so the block is scaled by sqrt(320 / 2).
  const torch::Tensor context = torch::tensor({0.0f, 1.0f, 2.0f, 3.0f}).reshape({2, 2});
  const auto job_of = [](const torch::Tensor& visual) {
    JobData job;
    job.data.train_inputs = visual;
    job.data.train_classes = {0, 1};
    job.data.validation_inputs = visual.narrow(0, 0, 1);
    job.data.validation_classes = {1};
    return job;
  };
  JobData image = job_of(torch::full({2, kEmbeddingSize}, 0.5f));
  const HeadInputs fitted = use_context_inputs(image, Architecture::kImage, InputSet::kVisualContext, context,
                                               context.narrow(0, 0, 1));
  EXPECT_NEAR(fitted.context_std[0], 1.0 / std::sqrt(160.0), 1e-6);  // population sd 1, then the scale
  EXPECT_NEAR(fitted.context_std[1], 1.0 / std::sqrt(160.0), 1e-6);
  EXPECT_NEAR(image.data.train_inputs[1][kEmbeddingSize].item<float>(), std::sqrt(160.0), 1e-3);
  // Context alone, and the sequence heads (context beside 6 GRU units), keep unit deviations.
  JobData alone = job_of(torch::full({2, kEmbeddingSize}, 0.5f));
  EXPECT_EQ(
      use_context_inputs(alone, Architecture::kImage, InputSet::kContext, context, context.narrow(0, 0, 1))
          .context_std,
      (std::vector<float>{1.0f, 1.0f}));
  JobData sequences = job_of(torch::full({2, kVideoFrames, kEmbeddingSize}, 0.5f));
  EXPECT_EQ(use_context_inputs(sequences, Architecture::kCnnRnn, InputSet::kVisualContext, context,
                               context.narrow(0, 0, 1))
                .context_std,
            (std::vector<float>{1.0f, 1.0f}));
}

// A pixels-mode gang asks for its share of the rows each epoch: that view
// must carry the context columns too, or the trainer refuses its width.
TEST(ContextStandardisation, ARanksShareOfTheRowsIsJoinedToo) {
  const torch::Tensor visual = torch::full({3, kEmbeddingSize}, 0.5f);
  JobData job;
  job.data.train_inputs = visual;
  job.data.train_classes = {0, 1, 0};
  job.data.validation_inputs = visual.narrow(0, 0, 1);
  job.data.validation_classes = {0};
  job.data.training_inputs_for_epoch = [visual](int epoch) { return visual * epoch; };
  job.data.training_rows_for_epoch = [visual](int epoch, const std::vector<std::int64_t>&) {
    return visual * epoch;
  };
  const torch::Tensor context = torch::tensor({1.0f, 2.0f, 6.0f}).view({3, 1});
  use_context_inputs(job, Architecture::kImage, InputSet::kVisualContext, context, context.narrow(0, 0, 1));
  const torch::Tensor share = job.data.training_rows_for_epoch(2, {0, 2});
  ASSERT_EQ(share.sizes(), (std::vector<int64_t>{3, kEmbeddingSize + 1}));
  EXPECT_TRUE(torch::equal(share, job.data.training_inputs_for_epoch(2)));
  EXPECT_EQ(share[0][0].item<float>(), 1.0f);
  // Context alone needs no per-epoch view.
  JobData alone;
  alone.data = job.data;
  alone.data.train_inputs = visual;
  alone.data.validation_inputs = visual.narrow(0, 0, 1);
  alone.data.training_rows_for_epoch = [visual](int, const std::vector<std::int64_t>&) { return visual; };
  use_context_inputs(alone, Architecture::kImage, InputSet::kContext, context, context.narrow(0, 0, 1));
  EXPECT_FALSE(alone.data.training_rows_for_epoch);
}

TEST(ContextHeads, JoinedLayoutsReachTheDenseLayers) {
  const int64_t n = 4, width = 5;
  const torch::Tensor visual = torch::randn({n, kVideoFrames, kEmbeddingSize});
  const torch::Tensor context = torch::randn({n, width});
  const torch::Tensor joined = join_context(Architecture::kCnnRnn, InputSet::kVisualContext, visual, context);
  ASSERT_EQ(joined.sizes(), (std::vector<int64_t>{n, kVideoFrames, kEmbeddingSize + width}));
  EXPECT_TRUE(torch::equal(joined.select(1, 7).narrow(1, kEmbeddingSize, width), context));
  const auto head = make_head(Architecture::kCnnRnn, 3, 5, kDefaultDropout,
                              standard_inputs(InputSet::kVisualContext, static_cast<int>(width)));
  // Changing only the context changes the logits; the visual part is the same.
  const torch::Tensor other =
      join_context(Architecture::kCnnRnn, InputSet::kVisualContext, visual, context + 1);
  EXPECT_FALSE(torch::allclose(head->logits(joined, nullptr), head->logits(other, nullptr)));
  const torch::Tensor alone = join_context(Architecture::kCnnRnn, InputSet::kContext, visual, context);
  EXPECT_EQ(alone.sizes(), (std::vector<int64_t>{n, kVideoFrames, width}));
  EXPECT_EQ(join_context(Architecture::kImage, InputSet::kContext, visual.select(1, 0), context).sizes(),
            context.sizes());
}

TEST(ContextHeads, StoredModelKeepsInputsAndStatistics) {
  HeadInputs inputs = standard_inputs(InputSet::kVisualContext, 3);
  inputs.context_mean = {1.5f, -2.0f, 0.25f};
  inputs.context_std = {2.0f, 1.0f, 4.0f};
  const auto head = make_head(Architecture::kImageToVideo, 2, 9, kDefaultDropout, inputs);
  const auto loaded = load_head(Architecture::kImageToVideo, 2, save_head_weights(*head));
  EXPECT_EQ(loaded->inputs().set, InputSet::kVisualContext);
  EXPECT_EQ(loaded->inputs().context_mean, inputs.context_mean);
  EXPECT_EQ(loaded->inputs().context_std, inputs.context_std);
  const torch::Tensor x = torch::randn({2, kVideoFrames, kEmbeddingSize + 3});
  EXPECT_TRUE(torch::equal(head->logits(x, nullptr), loaded->logits(x, nullptr)));
  // A visual model stays as it was stored before context existed.
  EXPECT_EQ(load_head(Architecture::kImage, 2, save_head_weights(*make_head(Architecture::kImage, 2, 1)))
                ->inputs()
                .set,
            InputSet::kVisual);
  EXPECT_THROW(make_head(Architecture::kImage, 2, 1, kDefaultDropout, HeadInputs{InputSet::kContext, {}, {}}),
               ConfigError);
}

TEST(ContextHeads, TrainerTakesTheContextWidth) {
  TrainingData data;
  data.train_inputs = torch::randn({8, kWidth});
  data.train_classes = {0, 1, 0, 1, 0, 1, 0, 1};
  data.validation_inputs = torch::randn({2, kWidth});
  data.validation_classes = {0, 1};
  TrainSettings settings;
  settings.epochs = 2;
  EXPECT_THROW(train(Architecture::kImage, 2, data, settings, 1), Error);  // visual expects 1280 columns
  settings.inputs = standard_inputs(InputSet::kContext);
  const TrainOutcome outcome = train(Architecture::kImage, 2, data, settings, 1);
  EXPECT_EQ(outcome.history.size(), 2u);
  EXPECT_EQ(load_head(Architecture::kImage, 2, outcome.best_weights)->inputs().set, InputSet::kContext);
}

}  // namespace
}  // namespace popsweep::train
