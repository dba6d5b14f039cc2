// M18's training loop for one job, on embeddings already in memory: Adam,
// cross-entropy, a fixed number of epochs over shuffled mini-batches, and the
// weights of the epoch with the best validation accuracy kept (the first best
// on ties, like Keras' ModelCheckpoint(save_best_only=True, mode='max')).
//
// Reproducibility. Every random draw comes from the job seed: the initial
// weights from one stream, and each epoch's batch order (std::mt19937_64)
// and dropout masks (DropoutMasks) from streams seeded by
// (job seed, epoch). The random state at an epoch boundary is therefore a
// function of the seed and the epoch, which is what makes a resumed job
// identical to an uninterrupted one. With the same inputs, settings, seed and
// thread count two runs give bit-identical weights and metrics. The thread
// count is process-global in LibTorch (at::set_num_threads): the worker
// process sets it once at start (TrainSettings::threads does it here when
// given) and never runs two trainers with different counts.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "worker/nets/backbone_split.h"
#include "worker/train/architecture.h"
#include "worker/train/collective.h"
#include "worker/train/heads.h"
#include "worker/train/keras_adam.h"
#include "worker/train/metrics.h"

namespace popsweep::train {

// Every value defaults to the paper's (M18) or Keras' default.
struct TrainSettings {
  int epochs = 15;
  int batch_size = 32;
  AdamSettings adam;
  double dropout = kDefaultDropout;
  // Validation runs in chunks of this many items, to bound memory.
  int evaluation_batch = 2048;
  // LibTorch intra-op threads for the whole process; 0 leaves them as they are.
  int threads = 0;
  // Data parallel (issue 20): this rank's gang, or null for one rank. Each
  // global batch (the same batches, in the same order, as one rank's) is cut
  // into one contiguous share per rank; each rank's gradient is its share's
  // sum divided by the global batch size, and their all-reduced sum is the
  // one-rank gradient, up to the order of float additions. Every rank then
  // takes the same step and evaluates the whole validation set.
  Collective* collective = nullptr;
  // What the head reads (train.inputs) and its context standardisation.
  HeadInputs inputs;
  // Fine-tuning (train.finetune_blocks, finetune_head.h): the backbone's last
  // blocks, trained with the head at backbone_learning_rate (train.finetune_lr)
  // by an Adam of their own; null trains the head alone. With a tail the
  // inputs are the frozen prefix's activations, flattened, [N, C*H*W].
  nets::BackboneTail backbone_tail{nullptr};
  double backbone_learning_rate = 0.0001;
};

struct TrainingData {
  // [N, 1280] for the image head, [N, frames, 1280] for the CNN-RNN; float32.
  // With context inputs the last dimension is head_input_width (heads.h).
  torch::Tensor train_inputs;
  std::vector<int> train_classes;  // N values in [0, classes)
  // May be empty: then every epoch counts as the best and the last one wins.
  torch::Tensor validation_inputs;
  std::vector<int> validation_classes;
  // Optional: the training inputs of epoch e (1-based), the same shape as
  // train_inputs and row for row the same items, replacing train_inputs for
  // that epoch (augmented views, M14). It must be a pure function of the
  // epoch, or resuming would not reproduce a run. The trainer reads the tensor
  // only during that epoch, so the sampler may refill one buffer each time.
  std::function<torch::Tensor(int epoch)> training_inputs_for_epoch;
  // Optional, beside it: the same epoch's inputs where only `rows` must be
  // right (a data-parallel rank's share, so a pixels-mode rank runs the
  // backbone on its share only); other rows may hold anything.
  std::function<torch::Tensor(int epoch, const std::vector<std::int64_t>& rows)> training_rows_for_epoch;
};

// Loss and accuracy of one epoch. Training values are over the epoch's
// batches, with dropout active, as Keras reports them; validation values are
// computed after the epoch without dropout. Epochs count from 1.
struct EpochMetrics {
  int epoch = 0;
  double train_loss = 0;
  double train_accuracy = 0;
  double validation_loss = 0;      // NaN without validation items
  double validation_accuracy = 0;  // NaN without validation items
};

struct TrainOutcome {
  bool completed = false;  // false when the epoch callback stopped the job early
  std::vector<EpochMetrics> history;
  int best_epoch = 0;
  // Validation probabilities [n_val, K] (for K = 2: [1 - p, p]) and the
  // predicted classes, at the best and at the last epoch trained (M19).
  ClassProbabilities best_probabilities;
  ClassProbabilities last_probabilities;
  std::vector<int> best_predicted;
  std::vector<int> last_predicted;
  int training_majority_class = 0;
  double majority_baseline_accuracy = 0;  // NaN without validation items
  std::string best_weights;               // save_head_weights of the best epoch; load with load_head
  int threads = 0;                        // at::get_num_threads() while training
};

class Trainer {
 public:
  Trainer(Architecture architecture, int classes, TrainingData data, TrainSettings settings, std::uint64_t seed);

  int epochs_done() const { return static_cast<int>(history_.size()); }
  bool finished() const { return epochs_done() >= settings_.epochs; }
  // Trains one epoch, evaluates it and returns its metrics.
  const EpochMetrics& run_epoch();
  TrainOutcome outcome() const;
  HeadImpl& head() { return *head_; }

  // Everything needed to continue from the current epoch boundary: head
  // weights, Adam's moments and step, the history, the best epoch so far with
  // its weights and probabilities, the last probabilities, and the seed (the
  // random streams of later epochs derive from it). Loading checks that the
  // state belongs to the same architecture, classes, seed and data sizes.
  std::string save_resume_state() const;
  void load_resume_state(const std::string& bytes);

 private:
  // This rank's rows of the batch of `size` rows at `start` of the epoch's
  // order: all of them for one rank.
  struct BatchShare {
    int64_t first = 0;
    int64_t count = 0;
  };
  BatchShare batch_share(int64_t start, int64_t size) const;
  torch::Tensor epoch_inputs(int epoch, const std::vector<int64_t>& order) const;
  void train_batches(int epoch, EpochMetrics& metrics);
  void step_on_share(const torch::Tensor& inputs, const torch::Tensor& order, int64_t start, int64_t size,
                     DropoutMasks& dropout, double& loss_sum, int64_t& correct);
  void evaluate(EpochMetrics& metrics);
  std::vector<torch::Tensor> trainable_parameters() const;
  void zero_grad();
  void step();

  Architecture architecture_;
  int classes_;
  TrainingData data_;
  TrainSettings settings_;
  std::uint64_t seed_;
  torch::Tensor train_targets_;       // int64 [N]
  torch::Tensor validation_targets_;  // int64 [n_val]
  std::shared_ptr<HeadImpl> head_;
  std::unique_ptr<KerasAdam> optimizer_;
  std::unique_ptr<KerasAdam> backbone_optimizer_;  // fine-tuning only
  std::vector<EpochMetrics> history_;
  int best_epoch_ = 0;
  std::string best_weights_;
  ClassProbabilities best_probabilities_;
  ClassProbabilities last_probabilities_;
};

// After each epoch: its metrics, and the trainer (to checkpoint with
// save_resume_state). Returning kStop ends training at this epoch boundary
// (the orchestrator's SIGTERM handling).
enum class AfterEpoch { kContinue, kStop };
using EpochCallback = std::function<AfterEpoch(const EpochMetrics& metrics, const Trainer& trainer)>;

// Trains a job from scratch, or from `resume_state` (save_resume_state's
// bytes) when it is not empty.
TrainOutcome train(Architecture architecture, int classes, const TrainingData& data, const TrainSettings& settings,
                   std::uint64_t seed, const EpochCallback& after_epoch = {}, const std::string& resume_state = {});

}  // namespace popsweep::train
