// A small fine-tuning job for the unit tests (issue 20): 64-pixel images
// whose class sets their mean colour, through a random-weight
// EfficientNet-B0 cut before its last 2 blocks, so the inputs are real
// prefix activations ([192, 2, 2] each) and the tail's real blocks train.
#pragma once

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "worker/nets/backbone_split.h"
#include "worker/train/trainer.h"

namespace popsweep::train {

struct FinetuneJob {
  nets::BackboneSplit split;
  TrainingData data;
};

inline FinetuneJob small_finetune_job(int items, int validation_items, std::uint64_t seed) {
  nets::BackboneSpec spec;
  spec.weights = "random";
  spec.random_seed = 5;
  FinetuneJob job{nets::split_backbone(spec, 2, 64), {}};
  at::Generator generator = at::detail::createCPUGenerator(seed);
  std::vector<int> labels;
  for (int i = 0; i < items; ++i) labels.push_back((i * 5 + i / 4) % 2);
  const torch::Tensor shift =
      torch::tensor(std::vector<float>(labels.begin(), labels.end())).view({items, 1, 1, 1}) * 0.8f;
  const torch::Tensor images = torch::empty({items, 3, 64, 64}).normal_(0, 1, generator) + shift;
  const torch::Tensor inputs = job.split.prefix->embed(images);
  const int training = items - validation_items;
  job.data.train_inputs = inputs.narrow(0, 0, training);
  job.data.train_classes.assign(labels.begin(), labels.begin() + training);
  job.data.validation_inputs = inputs.narrow(0, training, validation_items);
  job.data.validation_classes.assign(labels.begin() + training, labels.end());
  return job;
}

inline TrainSettings finetune_settings(const FinetuneJob& job, int epochs, int batch) {
  TrainSettings settings;
  settings.epochs = epochs;
  settings.batch_size = batch;
  settings.adam.learning_rate = 0.003;
  settings.backbone_tail = job.split.tail;
  settings.backbone_learning_rate = 0.0003;
  return settings;
}

}  // namespace popsweep::train
