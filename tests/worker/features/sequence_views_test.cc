// train.mode pixels for frame sequences (issue 20): one augmentation draw per
// sequence and epoch, applied to every frame, drawn from (seed, epoch, video)
// only.
#include "worker/features/sequence_views.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <set>

#include "common/error.h"
#include "worker/nets/backbone.h"

namespace popsweep::features {
namespace {

constexpr int kSide = 32;
constexpr int kFrames = 15;

// A picture with no symmetry (a flip or a shift changes it), moved right by
// `shift` pixels: frames of one moving scene.
media::RgbImage scene(int shift) {
  media::RgbImage image(kSide, kSide);
  for (int y = 0; y < kSide; ++y) {
    for (int x = 0; x < kSide; ++x) {
      std::uint8_t* p = image.row(y) + 3 * x;
      const int u = x - shift;
      p[0] = static_cast<std::uint8_t>(40 + u * 6 + y);
      p[1] = static_cast<std::uint8_t>(30 + y * 7);
      p[2] = static_cast<std::uint8_t>((u * u + 3 * y) % 200);
    }
  }
  return image;
}

FrameSequence still_sequence() { return FrameSequence(kFrames, scene(0)); }

FrameSequence moving_sequence() {
  FrameSequence frames;
  for (int k = 0; k < kFrames; ++k) frames.push_back(scene(k));
  return frames;
}

std::unique_ptr<nets::FrozenBackbone> small_backbone() {
  nets::BackboneSpec spec;
  spec.name = "mobilenet_v2";
  spec.weights = "random";
  return nets::load_backbone(spec);
}

bool same_draw(const AugmentationDraw& a, const AugmentationDraw& b) {
  return a.flip == b.flip && a.shift_x == b.shift_x && a.shift_y == b.shift_y && a.scale == b.scale &&
         a.brightness == b.brightness && a.contrast == b.contrast && a.saturation == b.saturation;
}

TEST(SequenceViews, EveryFrameOfASequenceGetsTheSameTransform) {
  const auto backbone = small_backbone();
  const SequenceViewSampler sampler(
      *backbone,
      std::make_shared<const std::vector<FrameSequence>>(std::vector<FrameSequence>{still_sequence()}),
      kFrames, 11);
  // Identical frames in, identical frames out: one draw for the sequence
  // (a draw per frame would move each frame its own way).
  const FrameSequence first = sampler.augmented_frames(1, 0);
  ASSERT_EQ(first.size(), static_cast<size_t>(kFrames));
  EXPECT_NE(first[0].pixels, still_sequence()[0].pixels) << "the draw changed nothing";
  for (int k = 1; k < kFrames; ++k) EXPECT_EQ(first[k].pixels, first[0].pixels) << "frame " << k;
  // ... and so are their embeddings, which change from epoch to epoch.
  const torch::Tensor epoch1 = sampler.embeddings(1, {0});
  const torch::Tensor epoch2 = sampler.embeddings(2, {0});
  ASSERT_EQ(epoch1.sizes(), (std::vector<int64_t>{1, kFrames, backbone->feature_dimension()}));
  for (int k = 1; k < kFrames; ++k) EXPECT_TRUE(torch::equal(epoch1[0][k], epoch1[0][0])) << "frame " << k;
  EXPECT_NE(sampler.augmented_frames(2, 0)[0].pixels, first[0].pixels);
  const double moved = (epoch2 - epoch1).abs().max().item<double>();
  std::printf("embedding change between epochs 1 and 2: %.3g (max abs)\n", moved);
  EXPECT_GT(moved, 1e-3);
}

// Every frame of a moving scene is transformed by the sequence's one draw,
// so the scene moves between augmented frames as it did between the frames.
TEST(SequenceViews, AMovingSceneIsTransformedByOneDraw) {
  const auto backbone = small_backbone();
  const SequenceViewSampler sampler(
      *backbone,
      std::make_shared<const std::vector<FrameSequence>>(std::vector<FrameSequence>{moving_sequence()}),
      kFrames, 11);
  for (const int epoch : {1, 2, 3}) {
    const AugmentationDraw draw = sampler.draw(epoch, 0);
    const FrameSequence augmented = sampler.augmented_frames(epoch, 0);
    const FrameSequence frames = moving_sequence();
    for (int k = 0; k < kFrames; ++k) {
      ASSERT_EQ(augmented[k].pixels, apply_augmentation(frames[k], draw).pixels)
          << "epoch " << epoch << " frame " << k;
    }
  }
}

TEST(SequenceViews, EachSequenceAndEpochHasItsOwnDraw) {
  const auto backbone = small_backbone();
  // Eight copies of one clip: only their draws tell them apart.
  const auto clips = std::make_shared<const std::vector<FrameSequence>>(8, still_sequence());
  const SequenceViewSampler sampler(*backbone, clips, kFrames, 11);
  std::set<std::vector<std::uint8_t>> seen;
  for (int epoch = 1; epoch <= 3; ++epoch) {
    for (std::int64_t clip = 0; clip < 8; ++clip)
      seen.insert(sampler.augmented_frames(epoch, clip)[0].pixels);
  }
  EXPECT_EQ(seen.size(), 24u) << "two (epoch, sequence) pairs got the same draw";
  // The draw is a function of (seed, epoch, sequence) only: another sampler
  // holding other clips draws the same for sequence 5; another seed does not.
  const SequenceViewSampler other(
      *backbone, std::make_shared<const std::vector<FrameSequence>>(6, moving_sequence()), kFrames, 11);
  EXPECT_TRUE(same_draw(other.draw(2, 5), sampler.draw(2, 5)));
  const SequenceViewSampler reseeded(*backbone, clips, kFrames, 12);
  EXPECT_FALSE(same_draw(reseeded.draw(2, 5), sampler.draw(2, 5)));
  // A rank embeds its share only: a sequence's embeddings do not depend on
  // the sequences asked with it.
  const torch::Tensor all = sampler.embeddings(2, {0, 1, 2, 3, 4, 5, 6, 7});
  const torch::Tensor share = sampler.embeddings(2, {6, 3});
  EXPECT_TRUE(torch::allclose(share[0], all[6], 0, 1e-6));
  EXPECT_TRUE(torch::allclose(share[1], all[3], 0, 1e-6));
  EXPECT_EQ(sampler.embeddings(2, {}).size(0), 0);
}

TEST(SequenceViews, RefusesSequencesOfTheWrongLength) {
  const auto backbone = small_backbone();
  FrameSequence short_clip = still_sequence();
  short_clip.pop_back();
  EXPECT_THROW(SequenceViewSampler(*backbone,
                                   std::make_shared<const std::vector<FrameSequence>>(
                                       std::vector<FrameSequence>{still_sequence(), short_clip}),
                                   kFrames, 1),
               Error);
  const SequenceViewSampler sampler(
      *backbone, std::make_shared<const std::vector<FrameSequence>>(1, still_sequence()), kFrames, 1);
  EXPECT_THROW(sampler.embeddings(1, {1}), Error);
}

}  // namespace
}  // namespace popsweep::features
