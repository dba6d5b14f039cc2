#include "worker/nets/mobilenet_v2_classifier.h"

#include <torch/torch.h>  // explicit, so the build gives this file the precompiled header

#include <algorithm>
#include <optional>
#include <sstream>

#include "common/error.h"
#include "common/file_util.h"
#include "worker/nets/mobilenet_v2_weights.h"

namespace popsweep::nets {

struct MobileNetV2Classifier::State {
  LoadedMobileNetV2 loaded;
  torch::Device device = torch::kCPU;
};

std::vector<std::string> read_class_labels(const std::string& path) {
  if (!file_exists(path)) throw InputError(path, 0, "", "cannot read the label file");
  std::istringstream in(read_text_file(path));
  std::vector<std::string> labels;
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    labels.push_back(line);
  }
  while (!labels.empty() && labels.back().empty()) labels.pop_back();
  if (labels.empty()) throw InputError(path, 0, "", "the label file is empty");
  return labels;
}

MobileNetV2Classifier::MobileNetV2Classifier(const std::string& weights, const std::string& device)
    : state_(std::make_unique<State>()) {
  std::optional<torch::Device> parsed;
  try {
    parsed.emplace(device);
  } catch (const c10::Error&) {
    throw ConfigError("bad device '" + device + "' (expected cpu, cuda or cuda:N)");
  }
  state_->device = *parsed;
  state_->loaded = load_mobilenet_v2(weights, 0, state_->device);
}

MobileNetV2Classifier::~MobileNetV2Classifier() = default;

int MobileNetV2Classifier::input_size() const { return static_cast<int>(state_->loaded.input_size); }
std::array<float, 3> MobileNetV2Classifier::input_mean() const { return state_->loaded.input_mean; }
std::array<float, 3> MobileNetV2Classifier::input_std() const { return state_->loaded.input_std; }
int MobileNetV2Classifier::classes() const {
  return static_cast<int>(state_->loaded.model->options().classes);
}

std::vector<ClassScore> MobileNetV2Classifier::top_classes(const std::vector<float>& chw,
                                                           const std::vector<std::string>& labels,
                                                           int top) const {
  const std::int64_t size = input_size();
  if (static_cast<std::int64_t>(chw.size()) != 3 * size * size) {
    throw Error("classify needs 3 x " + std::to_string(size) + " x " + std::to_string(size) +
                " values, got " + std::to_string(chw.size()));
  }
  if (static_cast<int>(labels.size()) != classes()) {
    throw ConfigError("the weights have " + std::to_string(classes()) + " classes but the label file has " +
                      std::to_string(labels.size()) + " lines");
  }
  torch::InferenceMode inference;
  const torch::Tensor images =
      torch::from_blob(const_cast<float*>(chw.data()), {1, 3, size, size}, torch::kFloat32)
          .to(state_->device);
  const torch::Tensor probabilities = torch::softmax(state_->loaded.model->forward(images), 1)[0].cpu();
  const auto [values, indices] = probabilities.topk(std::clamp(top, 1, classes()));
  std::vector<ClassScore> scores;
  for (std::int64_t i = 0; i < values.size(0); ++i) {
    const int index = static_cast<int>(indices[i].item<std::int64_t>());
    scores.push_back({index, labels[static_cast<std::size_t>(index)], values[i].item<float>()});
  }
  return scores;
}

}  // namespace popsweep::nets
