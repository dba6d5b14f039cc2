// The training and validation sets of one job of the four experiments, for
// one fold (M14-M17, M19), and the per-epoch augmented views of M14.
//
//   image           images split by the image folds
//   cnn_rnn         videos split by the video folds
//   video_to_image  validation: the fold's videos as their maximum over frames;
//                   training: every image, then the other folds' videos (max)
//   image_to_video  validation: the fold's videos; training: every image as a
//                   static 15-frame sequence, then the other folds' videos
//
// Images never enter a video experiment's validation set, so the three video
// experiments share one video fold assignment and are scored on the same items.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "worker/train/architecture.h"
#include "worker/train/split_protocol.h"
#include "worker/train/trainer.h"

namespace popsweep::train {

struct LabelledEmbeddings {
  torch::Tensor embeddings;  // images [N, 1280]; videos [N, 15, 1280]
  std::vector<int> classes;
};

struct JobData {
  TrainingData data;
  // Which image / video each training row is, in row order (images first),
  // and which item of the fold's medium each validation row is.
  std::vector<std::int64_t> training_images;
  std::vector<std::int64_t> training_videos;
  std::vector<std::int64_t> validation_items;
};

// `fold_of_item` covers the images for `image`, the videos otherwise. The
// paper's protocol: the mixed experiments train on every image.
JobData assemble_job_data(Architecture architecture, const LabelledEmbeddings& images,
                          const LabelledEmbeddings& videos, const std::vector<int>& fold_of_item, int fold);

// Any split protocol: `members` index the medium the experiment is validated
// on (images for `image`, videos otherwise); `extra_images` are the images a
// mixed experiment may add to its training set (increasing; ignored by
// `image` and `cnn_rnn`), so images of a validated post, or published
// after the training cutoff, can be left out (split_protocol.h).
JobData assemble_job_data(Architecture architecture, const LabelledEmbeddings& images,
                          const LabelledEmbeddings& videos, const FoldMembers& members,
                          const std::vector<std::int64_t>& extra_images);

// M14's augmentation without running the backbone while training: the feature
// store holds V augmented views of every image, [N_images, V, 1280], and
// each epoch every training image uses one view drawn from (seed, epoch,
// row). Only rows holding images are resampled; video rows keep their inputs.
// The sampler refills one buffer, allocated once, with a single index_select.
// Only for the 2-D experiments (image, video_to_image); a ConfigError
// otherwise.
void use_augmented_views(JobData& job, Architecture architecture, const torch::Tensor& image_views,
                         std::uint64_t seed);

// M14 in `pixels` mode: each epoch every training row is replaced by fresh
// embeddings of freshly augmented pixels.
//   images(epoch, image indices)  [rows, 1280]: one image each
//   videos(epoch, video indices)  [rows, frames, 1280]: one sequence each,
//                                 all its frames augmented with one draw
// Image rows of image_to_video become static sequences of their fresh
// embedding (the same as one draw applied to 15 identical frames, at one
// backbone pass instead of 15); video rows of video_to_image their maximum
// over frames. An experiment's medium without a callback is a ConfigError
// (cnn_rnn needs `videos`, image `images`, the mixed ones both). The
// callbacks must be pure functions of their arguments, and a row's value
// must not depend on the other rows asked with it (a data-parallel rank
// asks for its share only).
using ImageEmbeddingsForEpoch =
    std::function<torch::Tensor(int epoch, const std::vector<std::int64_t>& images)>;
using SequenceEmbeddingsForEpoch =
    std::function<torch::Tensor(int epoch, const std::vector<std::int64_t>& videos)>;
struct PixelEmbedders {
  ImageEmbeddingsForEpoch images;
  SequenceEmbeddingsForEpoch videos;
};
void use_pixel_views(JobData& job, Architecture architecture, PixelEmbedders embed);

}  // namespace popsweep::train
