// Adam as Keras computes it (M18; Keras defaults: learning rate 0.001,
// beta1 0.9, beta2 0.999, epsilon 1e-7). Keras folds both bias corrections
// into the step size and adds epsilon to sqrt(v) uncorrected:
//   var -= lr * sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + epsilon)
// while torch.optim.Adam adds epsilon after correcting v, which weighs
// epsilon differently in the first steps. The state (m, v, step) is plain
// tensors, saved and restored with the trainer's resume state.
#pragma once

#include <torch/serialize/archive.h>
#include <torch/types.h>

#include <cstdint>
#include <vector>

namespace popsweep::train {

struct AdamSettings {
  double learning_rate = 0.001;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-7;
};

class KerasAdam {
 public:
  KerasAdam(std::vector<torch::Tensor> parameters, AdamSettings settings);

  void zero_grad();
  // One update from the gradients the last backward pass left.
  void step();

  std::int64_t steps() const { return steps_; }
  void save(torch::serialize::OutputArchive& archive) const;
  // Throws when the archive's moments do not match the parameters' shapes.
  void load(torch::serialize::InputArchive& archive);

 private:
  std::vector<torch::Tensor> parameters_;
  std::vector<torch::Tensor> first_moments_;
  std::vector<torch::Tensor> second_moments_;
  std::vector<torch::Tensor> denominators_;  // scratch, reused every step
  AdamSettings settings_;
  std::int64_t steps_ = 0;
};

}  // namespace popsweep::train
