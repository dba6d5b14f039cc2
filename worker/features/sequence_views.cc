#include "worker/features/sequence_views.h"

#include <torch/torch.h>

#include <string>

#include "common/error.h"
#include "common/sha256.h"
#include "worker/features/pixel_views.h"
#include "worker/nets/backbone.h"

namespace popsweep::features {

SequenceViewSampler::SequenceViewSampler(nets::FrozenBackbone& backbone,
                                         std::shared_ptr<const std::vector<FrameSequence>> sequences,
                                         int frames, std::uint64_t seed)
    : backbone_(backbone), sequences_(std::move(sequences)), frames_(frames), seed_(seed) {
  for (size_t v = 0; v < sequences_->size(); ++v) {
    const FrameSequence& sequence = (*sequences_)[v];
    if (static_cast<int>(sequence.size()) != frames_) {
      throw Error("sequence views: video " + std::to_string(v) + " has " + std::to_string(sequence.size()) +
                  " frames, expected " + std::to_string(frames_));
    }
    for (const media::RgbImage& frame : sequence) {
      if (frame.width != frame.height || frame.empty())
        throw Error("sequence views need square, resized frames");
    }
  }
}

AugmentationDraw SequenceViewSampler::draw(int epoch, std::int64_t sequence) const {
  // Its own namespace ("frames/"), so video v and image v of one job do not
  // share a draw.
  const std::string digest = sha256_hex("frames/" + std::to_string(seed_) + "/" + std::to_string(epoch) +
                                        "/" + std::to_string(sequence));
  return draw_augmentation(std::stoull(digest.substr(0, 16), nullptr, 16), AugmentationSettings{});
}

const FrameSequence& SequenceViewSampler::sequence_at(std::int64_t sequence) const {
  if (sequence < 0 || static_cast<size_t>(sequence) >= sequences_->size()) {
    throw Error("sequence views: no video " + std::to_string(sequence));
  }
  return (*sequences_)[static_cast<size_t>(sequence)];
}

FrameSequence SequenceViewSampler::augmented_frames(int epoch, std::int64_t sequence) const {
  const AugmentationDraw once = draw(epoch, sequence);
  FrameSequence augmented;
  for (const media::RgbImage& frame : sequence_at(sequence))
    augmented.push_back(apply_augmentation(frame, once));
  return augmented;
}

torch::Tensor SequenceViewSampler::embeddings(int epoch, const std::vector<std::int64_t>& rows) const {
  std::vector<AugmentationDraw> draws;
  for (const std::int64_t sequence : rows) {
    sequence_at(sequence);
    draws.push_back(draw(epoch, sequence));
  }
  const auto frames = static_cast<size_t>(frames_);
  const torch::Tensor flat = embed_views_in_chunks(backbone_, rows.size() * frames, [&](size_t k) {
    const size_t row = k / frames;
    return apply_augmentation((*sequences_)[static_cast<size_t>(rows[row])][k % frames], draws[row]);
  });
  return flat.view({static_cast<int64_t>(rows.size()), frames_, flat.size(1)});
}

}  // namespace popsweep::features
