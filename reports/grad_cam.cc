#include "reports/grad_cam.h"

#include <algorithm>

#include "common/error.h"
#include "reports/trained_models.h"

namespace popsweep::reports {
namespace {

int most_probable_class(const std::vector<double>& probabilities) {
  return static_cast<int>(std::max_element(probabilities.begin(), probabilities.end()) -
                          probabilities.begin());
}

std::vector<double> to_vector(const torch::Tensor& row) {
  const torch::Tensor values = row.to(torch::kCPU, torch::kFloat64).contiguous().reshape({-1});
  return std::vector<double>(values.data_ptr<double>(), values.data_ptr<double>() + values.numel());
}

}  // namespace

torch::Tensor class_score(const torch::Tensor& logits, int classes, int target_class) {
  if (classes == 2) {
    const torch::Tensor logit = logits.reshape({-1})[0];
    return target_class == 1 ? logit : -logit;
  }
  return logits.reshape({-1})[target_class];
}

torch::Tensor class_activation_maps(const torch::Tensor& feature_map, const torch::Tensor& gradient) {
  const torch::Tensor channel_weights = gradient.mean({2, 3}, /*keepdim=*/true);
  torch::Tensor maps =
      torch::relu((channel_weights * feature_map).sum(1)).detach().to(torch::kCPU, torch::kFloat32);
  const float largest = maps.max().item<float>();
  // A map with no positive evidence stays zero rather than dividing by zero.
  if (largest > 0) maps /= largest;
  return maps;
}

GradCamResult grad_cam(nets::FrozenBackbone& backbone,
                       const std::vector<std::shared_ptr<train::HeadImpl>>& heads,
                       const torch::Tensor& images, std::optional<int> target_class) {
  if (heads.empty()) throw Error("Grad-CAM needs at least one model");
  const int classes = heads.front()->classes();
  // Callers may sit inside a no-grad or inference scope (embedding code does).
  torch::AutoGradMode gradients_on(true);
  const torch::Tensor feature_map = backbone.feature_map(images.to(backbone.device()));
  // Heads live on the CPU; the move keeps the graph back to the feature map.
  const torch::Tensor embeddings = backbone.pool(feature_map).to(torch::kCPU);

  std::vector<torch::Tensor> logits;
  torch::Tensor mean_probabilities = torch::zeros({1, classes}, torch::kFloat64);
  for (const std::shared_ptr<train::HeadImpl>& head : heads) {
    logits.push_back(head->logits(model_input(head->architecture(), embeddings), nullptr));
    mean_probabilities += train::class_probabilities(logits.back().detach(), classes);
  }
  GradCamResult result;
  result.probabilities = to_vector(mean_probabilities / static_cast<double>(heads.size()));
  result.target_class = target_class.value_or(most_probable_class(result.probabilities));
  if (result.target_class < 0 || result.target_class >= classes) {
    throw ConfigError("class " + std::to_string(result.target_class) + " does not exist: the models have " +
                      std::to_string(classes) + " classes (0.." + std::to_string(classes - 1) + ")");
  }

  torch::Tensor score = torch::zeros({}, torch::kFloat32);
  for (const torch::Tensor& head_logits : logits)
    score = score + class_score(head_logits, classes, result.target_class);
  score = score / static_cast<double>(heads.size());
  // Only the map's gradient: the heads' parameters keep no .grad behind.
  const torch::Tensor gradient = torch::autograd::grad({score}, {feature_map})[0];
  result.maps = class_activation_maps(feature_map, gradient);
  return result;
}

}  // namespace popsweep::reports
