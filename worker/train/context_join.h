// The context vector as a head's input (train.inputs context and
// visual+context, issue 18): standardised with statistics of the training
// rows only, and joined to the visual rows of a job's data in the layout
// HeadInputs describes (heads.h).
#pragma once

#include <torch/types.h>

#include "worker/train/architecture.h"
#include "worker/train/heads.h"
#include "worker/train/job_data.h"

namespace popsweep::train {

// Per feature of `training_context` ([N, C], NaN = missing): the mean and the
// population standard deviation (ddof 0) of its present values (mean 0
// without any). A feature without spread gets deviation 0: its weight
// never trains, so standardise_context gives it 0 for every item, and a new
// post's other value (a caption where training had none) cannot reach it.
HeadInputs fit_context_standardisation(InputSet set, const torch::Tensor& training_context);

// (x - mean) / std per feature; a missing value becomes 0, the training
// mean, and so does every value of a feature of deviation 0. [N, C] float32.
torch::Tensor standardise_context(const torch::Tensor& context, const HeadInputs& inputs);

// The head's rows from visual rows ([N, 1280], or [N, frames, 1280] for the
// sequence heads; ignored for `context`) and standardised context [N, C].
torch::Tensor join_context(Architecture architecture, InputSet set, const torch::Tensor& visual,
                           const torch::Tensor& standardised_context);

// Fits the standardisation on `training_context` (the job's training rows in
// row order) and replaces the job's inputs with joined rows; for the image
// head with visual+context, the standardised context block is then scaled
// to the embedding block's mean squared norm over the training rows (the
// factor folded into the stored deviations; context_join.cc says why); an augmented
// view of each epoch is joined the same way (context alone drops the views:
// the context vector has none). Returns the head's inputs for TrainSettings.
HeadInputs use_context_inputs(JobData& job, Architecture architecture, InputSet set,
                              const torch::Tensor& training_context, const torch::Tensor& validation_context);

}  // namespace popsweep::train
