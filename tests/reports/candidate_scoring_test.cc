// `popsweep predict`'s arithmetic on hand-made heads whose outputs are known
// in closed form, and its handling of files it cannot read.
#include "reports/candidate_scoring.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "reports/heatmap_overlay.h"
#include "reports/trained_models.h"
#include "tests/support/temp_dir.h"

namespace popsweep::reports {
namespace {

using train::Architecture;

// A dense head whose logit k is weight_on_first[k] * x_0 + bias[k].
std::shared_ptr<train::HeadImpl> linear_head(Architecture architecture, int classes,
                                             const std::vector<float>& weight_on_first,
                                             const std::vector<float>& bias) {
  std::shared_ptr<train::HeadImpl> head = train::make_head(architecture, classes, 1);
  torch::NoGradGuard no_gradients;
  torch::Tensor weight = head->named_parameters()["output.weight"];
  weight.zero_();
  weight.select(1, 0).copy_(torch::tensor(weight_on_first));
  head->named_parameters()["output.bias"].copy_(torch::tensor(bias));
  return head;
}

// One image embedding whose first feature is `x0` (the rest do not matter to linear_head).
torch::Tensor image_with_first_feature(float x0) {
  torch::Tensor embedding = torch::ones({1, train::kEmbeddingSize});
  embedding[0][0] = x0;
  return embedding;
}

TEST(CandidateScoring, AveragesTheModelsAndRanksByExpectedClass) {
  // Model 1 says 1/3 each; model 2 gives class 2 the logit x_0.
  const std::vector<std::shared_ptr<train::HeadImpl>> heads = {
      linear_head(Architecture::kImage, 3, {0, 0, 0}, {0, 0, 0}),
      linear_head(Architecture::kImage, 3, {0, 0, 1}, {0, 0, 0})};
  const float ln4 = std::log(4.0f);
  const std::vector<CandidateEmbedding> candidates = {{"low.jpg", image_with_first_feature(-ln4)},
                                                      {"high.jpg", image_with_first_feature(ln4)},
                                                      {"middle.jpg", image_with_first_feature(0)}};
  const std::vector<ScoredCandidate> scored = score_embeddings(heads, candidates);
  ASSERT_EQ(scored.size(), 3u);
  // high: model 2 gives (1/6, 1/6, 4/6); mean (1/4, 1/4, 1/2); expected 1.25.
  EXPECT_EQ(scored[0].file, "high.jpg");
  EXPECT_NEAR(scored[0].probabilities[0], 0.25, 1e-6);
  EXPECT_NEAR(scored[0].probabilities[2], 0.5, 1e-6);
  EXPECT_NEAR(scored[0].expected_class, 1.25, 1e-6);
  EXPECT_EQ(scored[0].predicted_class, 2);
  EXPECT_EQ(scored[0].rank, 1);
  // middle: uniform, expected 1.
  EXPECT_EQ(scored[1].file, "middle.jpg");
  EXPECT_NEAR(scored[1].expected_class, 1.0, 1e-6);
  EXPECT_EQ(scored[1].rank, 2);
  // low: model 2 gives (4/9, 4/9, 1/9); mean (7/18, 7/18, 2/9); expected 15/18.
  EXPECT_EQ(scored[2].file, "low.jpg");
  EXPECT_NEAR(scored[2].probabilities[0], 7.0 / 18, 1e-6);
  EXPECT_NEAR(scored[2].probabilities[2], 2.0 / 9, 1e-6);
  EXPECT_NEAR(scored[2].expected_class, 15.0 / 18, 1e-6);
  EXPECT_EQ(scored[2].rank, 3);
}

TEST(CandidateScoring, VideoToImageTakesTheMaximumOverFrames_M17) {
  const std::vector<std::shared_ptr<train::HeadImpl>> heads = {
      linear_head(Architecture::kVideoToImage, 2, {1}, {0})};
  torch::Tensor video = torch::zeros({train::kVideoFrames, train::kEmbeddingSize});
  video.select(1, 0).copy_(torch::linspace(-3, 2, train::kVideoFrames));  // maximum 2
  const double p_high = 1 / (1 + std::exp(-2.0));
  const std::vector<double> from_video = mean_class_probabilities(heads, video);
  EXPECT_NEAR(from_video[1], p_high, 1e-6);
  EXPECT_NEAR(from_video[0], 1 - p_high, 1e-6);
  // An image is its own maximum.
  EXPECT_NEAR(mean_class_probabilities(heads, image_with_first_feature(2))[1], p_high, 1e-6);
}

TEST(CandidateScoring, SequenceModelsSeeAnImageAsFifteenEqualFrames_M16) {
  const std::shared_ptr<train::HeadImpl> head = train::make_head(Architecture::kImageToVideo, 3, 4);
  torch::Generator generator = at::detail::createCPUGenerator(2);
  const torch::Tensor image = torch::randn({1, train::kEmbeddingSize}, generator);
  const std::vector<double> scored = mean_class_probabilities({head}, image);
  torch::NoGradGuard no_gradients;
  const torch::Tensor repeated = image.repeat({train::kVideoFrames, 1}).unsqueeze(0);
  const torch::Tensor expected = train::class_probabilities(head->logits(repeated, nullptr), 3)[0];
  for (int k = 0; k < 3; ++k) EXPECT_NEAR(scored[k], expected[k].item<double>(), 1e-9);
}

TEST(CandidateScoring, TellsVideosFromImagesByExtension) {
  EXPECT_TRUE(is_video_file("a/b/clip.MP4"));
  EXPECT_TRUE(is_video_file("clip.webm"));
  EXPECT_FALSE(is_video_file("photo.jpg"));
  EXPECT_FALSE(is_video_file("no_extension"));
}

TEST(CandidateScoring, SkipsAndReportsFilesItCannotRead) {
  const testing::TempDir dir;
  const std::string broken = dir.write("broken.jpg", "\xFF\xD8\xFF\xE0 this is not a JPEG");
  media::RgbImage picture(40, 30);
  for (size_t i = 0; i < picture.pixels.size(); ++i) picture.pixels[i] = static_cast<std::uint8_t>(i * 7);
  const std::string good = dir.file("good.png");
  write_png(good, picture);

  KeptModels models;
  models.classes = 2;
  models.identity.image_size = 64;
  nets::BackboneSpec spec;
  spec.random_seed = 3;
  models.backbone = nets::load_backbone(spec);
  models.models.push_back({1, linear_head(Architecture::kImage, 2, {0}, {0.5f})});

  const CandidateScores scores = score_candidate_files(models, {broken, good, dir.file("missing.mp4")});
  ASSERT_EQ(scores.scored.size(), 1u);
  EXPECT_EQ(scores.scored[0].file, good);
  EXPECT_NEAR(scores.scored[0].probabilities[1], 1 / (1 + std::exp(-0.5)), 1e-6);
  ASSERT_EQ(scores.skipped.size(), 2u);
  EXPECT_EQ(scores.skipped[0].file, broken);
  EXPECT_NE(scores.skipped[0].reason.find("broken.jpg"), std::string::npos) << scores.skipped[0].reason;
  EXPECT_EQ(scores.skipped[1].file, dir.file("missing.mp4"));
  EXPECT_FALSE(scores.skipped[1].reason.empty());

  const std::string csv = candidates_csv(scores.scored, 2);
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "file,p_class0,p_class1,predicted,rank");
}

}  // namespace
}  // namespace popsweep::reports
