#include "worker/train/keras_adam.h"

#include <torch/torch.h>

#include <cmath>
#include <string>

#include "common/error.h"

namespace popsweep::train {

KerasAdam::KerasAdam(std::vector<torch::Tensor> parameters, AdamSettings settings)
    : parameters_(std::move(parameters)), settings_(settings) {
  for (const torch::Tensor& parameter : parameters_) {
    first_moments_.push_back(torch::zeros_like(parameter));
    second_moments_.push_back(torch::zeros_like(parameter));
    denominators_.push_back(torch::empty_like(parameter));
  }
}

void KerasAdam::zero_grad() {
  for (torch::Tensor& parameter : parameters_) {
    if (parameter.grad().defined()) parameter.mutable_grad().zero_();
  }
}

void KerasAdam::step() {
  torch::NoGradGuard no_grad;
  ++steps_;
  const double t = static_cast<double>(steps_);
  const double step_size = settings_.learning_rate * std::sqrt(1.0 - std::pow(settings_.beta2, t)) /
                           (1.0 - std::pow(settings_.beta1, t));
  for (size_t i = 0; i < parameters_.size(); ++i) {
    const torch::Tensor& gradient = parameters_[i].grad();
    if (!gradient.defined()) continue;
    first_moments_[i].mul_(settings_.beta1).add_(gradient, 1.0 - settings_.beta1);
    second_moments_[i].mul_(settings_.beta2).addcmul_(gradient, gradient, 1.0 - settings_.beta2);
    torch::sqrt_out(denominators_[i], second_moments_[i]).add_(settings_.epsilon);
    parameters_[i].addcdiv_(first_moments_[i], denominators_[i], -step_size);
  }
}

void KerasAdam::save(torch::serialize::OutputArchive& archive) const {
  archive.write("steps", c10::IValue(steps_));
  for (size_t i = 0; i < parameters_.size(); ++i) {
    archive.write("m/" + std::to_string(i), first_moments_[i]);
    archive.write("v/" + std::to_string(i), second_moments_[i]);
  }
}

void KerasAdam::load(torch::serialize::InputArchive& archive) {
  c10::IValue steps;
  archive.read("steps", steps);
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < parameters_.size(); ++i) {
    torch::Tensor m, v;
    archive.read("m/" + std::to_string(i), m);
    archive.read("v/" + std::to_string(i), v);
    if (!m.sizes().equals(parameters_[i].sizes()) || !v.sizes().equals(parameters_[i].sizes())) {
      throw Error("Adam state: moment " + std::to_string(i) + " has shape " + c10::str(m.sizes()) + ", expected " +
                  c10::str(parameters_[i].sizes()));
    }
    first_moments_[i].copy_(m);
    second_moments_[i].copy_(v);
  }
  steps_ = steps.toInt();
}

}  // namespace popsweep::train
