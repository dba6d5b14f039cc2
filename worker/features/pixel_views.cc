#include "worker/features/pixel_views.h"

#include <torch/torch.h>

#include <algorithm>
#include <string>

#include "common/error.h"
#include "common/sha256.h"
#include "worker/features/augmentation.h"
#include "worker/media/image_preprocess.h"
#include "worker/nets/backbone.h"

namespace popsweep::features {
namespace {

// Rows embedded per backbone call: bounds the memory of one epoch.
constexpr std::size_t kChunk = 64;

}  // namespace

PixelViewSampler::PixelViewSampler(nets::FrozenBackbone& backbone,
                                   std::shared_ptr<const std::vector<media::RgbImage>> images,
                                   std::uint64_t seed)
    : backbone_(backbone), images_(std::move(images)), seed_(seed) {
  for (const media::RgbImage& image : *images_) {
    if (image.width != image.height || image.empty()) throw Error("pixel views need square, resized images");
  }
}

std::uint64_t PixelViewSampler::draw_seed(int epoch, std::int64_t image) const {
  const std::string digest =
      sha256_hex("pixels/" + std::to_string(seed_) + "/" + std::to_string(epoch) + "/" + std::to_string(image));
  return std::stoull(digest.substr(0, 16), nullptr, 16);
}

torch::Tensor embed_views_in_chunks(nets::FrozenBackbone& backbone, std::size_t count,
                                    const std::function<media::RgbImage(std::size_t)>& view_of) {
  const media::ChannelNormalization normalization{backbone.input_mean(), backbone.input_std()};
  std::vector<torch::Tensor> parts;
  for (std::size_t begin = 0; begin < count; begin += kChunk) {
    const std::size_t end = std::min(count, begin + kChunk);
    std::vector<torch::Tensor> inputs;
    for (std::size_t k = begin; k < end; ++k) {
      const media::RgbImage view = view_of(k);
      std::vector<float> chw = media::normalize_to_chw(view, normalization);
      inputs.push_back(torch::from_blob(chw.data(), {3, view.height, view.width}, torch::kFloat32).clone());
    }
    parts.push_back(
        backbone.embed(torch::stack(inputs).to(backbone.device())).to(torch::kCPU, torch::kFloat32));
  }
  if (parts.empty()) return torch::empty({0, backbone.feature_dimension()}, torch::kFloat32);
  return torch::cat(parts).contiguous();
}

torch::Tensor PixelViewSampler::embeddings(int epoch, const std::vector<std::int64_t>& rows) const {
  for (const std::int64_t image : rows) {
    if (image < 0 || static_cast<std::size_t>(image) >= images_->size()) {
      throw Error("pixel views: no image " + std::to_string(image));
    }
  }
  return embed_views_in_chunks(backbone_, rows.size(), [&](std::size_t k) {
    const std::int64_t image = rows[k];
    return apply_augmentation((*images_)[static_cast<std::size_t>(image)],
                              draw_augmentation(draw_seed(epoch, image), AugmentationSettings{}));
  });
}

}  // namespace popsweep::features
