// The trainable heads of M14-M17 as LibTorch modules. The frozen backbone is
// not part of them: they read cached embeddings, [N, 1280] for the image head
// (M14, and M17 after the maximum over frames) and [N, 15, 1280] for the
// CNN-RNN (M15, M16).
//
// Randomness is explicit: initial weights come from an ATen generator seeded
// by the caller, and dropout masks from a DropoutMasks stream passed to each
// forward call, so two jobs in one process never share a random stream. Initialisation follows
// Keras' defaults: glorot_uniform kernels, orthogonal recurrent kernels, zero
// biases.
#pragma once

#include <torch/nn/module.h>
#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "worker/train/architecture.h"
#include "worker/train/input_set.h"

namespace popsweep::train {

// The layers are written on raw parameters rather than torch::nn::Linear and
// torch::nn::GRU, whose constructors draw initial weights from the global
// generator: building a head here touches no global state.

// Dropout masks from a seeded stream of their own (SplitMix64), not from a
// LibTorch generator: ATen's bernoulli_ draws each value through its
// Mersenne Twister with double precision, which took 0.65 ms for one
// [32, 1280] mask, two thirds of an image-head training step; this takes a
// few microseconds. Like an explicit generator it is private to one job.
class DropoutMasks {
 public:
  explicit DropoutMasks(std::uint64_t seed) : state_(seed) {}
  // float32 values, 1 / keep with probability keep (exactly, to 2^-32), else 0.
  torch::Tensor bernoulli(at::IntArrayRef shape, double keep);
  // Data parallel: the masks asked for next cover rows [first, first +
  // count) of a batch of `rows`. Each mask is drawn for the whole batch and
  // cut, so every rank's rows get the masks one rank would give them, and
  // the ranks' streams stay in step. rows = 0: masks cover what is asked.
  void share_batch(std::int64_t first, std::int64_t count, std::int64_t rows) {
    share_first_ = first, share_count_ = count, share_rows_ = rows;
  }

 private:
  std::uint64_t state_;
  std::int64_t share_first_ = 0;
  std::int64_t share_count_ = 0;
  std::int64_t share_rows_ = 0;
};

// y = x W^T + b, W [outputs, inputs]; glorot_uniform W, zero b.
class DenseLayer : public torch::nn::Module {
 public:
  DenseLayer(int64_t inputs, int64_t outputs, at::Generator& generator);
  torch::Tensor forward(const torch::Tensor& inputs) const;

 private:
  torch::Tensor weight_;
  torch::Tensor bias_;
};

// One GRU layer over [N, T, inputs], batch first: Keras' reset_after=True
// cell (see gru_recurrence.h). Parameters use LibTorch's names and layout
// (weight_ih [3 units, inputs], gate blocks r, z, n) with a glorot_uniform
// input kernel, an orthogonal recurrent kernel and zero biases.
//
// The input projection x W_ih^T for all steps at once is a 1x1 convolution
// over the N*T rows: LibTorch routes that to oneDNN, whose float32 kernels are
// fast whatever BLAS the library was linked with (Debian's LibTorch uses the
// reference BLAS, with which the same product as a matmul was 18 times
// slower and dominated M15's training).
class GruLayer : public torch::nn::Module {
 public:
  GruLayer(int64_t inputs, int64_t units, at::Generator& generator);
  // Every step's state [N, T, units] and the last state [N, units].
  std::tuple<torch::Tensor, torch::Tensor> forward(const torch::Tensor& sequences) const;
  // The same from inputs already projected: [N, T, 3 units] = x W_ih^T + b_ih.
  std::tuple<torch::Tensor, torch::Tensor> recur(const torch::Tensor& projected) const;
  // x W_ih^T + b_ih for rows [M, inputs]: [M, 3 units].
  torch::Tensor project(const torch::Tensor& rows) const;

 private:
  int64_t units_;
  torch::Tensor weight_ih_, weight_hh_, bias_ih_, bias_hh_;
};

// What a head reads (train.inputs) and, with context, the standardisation
// its context columns went through: the training fold's mean and standard
// deviation per feature (context_standardisation.h). The head keeps them
// as buffers saved with its weights, so a stored model standardises a new
// post's context exactly as its training data.
struct HeadInputs {
  InputSet set = InputSet::kVisual;
  std::vector<float> context_mean;
  std::vector<float> context_std;
  int context_width() const { return static_cast<int>(context_mean.size()); }
};

// With context the input rows are [embedding, context] (visual+context) or
// the context alone: [N, width] for the image head and [N, frames, width]
// for the sequence heads, the context repeated on every frame (a static
// sequence); head_input_width gives the width.
class HeadImpl : public torch::nn::Module {
 public:
  // Logits, [N, 1] for two classes and [N, K] otherwise. `dropout` null means
  // evaluation: no dropout.
  virtual torch::Tensor logits(const torch::Tensor& inputs, DropoutMasks* dropout) = 0;

  Architecture architecture() const { return architecture_; }
  int classes() const { return classes_; }
  const HeadInputs& inputs() const { return inputs_; }

 protected:
  HeadImpl(Architecture architecture, int classes, double dropout_rate, HeadInputs inputs);
  // Keras' inverted dropout: keeps each value with probability 1 - rate and
  // scales the kept ones by 1 / (1 - rate). `mask_shape` may have size-1
  // dimensions that broadcast over `values`.
  torch::Tensor drop(const torch::Tensor& values, at::IntArrayRef mask_shape, DropoutMasks* dropout) const;
  // The mask `drop` multiplies by (drawn from `dropout` in the same order), or
  // an undefined tensor in evaluation or without dropout.
  torch::Tensor dropout_mask(at::IntArrayRef shape, DropoutMasks* dropout) const;

 private:
  Architecture architecture_;
  int classes_;
  double dropout_rate_;
  HeadInputs inputs_;
};

// A new head with Keras-default initial weights drawn from `init_seed`.
// A ConfigError when context inputs come without statistics, or mean and
// standard deviation differ in size.
std::shared_ptr<HeadImpl> make_head(Architecture architecture, int classes, std::uint64_t init_seed,
                                    double dropout_rate = kDefaultDropout, const HeadInputs& inputs = {});

// The head's weights (and, with context inputs, its input set and
// standardisation) as bytes (a LibTorch archive) and back. Loading checks
// that the bytes hold every parameter and buffer with the right shape;
// load_head reads the input set from the bytes (none stored: visual).
std::string save_head_weights(const HeadImpl& head);
void load_head_weights(HeadImpl& head, const std::string& bytes);
std::shared_ptr<HeadImpl> load_head(Architecture architecture, int classes, const std::string& bytes);

// [N, K] float64 probabilities from logits: softmax, or [1 - p, p] with
// p = sigmoid(logit) for two classes (computed in float64 so the two columns
// are exact complements).
torch::Tensor class_probabilities(const torch::Tensor& logits, int classes);

// The mean loss of a batch: binary cross-entropy on the logit for two classes,
// cross-entropy otherwise. `targets` are int64 class indices.
torch::Tensor classification_loss(const torch::Tensor& logits, const torch::Tensor& targets, int classes);

// M17's input: a video [N, 15, 1280] (or one [15, 1280]) becomes its
// element-wise maximum over frames.
torch::Tensor maximum_over_frames(const torch::Tensor& videos);

// M16's input: image embeddings [N, 1280] as static sequences [N, 15, 1280].
torch::Tensor static_sequences(const torch::Tensor& images, int frames = kVideoFrames);

}  // namespace popsweep::train
