// The inputs of a fine-tuning job (train.finetune_blocks, finetune_head.h):
// the frozen prefix's activations at the cut, flattened. Validation images
// are not augmented, so theirs are computed once here; the training rows
// are refilled every epoch from freshly augmented pixels (use_pixel_views
// with the prefix as its backbone), so this only shapes them.
#pragma once

#include <vector>

#include "worker/media/rgb_image.h"
#include "worker/nets/backbone.h"
#include "worker/train/job_data.h"

namespace popsweep::train {

// `images`: every image of the dataset, resized to the backbone's input side,
// indexed like job.training_images and job.validation_items. Only the image
// experiment: ConfigError otherwise.
void use_finetune_inputs(JobData& job, Architecture architecture, nets::FrozenBackbone& prefix,
                         const std::vector<media::RgbImage>& images);

}  // namespace popsweep::train
