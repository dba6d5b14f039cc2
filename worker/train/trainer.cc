#include "worker/train/trainer.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <sstream>

#include "common/error.h"
#include "common/fault_points.h"
#include "worker/train/finetune_head.h"
#include "worker/train/seeds.h"

namespace popsweep::train {
namespace {

constexpr const char* kResumeFormat = "popsweep.train.resume.v1";
const double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kFinetuneEvaluationBatch = 64;

torch::Tensor class_tensor(const std::vector<int>& classes, int class_count, const char* what) {
  std::vector<std::int64_t> values(classes.begin(), classes.end());
  for (const std::int64_t c : values) {
    if (c < 0 || c >= class_count) {
      throw Error(std::string(what) + ": class " + std::to_string(c) + " outside 0.." + std::to_string(class_count - 1));
    }
  }
  return torch::tensor(values, torch::kLong);
}

// Inputs as float32 and contiguous, so batches are gathered with one
// index_select from one block of memory.
torch::Tensor checked_inputs(const torch::Tensor& inputs, Architecture architecture, std::int64_t width,
                             size_t items, const char* what) {
  const int64_t dims = takes_sequences(architecture) ? 3 : 2;
  if (items == 0 && !inputs.defined()) {
    return dims == 3 ? torch::empty({0, kVideoFrames, width}) : torch::empty({0, width});
  }
  if (!inputs.defined() || inputs.dim() != dims || inputs.size(0) != static_cast<int64_t>(items) ||
      inputs.size(dims - 1) != width) {
    throw Error(std::string(what) + ": " + architecture_name(architecture) + " expects " +
                std::to_string(items) + (dims == 3 ? " sequences [N, frames, " : " embeddings [N, ") +
                std::to_string(width) + "], got " +
                (inputs.defined() ? c10::str(inputs.sizes()) : std::string("nothing")));
  }
  return inputs.to(torch::kFloat32).contiguous();
}

int64_t count_correct(const torch::Tensor& logits, const torch::Tensor& targets, int classes) {
  const torch::Tensor predicted = classes == 2 ? (logits.reshape({-1}) > 0).to(torch::kLong) : logits.argmax(1);
  return predicted.eq(targets).sum().item<int64_t>();
}

ClassProbabilities to_class_probabilities(const torch::Tensor& probabilities, int classes) {
  const torch::Tensor values = probabilities.to(torch::kFloat64).contiguous();
  const double* begin = values.data_ptr<double>();
  return {classes, std::vector<double>(begin, begin + values.numel())};
}

torch::Tensor probabilities_tensor(const ClassProbabilities& probabilities) {
  const auto items = static_cast<int64_t>(probabilities.items());
  return torch::tensor(probabilities.values, torch::kFloat64).reshape({items, probabilities.classes});
}

torch::Tensor bytes_tensor(const std::string& bytes) {
  return torch::from_blob(const_cast<char*>(bytes.data()), {static_cast<int64_t>(bytes.size())}, torch::kUInt8).clone();
}

std::string tensor_bytes(const torch::Tensor& tensor) {
  const torch::Tensor contiguous = tensor.contiguous();
  const auto* begin = reinterpret_cast<const char*>(contiguous.data_ptr<uint8_t>());
  return std::string(begin, begin + contiguous.numel());
}

}  // namespace

Trainer::Trainer(Architecture architecture, int classes, TrainingData data, TrainSettings settings, std::uint64_t seed)
    : architecture_(architecture), classes_(classes), data_(std::move(data)), settings_(settings), seed_(seed) {
  head_outputs(classes);  // validates the class count
  if (settings_.epochs < 1 || settings_.batch_size < 1 || settings_.evaluation_batch < 1) {
    throw ConfigError("training needs at least one epoch, a batch size and an evaluation batch of at least 1");
  }
  if (data_.train_classes.empty()) throw Error("training: no training items");
  const bool fine_tunes = static_cast<bool>(settings_.backbone_tail);
  // A copy: training changes the tail, and the caller's stays as given.
  if (fine_tunes) settings_.backbone_tail = nets::BackboneTail(settings_.backbone_tail->copy());
  if (fine_tunes && settings_.inputs.set != InputSet::kVisual) {
    throw ConfigError(
        "train.finetune_blocks needs train.inputs visual: the tail's features are the head's only input");
  }
  const std::int64_t width = fine_tunes
                                 ? settings_.backbone_tail->description().input_width()
                                 : head_input_width(settings_.inputs.set, settings_.inputs.context_width());
  data_.train_inputs =
      checked_inputs(data_.train_inputs, architecture, width, data_.train_classes.size(), "training inputs");
  data_.validation_inputs = checked_inputs(data_.validation_inputs, architecture, width,
                                           data_.validation_classes.size(), "validation inputs");
  train_targets_ = class_tensor(data_.train_classes, classes, "training labels");
  validation_targets_ = class_tensor(data_.validation_classes, classes, "validation labels");
  if (settings_.threads > 0 && at::get_num_threads() != settings_.threads)
    at::set_num_threads(settings_.threads);
  const std::uint64_t init_seed = mix_seed(seed, std::string_view("init"));
  head_ = fine_tunes ? make_finetuned_head(architecture, classes, init_seed, settings_.dropout,
                                           settings_.backbone_tail)
                     : make_head(architecture, classes, init_seed, settings_.dropout, settings_.inputs);
  const auto* fine_tuned = dynamic_cast<const FinetunedHead*>(head_.get());
  const std::vector<torch::Tensor> backbone =
      fine_tuned ? fine_tuned->backbone_parameters() : std::vector<torch::Tensor>{};
  std::vector<torch::Tensor> own;
  for (const torch::Tensor& parameter : trainable_parameters()) {
    const bool in_backbone = std::any_of(backbone.begin(), backbone.end(),
                                         [&](const torch::Tensor& b) { return b.is_same(parameter); });
    if (!in_backbone) own.push_back(parameter);
  }
  optimizer_ = std::make_unique<KerasAdam>(own, settings_.adam);
  if (!backbone.empty()) {
    AdamSettings adam = settings_.adam;
    adam.learning_rate = settings_.backbone_learning_rate;
    backbone_optimizer_ = std::make_unique<KerasAdam>(backbone, adam);
  }
}

// Frozen parameters (a fine-tuned tail's batch norms) are left out of the
// steps and of the gang's gradient sums.
std::vector<torch::Tensor> Trainer::trainable_parameters() const {
  std::vector<torch::Tensor> trainable;
  for (const torch::Tensor& parameter : head_->parameters()) {
    if (parameter.requires_grad()) trainable.push_back(parameter);
  }
  return trainable;
}

void Trainer::zero_grad() {
  optimizer_->zero_grad();
  if (backbone_optimizer_) backbone_optimizer_->zero_grad();
}

void Trainer::step() {
  optimizer_->step();
  if (backbone_optimizer_) backbone_optimizer_->step();
}

torch::Tensor Trainer::epoch_inputs(int epoch, const std::vector<int64_t>& order) const {
  torch::Tensor view;
  if (settings_.collective != nullptr && data_.training_rows_for_epoch) {
    std::vector<int64_t> mine;
    const auto n = static_cast<int64_t>(order.size());
    for (int64_t start = 0; start < n; start += settings_.batch_size) {
      const BatchShare share = batch_share(start, std::min<int64_t>(settings_.batch_size, n - start));
      mine.insert(mine.end(), order.begin() + share.first, order.begin() + share.first + share.count);
    }
    view = data_.training_rows_for_epoch(epoch, mine);
  } else if (data_.training_inputs_for_epoch) {
    view = data_.training_inputs_for_epoch(epoch);
  } else {
    return data_.train_inputs;
  }
  if (!view.defined() || !view.sizes().equals(data_.train_inputs.sizes())) {
    throw Error("epoch " + std::to_string(epoch) + ": the view sampler returned " +
                (view.defined() ? c10::str(view.sizes()) : std::string("nothing")) + ", expected " +
                c10::str(data_.train_inputs.sizes()));
  }
  return view.to(torch::kFloat32).contiguous();
}

Trainer::BatchShare Trainer::batch_share(int64_t start, int64_t size) const {
  if (settings_.collective == nullptr) return {start, size};
  const int64_t rank = settings_.collective->rank(), ranks = settings_.collective->size();
  const int64_t first = start + size * rank / ranks;
  return {first, start + size * (rank + 1) / ranks - first};
}

void Trainer::train_batches(int epoch, EpochMetrics& metrics) {
  const int64_t n = data_.train_inputs.size(0);
  std::mt19937_64 shuffle(
      mix_seed(mix_seed(seed_, std::string_view("shuffle")), static_cast<std::uint64_t>(epoch)));
  std::vector<int64_t> order = shuffled_indices(n, shuffle);
  const torch::Tensor inputs = epoch_inputs(epoch, order);
  const torch::Tensor order_tensor = torch::from_blob(order.data(), {n}, torch::kLong);
  DropoutMasks dropout(mix_seed(mix_seed(seed_, std::string_view("dropout")), static_cast<std::uint64_t>(epoch)));
  head_->train();
  double loss_sum = 0;
  int64_t correct = 0;
  for (int64_t start = 0; start < n; start += settings_.batch_size) {
    const int64_t size = std::min<int64_t>(settings_.batch_size, n - start);
    if (settings_.collective != nullptr) {
      step_on_share(inputs, order_tensor, start, size, dropout, loss_sum, correct);
      continue;
    }
    const torch::Tensor rows = order_tensor.narrow(0, start, size);
    const torch::Tensor targets = train_targets_.index_select(0, rows);
    zero_grad();
    const torch::Tensor logits = head_->logits(inputs.index_select(0, rows), &dropout);
    const torch::Tensor loss = classification_loss(logits, targets, classes_);
    loss.backward();
    step();
    fault_point("train.mid_epoch");
    loss_sum += loss.item<double>() * static_cast<double>(size);
    correct += count_correct(logits.detach(), targets, classes_);
  }
  if (settings_.collective != nullptr) {
    torch::Tensor totals = torch::tensor({loss_sum, static_cast<double>(correct)}, torch::kFloat64);
    settings_.collective->all_reduce_sum(totals);
    loss_sum = totals[0].item<double>();
    correct = std::llround(totals[1].item<double>());
  }
  metrics.train_loss = loss_sum / static_cast<double>(n);
  metrics.train_accuracy = static_cast<double>(correct) / static_cast<double>(n);
}

// One data-parallel step: this rank's share of the batch [start, start +
// size) of `order`, its gradient scaled to count / size of the share's mean
// (so the ranks' sum is the batch mean's gradient), summed over the gang in
// float64, then the step every rank takes alike.
void Trainer::step_on_share(const torch::Tensor& inputs, const torch::Tensor& order, int64_t start,
                            int64_t size, DropoutMasks& dropout, double& loss_sum, int64_t& correct) {
  const BatchShare share = batch_share(start, size);
  zero_grad();
  dropout.share_batch(share.first - start, share.count, size);
  if (share.count > 0) {
    const torch::Tensor rows = order.narrow(0, share.first, share.count);
    const torch::Tensor targets = train_targets_.index_select(0, rows);
    const torch::Tensor logits = head_->logits(inputs.index_select(0, rows), &dropout);
    const torch::Tensor loss = classification_loss(logits, targets, classes_);
    (loss * (static_cast<double>(share.count) / static_cast<double>(size))).backward();
    loss_sum += loss.item<double>() * static_cast<double>(share.count);
    correct += count_correct(logits.detach(), targets, classes_);
  } else {
    // No rows here (a last batch smaller than the gang): the batch's masks
    // are still drawn, so this rank's stream stays in step with the others.
    torch::NoGradGuard no_grad;
    head_->logits(inputs.narrow(0, 0, 0), &dropout);
  }
  dropout.share_batch(0, 0, 0);
  std::vector<torch::Tensor> parameters = trainable_parameters();
  std::vector<torch::Tensor> gradients;
  for (const torch::Tensor& parameter : parameters) {
    gradients.push_back(parameter.grad().defined() ? parameter.grad().reshape({-1}).to(torch::kFloat64)
                                                   : torch::zeros({parameter.numel()}, torch::kFloat64));
  }
  torch::Tensor summed = torch::cat(gradients);
  settings_.collective->all_reduce_sum(summed);
  int64_t offset = 0;
  for (torch::Tensor& parameter : parameters) {
    const torch::Tensor part = summed.narrow(0, offset, parameter.numel()).view(parameter.sizes());
    if (!parameter.grad().defined()) parameter.mutable_grad() = torch::zeros_like(parameter);
    parameter.mutable_grad().copy_(part);
    offset += parameter.numel();
  }
  step();
  fault_point("train.mid_epoch");
}

void Trainer::evaluate(EpochMetrics& metrics) {
  const int64_t n = data_.validation_inputs.size(0);
  if (n == 0) {
    metrics.validation_loss = metrics.validation_accuracy = kNaN;
    last_probabilities_ = {classes_, {}};
    return;
  }
  torch::NoGradGuard no_grad;
  head_->eval();
  std::vector<torch::Tensor> chunks;
  // A tail's activations are a few hundred KB per item: smaller chunks.
  const int64_t chunk = settings_.backbone_tail
                            ? std::min(settings_.evaluation_batch, kFinetuneEvaluationBatch)
                            : settings_.evaluation_batch;
  for (int64_t start = 0; start < n; start += chunk) {
    const int64_t size = std::min<int64_t>(chunk, n - start);
    chunks.push_back(head_->logits(data_.validation_inputs.narrow(0, start, size), nullptr));
  }
  const torch::Tensor logits = torch::cat(chunks);
  metrics.validation_loss = classification_loss(logits, validation_targets_, classes_).item<double>();
  last_probabilities_ = to_class_probabilities(class_probabilities(logits, classes_), classes_);
  metrics.validation_accuracy = accuracy(data_.validation_classes, predicted_classes(last_probabilities_));
}

const EpochMetrics& Trainer::run_epoch() {
  if (finished()) throw Error("training: all " + std::to_string(settings_.epochs) + " epochs are done");
  EpochMetrics metrics;
  metrics.epoch = epochs_done() + 1;
  train_batches(metrics.epoch, metrics);
  evaluate(metrics);
  // Strictly better only, so the first of equal epochs stays (Keras' 'max').
  // Without validation items the accuracy is NaN and the latest epoch wins.
  const bool improves = best_epoch_ == 0 || std::isnan(metrics.validation_accuracy) ||
                        metrics.validation_accuracy > history_[static_cast<size_t>(best_epoch_ - 1)].validation_accuracy;
  history_.push_back(metrics);
  if (improves) {
    best_epoch_ = metrics.epoch;
    best_weights_ = save_head_weights(*head_);
    best_probabilities_ = last_probabilities_;
  }
  return history_.back();
}

TrainOutcome Trainer::outcome() const {
  TrainOutcome outcome;
  outcome.completed = finished();
  outcome.history = history_;
  outcome.best_epoch = best_epoch_;
  outcome.best_probabilities = best_probabilities_;
  outcome.last_probabilities = last_probabilities_;
  outcome.best_predicted = predicted_classes(best_probabilities_);
  outcome.last_predicted = predicted_classes(last_probabilities_);
  outcome.training_majority_class = majority_class(data_.train_classes);
  outcome.majority_baseline_accuracy =
      data_.validation_classes.empty() ? kNaN
                                       : majority_baseline_accuracy(data_.train_classes, data_.validation_classes);
  outcome.best_weights = best_weights_;
  outcome.threads = at::get_num_threads();
  return outcome;
}

std::string Trainer::save_resume_state() const {
  torch::serialize::OutputArchive archive;
  archive.write("format", c10::IValue(std::string(kResumeFormat)));
  archive.write("architecture", c10::IValue(architecture_name(architecture_)));
  archive.write("classes", c10::IValue(static_cast<int64_t>(classes_)));
  archive.write("seed", c10::IValue(static_cast<int64_t>(seed_)));  // bit pattern kept by the round trip
  archive.write("train_items", c10::IValue(data_.train_inputs.size(0)));
  archive.write("validation_items", c10::IValue(data_.validation_inputs.size(0)));
  archive.write("head", bytes_tensor(save_head_weights(*head_)));
  torch::serialize::OutputArchive adam;
  optimizer_->save(adam);
  archive.write("adam", adam);
  if (backbone_optimizer_) {
    torch::serialize::OutputArchive backbone_adam;
    backbone_optimizer_->save(backbone_adam);
    archive.write("backbone_adam", backbone_adam);
  }
  std::vector<double> history;
  for (const EpochMetrics& m : history_) {
    history.insert(history.end(), {m.train_loss, m.train_accuracy, m.validation_loss, m.validation_accuracy});
  }
  archive.write("history", torch::tensor(history, torch::kFloat64).reshape({epochs_done(), 4}));
  archive.write("best_epoch", c10::IValue(static_cast<int64_t>(best_epoch_)));
  archive.write("best_weights", bytes_tensor(best_weights_));
  archive.write("best_probabilities", probabilities_tensor(best_probabilities_));
  archive.write("last_probabilities", probabilities_tensor(last_probabilities_));
  std::ostringstream bytes;
  archive.save_to(bytes);
  return bytes.str();
}

void Trainer::load_resume_state(const std::string& bytes) {
  torch::serialize::InputArchive archive;
  std::istringstream stream(bytes);
  try {
    archive.load_from(stream);
  } catch (const c10::Error& error) {
    throw Error(std::string("resume state: not a LibTorch archive (") + error.what_without_backtrace() + ")");
  }
  auto read = [&archive](const char* key) {
    c10::IValue value;
    if (!archive.try_read(key, value)) throw Error(std::string("resume state: missing ") + key);
    return value;
  };
  auto expect = [](bool same, const std::string& what) {
    if (!same) throw Error("resume state belongs to another job: its " + what + " differs");
  };
  expect(read("format").toStringRef() == kResumeFormat, "format");
  expect(read("architecture").toStringRef() == architecture_name(architecture_), "architecture");
  expect(read("classes").toInt() == classes_, "number of classes");
  expect(static_cast<std::uint64_t>(read("seed").toInt()) == seed_, "seed");
  expect(read("train_items").toInt() == data_.train_inputs.size(0), "number of training items");
  expect(read("validation_items").toInt() == data_.validation_inputs.size(0), "number of validation items");

  torch::Tensor head, history, best_weights, best_probabilities, last_probabilities;
  archive.read("head", head);
  archive.read("history", history);
  archive.read("best_weights", best_weights);
  archive.read("best_probabilities", best_probabilities);
  archive.read("last_probabilities", last_probabilities);
  load_head_weights(*head_, tensor_bytes(head));
  torch::serialize::InputArchive adam;
  archive.read("adam", adam);
  optimizer_->load(adam);
  if (backbone_optimizer_) {
    torch::serialize::InputArchive backbone_adam;
    if (!archive.try_read("backbone_adam", backbone_adam)) throw Error("resume state: missing backbone_adam");
    backbone_optimizer_->load(backbone_adam);
  }
  history_.clear();
  const auto rows = history.accessor<double, 2>();
  for (int64_t e = 0; e < history.size(0); ++e) {
    history_.push_back({static_cast<int>(e + 1), rows[e][0], rows[e][1], rows[e][2], rows[e][3]});
  }
  best_epoch_ = static_cast<int>(read("best_epoch").toInt());
  best_weights_ = tensor_bytes(best_weights);
  best_probabilities_ = to_class_probabilities(best_probabilities, classes_);
  last_probabilities_ = to_class_probabilities(last_probabilities, classes_);
}

TrainOutcome train(Architecture architecture, int classes, const TrainingData& data, const TrainSettings& settings,
                   std::uint64_t seed, const EpochCallback& after_epoch, const std::string& resume_state) {
  Trainer trainer(architecture, classes, data, settings, seed);
  if (!resume_state.empty()) trainer.load_resume_state(resume_state);
  while (!trainer.finished()) {
    const EpochMetrics& metrics = trainer.run_epoch();
    fault_point("train.epoch_boundary");
    if (after_epoch && after_epoch(metrics, trainer) == AfterEpoch::kStop) break;
  }
  return trainer.outcome();
}

}  // namespace popsweep::train
