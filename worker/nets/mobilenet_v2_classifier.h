// ImageNet classification with MobileNetV2, behind a LibTorch-free header
// (`popsweep classify`): the weights say how to normalise the input
// (input_mean/input_std), the caller decodes and resizes the image and hands
// over normalised CHW floats, and gets the top classes with their softmax
// probabilities and labels.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

namespace popsweep::nets {

struct ClassScore {
  int index = 0;  // in the weights' classes (for TFLite weights, 0 = background)
  std::string label;
  float probability = 0;
};

// One label a line, line 1 = class 0; trailing whitespace is dropped.
// Throws InputError naming the file when it is unreadable or empty.
std::vector<std::string> read_class_labels(const std::string& path);

class MobileNetV2Classifier {
 public:
  // `weights`: see mobilenet_v2_weights.h. `device`: "cpu", "cuda", "cuda:N".
  explicit MobileNetV2Classifier(const std::string& weights, const std::string& device = "cpu");
  ~MobileNetV2Classifier();
  MobileNetV2Classifier(const MobileNetV2Classifier&) = delete;
  MobileNetV2Classifier& operator=(const MobileNetV2Classifier&) = delete;

  int input_size() const;
  std::array<float, 3> input_mean() const;
  std::array<float, 3> input_std() const;
  int classes() const;

  // `chw`: 3 planes of input_size() x input_size(), normalised with
  // input_mean()/input_std(). `labels` must have one entry per class
  // (ConfigError otherwise, naming both counts).
  std::vector<ClassScore> top_classes(const std::vector<float>& chw, const std::vector<std::string>& labels,
                                      int top) const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace popsweep::nets
