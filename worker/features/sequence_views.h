// `train.mode: pixels` for frame sequences (M12 with M14's augmentation, the
// paper's future work of video frames "augmented as if they were images"):
// every epoch, each training video's 15 frames are augmented anew and run
// through the frozen backbone. A sequence gets ONE draw per epoch, applied
// to every one of its frames, so a flip or a shift moves the whole clip and
// the motion between frames stays what it was.
//
// The frames are decoded and resized once (8-bit, 15 x 3 x S x S bytes per
// video); the draw of sequence v at epoch e comes from (seed, e, v) only, so
// it does not depend on which rank or worker embeds it, nor on which other
// sequences are embedded with it.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "worker/features/augmentation.h"
#include "worker/media/rgb_image.h"

namespace popsweep::nets {
class FrozenBackbone;
}

namespace popsweep::features {

using FrameSequence = std::vector<media::RgbImage>;

class SequenceViewSampler {
 public:
  // `sequences`: each of `frames` square frames already resized to the
  // backbone's input side; shared with the worker's cache, not copied.
  SequenceViewSampler(nets::FrozenBackbone& backbone,
                      std::shared_ptr<const std::vector<FrameSequence>> sequences, int frames,
                      std::uint64_t seed);

  // The one augmentation of sequence `sequence` at `epoch` (1-based).
  AugmentationDraw draw(int epoch, std::int64_t sequence) const;
  // Its frames, each augmented with draw(epoch, sequence).
  FrameSequence augmented_frames(int epoch, std::int64_t sequence) const;
  // [rows.size(), frames, 1280] float32 on the CPU: row k holds the
  // embeddings of augmented_frames(epoch, rows[k]).
  torch::Tensor embeddings(int epoch, const std::vector<std::int64_t>& rows) const;
  std::size_t sequences() const { return sequences_->size(); }

 private:
  const FrameSequence& sequence_at(std::int64_t sequence) const;

  nets::FrozenBackbone& backbone_;
  std::shared_ptr<const std::vector<FrameSequence>> sequences_;
  int frames_;
  std::uint64_t seed_;
};

}  // namespace popsweep::features
