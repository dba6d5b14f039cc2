#include "worker/train/heads.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <cmath>
#include <cstring>
#include <sstream>

#include "common/error.h"
#include "worker/train/finetune_head.h"
#include "worker/train/gru_recurrence.h"
#include "worker/train/seeds.h"

namespace popsweep::train {
namespace {

// Keras' glorot_uniform: U(-l, l), l = sqrt(6 / (fan_in + fan_out)). LibTorch
// stores kernels as [outputs, inputs], Keras as [inputs, outputs]; the fans,
// and so the distribution, are the same.
void glorot_uniform(torch::Tensor& weight, at::Generator& generator) {
  const double fan_out = static_cast<double>(weight.size(0)), fan_in = static_cast<double>(weight.size(1));
  const double limit = std::sqrt(6.0 / (fan_in + fan_out));
  weight.uniform_(-limit, limit, generator);
}

// Keras' orthogonal initializer for a recurrent kernel: the Q of a QR
// decomposition of a standard normal matrix, columns signed by R's diagonal
// so the result is uniformly distributed. Keras' kernel is [units, 3 units]
// with orthonormal rows; LibTorch's weight_hh is its transpose, [3 units,
// units], with orthonormal columns, which is what the reduced QR gives.
void orthogonal(torch::Tensor& weight, at::Generator& generator) {
  const torch::Tensor normal = torch::empty(weight.sizes(), weight.options()).normal_(0.0, 1.0, generator);
  // at::linalg_qr rather than torch::linalg::qr: Debian's LibTorch 2.6 does
  // not ship torch/linalg.h; ATen's function exists in 1.13 and every 2.x.
  const auto [q, r] = at::linalg_qr(normal.to(torch::kFloat64), "reduced");
  weight.copy_(q * torch::sign(r.diagonal()).unsqueeze(0));
}

// Which of the sequences [N, T, F] have every frame bitwise equal to their
// first: exactly those whose frames all project to the same row. On the CPU a
// memcmp per frame, which stops at the first differing byte of a real video;
// elsewhere the same test as tensor operations.
torch::Tensor still_sequences(const torch::Tensor& inputs) {
  if (!inputs.device().is_cpu()) return inputs.eq(inputs.select(1, 0).unsqueeze(1)).all(2).all(1);
  const torch::Tensor values = inputs.contiguous();
  const int64_t items = values.size(0), steps = values.size(1);
  const size_t frame_bytes = static_cast<size_t>(values.size(2)) * values.element_size();
  torch::Tensor still = torch::empty({items}, torch::kBool);
  bool* out = still.data_ptr<bool>();
  const auto* bytes = static_cast<const unsigned char*>(values.data_ptr());
  for (int64_t item = 0; item < items; ++item) {
    const unsigned char* first = bytes + static_cast<size_t>(item * steps) * frame_bytes;
    bool same = true;
    for (int64_t t = 1; t < steps && same; ++t) same = std::memcmp(first, first + t * frame_bytes, frame_bytes) == 0;
    out[item] = same;
  }
  return still;
}

// M14 and M17: dropout, then one dense layer.
class ImageHead : public HeadImpl {
 public:
  ImageHead(Architecture architecture, int classes, double dropout_rate, const HeadInputs& inputs,
            at::Generator& generator)
      : HeadImpl(architecture, classes, dropout_rate, inputs),
        output_(register_module(
            "output", std::make_shared<DenseLayer>(head_input_width(inputs.set, inputs.context_width()),
                                                   head_outputs(classes), generator))) {}

  torch::Tensor logits(const torch::Tensor& inputs, DropoutMasks* dropout) override {
    return output_->forward(drop(inputs, inputs.sizes(), dropout));
  }

 private:
  std::shared_ptr<DenseLayer> output_;
};

// M15 and M16 (with context inputs, see HeadInputs: context alone runs
// through the GRUs as a static sequence; visual+context joins the context
// to the second GRU's last state, before the dropout and the dense layers).
// Keras' GRU(dropout=0.2) draws one mask per sequence and input
// feature and applies it at every time step, so the mask is [N, 1, features]
// and broadcasts over time; it multiplies the inputs before LibTorch's fused
// GRU, which then computes exactly Keras' reset_after=True cell. The dense
// layer between the GRUs and the output uses ReLU (choice: the paper names no
// activation, and a linear layer there would only be a factorised output
// layer).
class SequenceHead : public HeadImpl {
 public:
  SequenceHead(Architecture architecture, int classes, double dropout_rate, const HeadInputs& inputs,
               at::Generator& generator)
      : HeadImpl(architecture, classes, dropout_rate, inputs),
        sequence_width_(inputs.set == InputSet::kContext ? inputs.context_width() : kEmbeddingSize),
        joined_width_(inputs.set == InputSet::kVisualContext ? inputs.context_width() : 0),
        first_gru_(register_module("first_gru",
                                   std::make_shared<GruLayer>(sequence_width_, kFirstGruUnits, generator))),
        second_gru_(register_module("second_gru",
                                    std::make_shared<GruLayer>(kFirstGruUnits, kSecondGruUnits, generator))),
        hidden_(register_module("hidden", std::make_shared<DenseLayer>(kSecondGruUnits + joined_width_,
                                                                       kRecurrentDenseUnits, generator))),
        output_(register_module(
            "output", std::make_shared<DenseLayer>(kRecurrentDenseUnits, head_outputs(classes), generator))) {
  }

  torch::Tensor logits(const torch::Tensor& inputs, DropoutMasks* dropout) override {
    const int64_t n = inputs.size(0);
    const torch::Tensor sequences = joined_width_ > 0 ? inputs.narrow(2, 0, sequence_width_) : inputs;
    const torch::Tensor first = std::get<0>(first_gru_->recur(first_projection(sequences, dropout)));
    torch::Tensor last = std::get<1>(second_gru_->forward(drop(first, {n, 1, first.size(2)}, dropout)));
    if (joined_width_ > 0)
      last = torch::cat({last, inputs.select(1, 0).narrow(1, sequence_width_, joined_width_)}, 1);
    const torch::Tensor hidden = torch::relu(hidden_->forward(drop(last, last.sizes(), dropout)));
    return output_->forward(hidden);
  }

 private:
  // The first GRU's input projection, the head's dominant cost (1280 x 24
  // multiply-adds per frame). M16 trains on images as static sequences: 15
  // copies of one embedding, and the dropout mask is shared by every step, so
  // such an item's 15 projected rows are equal and are computed once and
  // broadcast (autograd sums their gradients back). Any sequence whose frames
  // are all equal takes this path, so the result does not depend on where the
  // item came from.
  torch::Tensor first_projection(const torch::Tensor& inputs, DropoutMasks* dropout) const {
    const int64_t n = inputs.size(0), steps = inputs.size(1), features = inputs.size(2);
    const torch::Tensor mask = dropout_mask({n, 1, features}, dropout);
    // Every frame of the sequences at `rows` (all of them when undefined).
    auto project_every_frame = [&](const torch::Tensor& rows) {
      const torch::Tensor sequences = rows.defined() ? inputs.index_select(0, rows) : inputs;
      const torch::Tensor masked =
          mask.defined() ? sequences * (rows.defined() ? mask.index_select(0, rows) : mask) : sequences;
      // The width named, not -1: a rank without rows projects 0 sequences.
      const torch::Tensor projected = first_gru_->project(masked.reshape({-1, features}));
      return projected.reshape({sequences.size(0), steps, projected.size(1)});
    };
    const torch::Tensor still = still_sequences(inputs);
    const int64_t still_count = still.sum().item<int64_t>();
    if (still_count == 0) return project_every_frame({});
    const torch::Tensor still_rows = torch::nonzero(still).squeeze(1);
    const torch::Tensor moving_rows = torch::nonzero(still.logical_not()).squeeze(1);
    // Frame 0 stands for every frame of a still item; its mask row for every step.
    const torch::Tensor still_inputs = inputs.select(1, 0).index_select(0, still_rows);
    const torch::Tensor still_projected = first_gru_->project(
        mask.defined() ? still_inputs * mask.index_select(0, still_rows).squeeze(1) : still_inputs);
    std::vector<torch::Tensor> parts = {still_projected.unsqueeze(1).expand({still_count, steps, -1})};
    if (still_count < n) parts.push_back(project_every_frame(moving_rows));
    // Back to the batch's order: position of item i in [still..., moving...].
    const torch::Tensor order = torch::cat({still_rows, moving_rows});
    const torch::Tensor inverse = torch::empty_like(order).index_put_({order}, torch::arange(n, order.options()));
    return torch::cat(parts).index_select(0, inverse);
  }

  int64_t sequence_width_;  // what the first GRU reads per frame
  int64_t joined_width_;    // context features joined to the last state (visual+context)
  std::shared_ptr<GruLayer> first_gru_;
  std::shared_ptr<GruLayer> second_gru_;
  std::shared_ptr<DenseLayer> hidden_;
  std::shared_ptr<DenseLayer> output_;
};

constexpr const char* kInputSetKey = "input_set";
constexpr const char* kContextMeanKey = "context_mean";
constexpr const char* kContextStdKey = "context_std";

torch::Tensor float_tensor(const std::vector<float>& values) {
  return torch::tensor(at::ArrayRef<float>(values), torch::kFloat32);
}

std::vector<float> float_values(const torch::Tensor& tensor) {
  const torch::Tensor values = tensor.to(torch::kFloat32).contiguous();
  return std::vector<float>(values.data_ptr<float>(), values.data_ptr<float>() + values.numel());
}

torch::serialize::InputArchive read_archive(const std::string& bytes, const std::string& what) {
  torch::serialize::InputArchive archive;
  try {
    std::istringstream stream(bytes);
    archive.load_from(stream);
  } catch (const c10::Error& error) {
    throw Error(what + ": not a LibTorch archive (" + error.what_without_backtrace() + ")");
  }
  return archive;
}

// Named parameters, then named buffers (the input set and standardisation).
std::vector<std::pair<std::string, torch::Tensor>> stored_tensors(const HeadImpl& head) {
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  for (const auto& parameter : head.named_parameters())
    tensors.emplace_back(parameter.key(), parameter.value());
  for (const auto& buffer : head.named_buffers()) tensors.emplace_back(buffer.key(), buffer.value());
  return tensors;
}

}  // namespace

DenseLayer::DenseLayer(int64_t inputs, int64_t outputs, at::Generator& generator)
    : weight_(register_parameter("weight", torch::empty({outputs, inputs}))),
      bias_(register_parameter("bias", torch::zeros({outputs}))) {
  torch::NoGradGuard no_grad;
  glorot_uniform(weight_, generator);
}

torch::Tensor DenseLayer::forward(const torch::Tensor& inputs) const { return torch::addmm(bias_, inputs, weight_.t()); }

GruLayer::GruLayer(int64_t inputs, int64_t units, at::Generator& generator)
    : units_(units),
      weight_ih_(register_parameter("weight_ih", torch::empty({3 * units, inputs}))),
      weight_hh_(register_parameter("weight_hh", torch::empty({3 * units, units}))),
      bias_ih_(register_parameter("bias_ih", torch::zeros({3 * units}))),
      bias_hh_(register_parameter("bias_hh", torch::zeros({3 * units}))) {
  torch::NoGradGuard no_grad;
  glorot_uniform(weight_ih_, generator);
  orthogonal(weight_hh_, generator);
}

std::tuple<torch::Tensor, torch::Tensor> GruLayer::forward(const torch::Tensor& sequences) const {
  const int64_t items = sequences.size(0), steps = sequences.size(1), features = sequences.size(2);
  return recur(project(sequences.reshape({items * steps, features})).reshape({items, steps, 3 * units_}));
}

torch::Tensor GruLayer::project(const torch::Tensor& rows) const {
  const int64_t count = rows.size(0), features = rows.size(1);
  return torch::conv2d(rows.reshape({count, features, 1, 1}), weight_ih_.view({3 * units_, features, 1, 1}), bias_ih_)
      .reshape({count, 3 * units_});
}

std::tuple<torch::Tensor, torch::Tensor> GruLayer::recur(const torch::Tensor& projected) const {
  const torch::Tensor states = gru_recurrence(projected, weight_hh_, bias_hh_);
  return {states, states.select(1, projected.size(1) - 1)};
}

torch::Tensor DropoutMasks::bernoulli(at::IntArrayRef shape, double keep) {
  if (share_rows_ > 0) {
    if (shape.empty() || shape[0] != share_count_) {
      throw Error("dropout: a mask for " + c10::str(shape) + " asked while sharing rows of a batch of " +
                  std::to_string(share_rows_));
    }
    std::vector<int64_t> whole(shape.begin(), shape.end());
    whole[0] = share_rows_;
    const std::int64_t first = share_first_, count = share_count_, rows = share_rows_;
    share_rows_ = 0;  // the whole batch's mask is drawn unshared
    const torch::Tensor mask = bernoulli(whole, keep).narrow(0, first, count);
    share_batch(first, count, rows);
    return mask;
  }
  torch::Tensor mask = torch::empty(shape, torch::kFloat32);
  float* values = mask.data_ptr<float>();
  const int64_t count = mask.numel();
  const auto threshold = static_cast<std::uint64_t>(std::ldexp(keep, 32));  // keep a value when u32 < threshold
  const auto kept = static_cast<float>(1.0 / keep);
  for (int64_t i = 0; i < count; i += 2) {
    // One SplitMix64 output gives two 32-bit draws.
    const std::uint64_t bits = splitmix64(state_);
    state_ += 0x9E3779B97F4A7C15ULL;
    values[i] = (bits & 0xFFFFFFFFULL) < threshold ? kept : 0.0f;
    if (i + 1 < count) values[i + 1] = (bits >> 32) < threshold ? kept : 0.0f;
  }
  return mask;
}

HeadImpl::HeadImpl(Architecture architecture, int classes, double dropout_rate, HeadInputs inputs)
    : architecture_(architecture),
      classes_(classes),
      dropout_rate_(dropout_rate),
      inputs_(std::move(inputs)) {
  if (!reads_context(inputs_.set)) return;
  if (inputs_.context_width() < 1 || inputs_.context_std.size() != inputs_.context_mean.size()) {
    throw ConfigError("a head with " + input_set_name(inputs_.set) +
                      " inputs needs the mean and standard deviation of every context feature");
  }
  register_buffer(kInputSetKey, torch::tensor({static_cast<int64_t>(inputs_.set)}, torch::kLong));
  register_buffer(kContextMeanKey, float_tensor(inputs_.context_mean));
  register_buffer(kContextStdKey, float_tensor(inputs_.context_std));
}

torch::Tensor HeadImpl::dropout_mask(at::IntArrayRef shape, DropoutMasks* dropout) const {
  if (dropout == nullptr || dropout_rate_ <= 0) return {};
  return dropout->bernoulli(shape, 1.0 - dropout_rate_);
}

torch::Tensor HeadImpl::drop(const torch::Tensor& values, at::IntArrayRef mask_shape, DropoutMasks* dropout) const {
  const torch::Tensor mask = dropout_mask(mask_shape, dropout);
  return mask.defined() ? values * mask : values;
}

std::shared_ptr<HeadImpl> make_head(Architecture architecture, int classes, std::uint64_t init_seed,
                                    double dropout_rate, const HeadInputs& inputs) {
  if (dropout_rate < 0 || dropout_rate >= 1) throw ConfigError("dropout rate must be in [0, 1)");
  at::Generator generator = at::detail::createCPUGenerator(init_seed);
  if (takes_sequences(architecture)) {
    return std::make_shared<SequenceHead>(architecture, classes, dropout_rate, inputs, generator);
  }
  return std::make_shared<ImageHead>(architecture, classes, dropout_rate, inputs, generator);
}

std::string save_head_weights(const HeadImpl& head) {
  torch::serialize::OutputArchive archive;
  for (const auto& [key, value] : stored_tensors(head)) archive.write(key, value);
  std::ostringstream bytes;
  archive.save_to(bytes);
  return bytes.str();
}

void load_head_weights(HeadImpl& head, const std::string& bytes) {
  const std::string what = architecture_name(head.architecture()) + " head weights";
  torch::serialize::InputArchive archive = read_archive(bytes, what);
  torch::NoGradGuard no_grad;
  for (auto& [key, value] : stored_tensors(head)) {
    torch::Tensor stored;
    if (!archive.try_read(key, stored)) throw Error(what + ": missing " + key);
    if (!stored.sizes().equals(value.sizes())) {
      throw Error(what + ": " + key + " has shape " + c10::str(stored.sizes()) + ", expected " +
                  c10::str(value.sizes()));
    }
    // Copy into the existing tensor, so an optimizer holding it keeps working.
    value.copy_(stored);
  }
}

std::shared_ptr<HeadImpl> load_head(Architecture architecture, int classes, const std::string& bytes) {
  HeadInputs inputs;
  torch::serialize::InputArchive archive =
      read_archive(bytes, architecture_name(architecture) + " head weights");
  torch::Tensor set, mean, deviation, tail;
  if (archive.try_read(kBackboneTailDescriptionKey, tail))
    return load_finetuned_head(architecture, classes, tail, bytes);
  if (archive.try_read(kInputSetKey, set) && archive.try_read(kContextMeanKey, mean) &&
      archive.try_read(kContextStdKey, deviation)) {
    const int64_t code = set.item<int64_t>();
    if (code != static_cast<int64_t>(InputSet::kContext) &&
        code != static_cast<int64_t>(InputSet::kVisualContext)) {
      throw Error("head weights: unknown input set " + std::to_string(code) + " stored");
    }
    inputs.set = static_cast<InputSet>(code);
    inputs.context_mean = float_values(mean);
    inputs.context_std = float_values(deviation);
  }
  std::shared_ptr<HeadImpl> head = make_head(architecture, classes, 0, kDefaultDropout, inputs);
  load_head_weights(*head, bytes);
  return head;
}

torch::Tensor class_probabilities(const torch::Tensor& logits, int classes) {
  const torch::Tensor exact = logits.to(torch::kFloat64);
  if (classes == 2) {
    const torch::Tensor p = torch::sigmoid(exact.reshape({-1, 1}));
    return torch::cat({1.0 - p, p}, 1);
  }
  return torch::softmax(exact, 1);
}

torch::Tensor classification_loss(const torch::Tensor& logits, const torch::Tensor& targets, int classes) {
  if (classes == 2) {
    return torch::binary_cross_entropy_with_logits(logits.reshape({-1}), targets.to(logits.scalar_type()));
  }
  return torch::nn::functional::cross_entropy(logits, targets);
}

torch::Tensor maximum_over_frames(const torch::Tensor& videos) {
  if (videos.dim() != 2 && videos.dim() != 3) {
    throw Error("maximum over frames: expected [frames, features] or [N, frames, features], got " +
                c10::str(videos.sizes()));
  }
  return videos.amax(videos.dim() - 2);
}

torch::Tensor static_sequences(const torch::Tensor& images, int frames) {
  if (images.dim() != 2) throw Error("static sequences: expected [N, features], got " + c10::str(images.sizes()));
  return images.unsqueeze(1).expand({images.size(0), frames, images.size(1)}).contiguous();
}

}  // namespace popsweep::train
