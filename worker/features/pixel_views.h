// M14 taken literally (`train.mode: pixels`): every epoch, each training
// image is augmented anew and passed through the frozen backbone, as the
// paper's Keras pipeline does. The images are decoded and resized once; an
// epoch costs one backbone pass per training image, which is why the
// default mode (`features`) draws from stored views instead.
//
// The augmentation of image i at epoch e is drawn from (seed, e, i) only, so
// an epoch's inputs are a pure function of the epoch and a resumed job sees
// exactly the inputs of an uninterrupted one.
#pragma once

#include <torch/types.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "worker/media/rgb_image.h"

namespace popsweep::nets {
class FrozenBackbone;
}

namespace popsweep::features {

// [count, feature_dimension] float32 on the CPU: row k is the backbone's
// embedding of view_of(k). Views are made a chunk at a time, so an epoch's
// augmented pixels are never all in memory at once.
torch::Tensor embed_views_in_chunks(nets::FrozenBackbone& backbone, std::size_t count,
                                    const std::function<media::RgbImage(std::size_t)>& view_of);

class PixelViewSampler {
 public:
  // `images`: already resized to the backbone's input side (square); shared
  // with the worker's cache of decoded images, not copied.
  PixelViewSampler(nets::FrozenBackbone& backbone, std::shared_ptr<const std::vector<media::RgbImage>> images,
                   std::uint64_t seed);

  // The seed of image `image`'s augmentation at `epoch` (1-based).
  std::uint64_t draw_seed(int epoch, std::int64_t image) const;
  // [rows.size(), 1280] float32 on the CPU: row k is the embedding of image
  // rows[k] augmented with draw_seed(epoch, rows[k]).
  torch::Tensor embeddings(int epoch, const std::vector<std::int64_t>& rows) const;
  std::size_t images() const { return images_->size(); }

 private:
  nets::FrozenBackbone& backbone_;
  std::shared_ptr<const std::vector<media::RgbImage>> images_;
  std::uint64_t seed_;
};

}  // namespace popsweep::features
