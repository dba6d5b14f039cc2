#include "worker/train/context_join.h"

#include <torch/torch.h>

#include <cmath>

#include "common/error.h"

namespace popsweep::train {
namespace {

void check_context(const torch::Tensor& context, const char* what) {
  if (!context.defined() || context.dim() != 2) {
    throw Error(std::string(what) + ": expected a context matrix [N, features], got " +
                (context.defined() ? c10::str(context.sizes()) : std::string("nothing")));
  }
}

// The image head's dense layer reads [embedding, context]. Standardised,
// the context block has a squared norm of about C (13), the embedding one
// of about sum_j E[x_j^2] over 1280 features (1280 for the random
// backbone's unit-variance features): under Adam every weight moves about
// the same step, so the bigger block moves the logit ~100 times faster and
// memorises the training set before the context weights have moved (on a
// planted hour signal the joined head scored 0.16 below context alone).
// Scaling the context block to the embedding block's mean squared norm over
// the training rows gives both the same share. The factor is folded into
// the stored deviations, so a saved model standardises a new post the same
// way. The sequence heads join the context to 6 bounded GRU units and need
// no such balance.
void balance_context_block(HeadInputs& inputs, const torch::Tensor& training_visual) {
  if (!training_visual.defined() || training_visual.size(0) == 0 || inputs.context_width() == 0) return;
  const double visual_energy = training_visual.to(torch::kFloat64).pow(2).sum(1).mean().item<double>();
  const double scale = std::sqrt(visual_energy / inputs.context_width());
  if (!(scale > 0) || !std::isfinite(scale)) return;
  for (float& deviation : inputs.context_std) deviation = static_cast<float>(deviation / scale);
}

}  // namespace

HeadInputs fit_context_standardisation(InputSet set, const torch::Tensor& training_context) {
  check_context(training_context, "context standardisation");
  const torch::Tensor values = training_context.to(torch::kFloat64).contiguous();
  const int64_t rows = values.size(0), features = values.size(1);
  const auto cells = values.accessor<double, 2>();
  HeadInputs inputs;
  inputs.set = set;
  for (int64_t f = 0; f < features; ++f) {
    double sum = 0;
    int64_t present = 0;
    for (int64_t r = 0; r < rows; ++r) {
      if (std::isnan(cells[r][f])) continue;
      sum += cells[r][f];
      ++present;
    }
    const double mean = present > 0 ? sum / static_cast<double>(present) : 0.0;
    double square = 0;
    for (int64_t r = 0; r < rows; ++r) {
      if (!std::isnan(cells[r][f])) square += (cells[r][f] - mean) * (cells[r][f] - mean);
    }
    const double deviation = present > 0 ? std::sqrt(square / static_cast<double>(present)) : 0.0;
    inputs.context_mean.push_back(static_cast<float>(mean));
    // 0 marks a feature without spread: it reads 0 for every item (below).
    inputs.context_std.push_back(static_cast<float>(deviation));
  }
  return inputs;
}

torch::Tensor standardise_context(const torch::Tensor& context, const HeadInputs& inputs) {
  check_context(context, "context standardisation");
  if (context.size(1) != inputs.context_width()) {
    throw Error("context standardisation: " + std::to_string(context.size(1)) + " features, the model has " +
                std::to_string(inputs.context_width()));
  }
  const torch::Tensor mean = torch::tensor(at::ArrayRef<float>(inputs.context_mean), torch::kFloat32);
  const torch::Tensor deviation = torch::tensor(at::ArrayRef<float>(inputs.context_std), torch::kFloat32);
  const torch::Tensor spread = deviation > 0;
  const torch::Tensor standardised =
      (context.to(torch::kFloat32) - mean) / torch::where(spread, deviation, 1.0f);
  return torch::nan_to_num(torch::where(spread, standardised, 0.0f), 0.0, 0.0, 0.0).contiguous();
}

torch::Tensor join_context(Architecture architecture, InputSet set, const torch::Tensor& visual,
                           const torch::Tensor& standardised_context) {
  const int64_t n = standardised_context.size(0), width = standardised_context.size(1);
  if (!takes_sequences(architecture)) {
    if (set == InputSet::kContext) return standardised_context;
    return torch::cat({visual.to(torch::kFloat32), standardised_context}, 1);
  }
  const torch::Tensor repeated = standardised_context.unsqueeze(1).expand({n, kVideoFrames, width});
  if (set == InputSet::kContext) return repeated.contiguous();
  return torch::cat({visual.to(torch::kFloat32), repeated}, 2);
}

HeadInputs use_context_inputs(JobData& job, Architecture architecture, InputSet set,
                              const torch::Tensor& training_context,
                              const torch::Tensor& validation_context) {
  if (!reads_context(set))
    throw Error("use_context_inputs: the input set " + input_set_name(set) + " has no context");
  check_context(validation_context, "validation context");
  if (training_context.size(0) != static_cast<int64_t>(job.data.train_classes.size()) ||
      validation_context.size(0) != static_cast<int64_t>(job.data.validation_classes.size())) {
    throw Error("context inputs: " + std::to_string(training_context.size(0)) + " training and " +
                std::to_string(validation_context.size(0)) + " validation rows for a job of " +
                std::to_string(job.data.train_classes.size()) + " and " +
                std::to_string(job.data.validation_classes.size()));
  }
  HeadInputs inputs = fit_context_standardisation(set, training_context);
  if (set == InputSet::kVisualContext && !takes_sequences(architecture)) {
    balance_context_block(inputs, job.data.train_inputs);
  }
  const torch::Tensor training = standardise_context(training_context, inputs);
  const torch::Tensor validation = standardise_context(validation_context, inputs);
  job.data.train_inputs = join_context(architecture, set, job.data.train_inputs, training);
  job.data.validation_inputs = join_context(architecture, set, job.data.validation_inputs, validation);
  if (set == InputSet::kContext || !job.data.training_inputs_for_epoch) {
    job.data.training_inputs_for_epoch = nullptr;
  } else {
    auto views = std::move(job.data.training_inputs_for_epoch);
    job.data.training_inputs_for_epoch = [views, architecture, set, training](int epoch) {
      return join_context(architecture, set, views(epoch), training);
    };
  }
  // A data-parallel rank's share (pixels mode) is joined the same way.
  if (set == InputSet::kContext || !job.data.training_rows_for_epoch) {
    job.data.training_rows_for_epoch = nullptr;
  } else {
    auto rows_view = std::move(job.data.training_rows_for_epoch);
    job.data.training_rows_for_epoch = [rows_view, architecture, set, training](
                                           int epoch, const std::vector<std::int64_t>& rows) {
      return join_context(architecture, set, rows_view(epoch, rows), training);
    };
  }
  return inputs;
}

}  // namespace popsweep::train
