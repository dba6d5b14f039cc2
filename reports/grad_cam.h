// Grad-CAM (M20): where in the picture the backbone's last conv layer saw what
// made a model choose a class. For a class score y (a logit, see below) and
// that layer's map A [C, h, w]:
//   alpha_c = mean over positions of dy/dA_c
//   cam     = relu(sum_c alpha_c A_c), divided by its maximum
// so 1 marks the strongest positive evidence and 0 none. The backbone stays
// frozen: only the map and what follows it (pooling, the head) are
// differentiated.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <optional>
#include <vector>

#include "worker/nets/backbone.h"
#include "worker/train/heads.h"

namespace popsweep::reports {

struct GradCamResult {
  torch::Tensor maps;                 // [frames, h, w] float32 on the CPU, in [0, 1]
  std::vector<double> probabilities;  // the models' mean class probabilities
  int target_class = 0;               // the class explained
};

// `images`: [frames, 3, H, W], normalised for the backbone; one frame for an
// image, 15 for a video's M12 frames. The head input is built as in
// model_input (trained_models.h). With several heads (an ensemble) the class
// score is their mean, so the map explains the averaged prediction.
// `target_class` defaults to the most probable class. The class score is the
// logit of the class: for two classes (one sigmoid logit l) that is l for
// class 1 and -l for class 0, the log-odds each class wins by.
GradCamResult grad_cam(nets::FrozenBackbone& backbone,
                       const std::vector<std::shared_ptr<train::HeadImpl>>& heads,
                       const torch::Tensor& images, std::optional<int> target_class = std::nullopt);

// The score Grad-CAM differentiates: `logits` [1, outputs] of a head with
// `classes` classes -> the scalar logit of `target_class`.
torch::Tensor class_score(const torch::Tensor& logits, int classes, int target_class);

// cam = relu(sum_c mean_positions(gradient_c) * map_c), per frame, divided by
// the largest value over all frames (left at zero when nothing is positive).
// `feature_map` and `gradient`: [frames, C, h, w].
torch::Tensor class_activation_maps(const torch::Tensor& feature_map, const torch::Tensor& gradient);

}  // namespace popsweep::reports
