#include "worker/nets/imagenet_preprocessing.h"

#include <torch/torch.h>  // explicit, so the build gives this file the precompiled header

namespace popsweep::nets {

torch::Tensor normalise_rgb_image(const std::uint8_t* rgb, std::int64_t height, std::int64_t width) {
  // from_blob only borrows the pixels; the float conversion below copies them.
  const torch::Tensor pixels = torch::from_blob(const_cast<std::uint8_t*>(rgb), {height, width, 3},
                                                torch::TensorOptions().dtype(torch::kUInt8));
  const torch::Tensor mean =
      torch::tensor({kImageNetMean[0], kImageNetMean[1], kImageNetMean[2]}).view({1, 3, 1, 1});
  const torch::Tensor std =
      torch::tensor({kImageNetStd[0], kImageNetStd[1], kImageNetStd[2]}).view({1, 3, 1, 1});
  const torch::Tensor image = pixels.permute({2, 0, 1}).unsqueeze(0).to(torch::kFloat32).div(255.0f);
  return image.sub(mean).div(std).contiguous();
}

}  // namespace popsweep::nets
