// Random weights (torchvision's initialisation with untrained batch-norm
// statistics) give pooled features around 1e-13 that differ between images
// only in scale, so random backbones scale each feature vector to unit RMS:
// the features keep their direction and heads train on them with ordinary
// learning rates. Pretrained weights are never rescaled. Shared by the
// frozen backbones (backbone.cc) and fine-tuned tails (backbone_split.h).
#pragma once

#include <torch/types.h>

namespace popsweep::nets {

torch::Tensor unit_rms(const torch::Tensor& features);

}  // namespace popsweep::nets
