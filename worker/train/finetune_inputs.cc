#include "worker/train/finetune_inputs.h"

#include <torch/torch.h>

#include "common/error.h"
#include "worker/media/image_preprocess.h"

namespace popsweep::train {
namespace {

// Images embedded per prefix call: bounds the memory of the validation set.
constexpr size_t kChunk = 64;

torch::Tensor prefix_activations(nets::FrozenBackbone& prefix, const std::vector<media::RgbImage>& images,
                                 const std::vector<std::int64_t>& rows) {
  const media::ChannelNormalization normalization{prefix.input_mean(), prefix.input_std()};
  std::vector<torch::Tensor> parts;
  for (size_t begin = 0; begin < rows.size(); begin += kChunk) {
    std::vector<torch::Tensor> inputs;
    for (size_t k = begin; k < std::min(rows.size(), begin + kChunk); ++k) {
      const media::RgbImage& image = images.at(static_cast<size_t>(rows[k]));
      std::vector<float> chw = media::normalize_to_chw(image, normalization);
      inputs.push_back(torch::from_blob(chw.data(), {3, image.height, image.width}, torch::kFloat32).clone());
    }
    parts.push_back(prefix.embed(torch::stack(inputs).to(prefix.device())).to(torch::kCPU, torch::kFloat32));
  }
  if (parts.empty()) return torch::empty({0, prefix.feature_dimension()}, torch::kFloat32);
  return torch::cat(parts).contiguous();
}

}  // namespace

void use_finetune_inputs(JobData& job, Architecture architecture, nets::FrozenBackbone& prefix,
                         const std::vector<media::RgbImage>& images) {
  if (architecture != Architecture::kImage) {
    throw ConfigError("train.finetune_blocks: only the image experiment fine-tunes the backbone, not " +
                      architecture_name(architecture));
  }
  job.data.train_inputs =
      torch::zeros({static_cast<std::int64_t>(job.training_images.size()), prefix.feature_dimension()});
  job.data.validation_inputs = prefix_activations(prefix, images, job.validation_items);
}

}  // namespace popsweep::train
