#include "bench/backbone_profile_layers.h"

#include <ATen/record_function.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace popsweep::bench {
namespace {

LayerRecorder* active_recorder = nullptr;
std::thread::id recording_thread;
thread_local int op_depth = 0;

struct OpStart : at::ObserverContext {
  std::chrono::steady_clock::time_point start;
};

std::vector<std::int64_t> int_list(const c10::IValue& value) { return value.toIntVector(); }

// Multiply-adds of a conv2d or linear call from its argument shapes; 0 for
// other ops.
double multiply_adds_of(const at::RecordFunction& fn) {
  const char* name = fn.name();
  const auto inputs = fn.inputs();
  if (std::strcmp(name, "aten::conv2d") == 0 && inputs.size() >= 7 && inputs[0].isTensor()) {
    const auto input = inputs[0].toTensor().sizes();
    const auto weight = inputs[1].toTensor().sizes();
    const auto stride = int_list(inputs[3]);
    const auto padding = int_list(inputs[4]);
    const auto dilation = int_list(inputs[5]);
    double pixels = 1;
    for (int d = 0; d < 2; ++d) {
      const std::int64_t size = input[2 + d];
      const std::int64_t kernel = weight[2 + d];
      pixels *= static_cast<double>((size + 2 * padding[d] - dilation[d] * (kernel - 1) - 1) / stride[d] + 1);
    }
    // weight: [out, in / groups, kh, kw]; each output value takes in/groups*kh*kw.
    return static_cast<double>(input[0]) * pixels * static_cast<double>(weight[0] * weight[1] * weight[2] * weight[3]);
  }
  if (std::strcmp(name, "aten::linear") == 0 && inputs.size() >= 2 && inputs[0].isTensor()) {
    const auto input = inputs[0].toTensor();
    const auto weight = inputs[1].toTensor().sizes();
    return static_cast<double>(input.numel() / input.size(-1)) * static_cast<double>(weight[0] * weight[1]);
  }
  return 0;
}

std::unique_ptr<at::ObserverContext> on_start(const at::RecordFunction& fn) {
  if (active_recorder == nullptr || std::this_thread::get_id() != recording_thread) return nullptr;
  if (op_depth++ > 0) return nullptr;
  active_recorder->op_started(fn.name(), multiply_adds_of(fn));
  auto context = std::make_unique<OpStart>();
  context->start = std::chrono::steady_clock::now();
  return context;
}

void on_end(const at::RecordFunction&, at::ObserverContext* context) {
  if (active_recorder == nullptr || std::this_thread::get_id() != recording_thread) return;
  --op_depth;
  if (context == nullptr) return;
  const auto start = static_cast<OpStart*>(context)->start;
  active_recorder->op_ended(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

void add_conv(std::vector<ConvLabel>& order, const std::string& block, const std::string& part) {
  order.push_back({block, part});
}

}  // namespace

std::vector<ConvLabel> frozen_conv_order(const nets::EfficientNetB0& model) {
  std::vector<ConvLabel> order;
  add_conv(order, "features.0 (stem)", "stem 3x3");
  for (std::size_t stage = 0; stage < model->stages.size(); ++stage) {
    for (std::size_t index = 0; index < model->stages[stage].size(); ++index) {
      const nets::MBConv& block = model->stages[stage][index];
      const std::string name = "features." + std::to_string(stage + 1) + "." + std::to_string(index);
      if (block->expand) add_conv(order, name, "expand 1x1");
      const auto kernel = block->depthwise->conv->weight.size(2);
      add_conv(order, name, "depthwise " + std::to_string(kernel) + "x" + std::to_string(kernel));
      add_conv(order, name, "project 1x1");
    }
  }
  add_conv(order, "features.8 (head)", "head 1x1");
  return order;
}

LayerRecorder::LayerRecorder(std::vector<ConvLabel> conv_order) : conv_order_(std::move(conv_order)) {
  if (active_recorder != nullptr) throw std::logic_error("only one LayerRecorder at a time");
  active_recorder = this;
  recording_thread = std::this_thread::get_id();
  handle_ = at::addGlobalCallback(at::RecordFunctionCallback(on_start, on_end).needsInputs(true));
}

LayerRecorder::~LayerRecorder() {
  at::removeCallback(handle_);
  active_recorder = nullptr;
}

void LayerRecorder::begin_pass() {
  next_conv_ = 0;
  block_ = "input";
  part_ = "layout";
}

void LayerRecorder::op_started(const char* name, double multiply_adds) {
  const std::string op = name;
  if (op == "aten::conv2d") {
    if (next_conv_ >= conv_order_.size()) throw std::logic_error("more conv2d calls than the architecture has");
    block_ = conv_order_[next_conv_].block;
    part_ = conv_order_[next_conv_].part;
    ++next_conv_;
  } else if (op == "aten::silu_" || op == "aten::silu") {
    // The SiLU after a conv; the one on the squeezed vector is negligible.
    part_ = part_.rfind("squeeze", 0) == 0 ? part_ : "silu";
  } else if (op == "aten::mean" && next_conv_ == conv_order_.size()) {
    part_ = "global pool";
  } else if (op == "aten::mean" || op == "aten::linear" || op == "aten::sigmoid_" || op == "aten::mul") {
    part_ = "squeeze-excitation";
  } else if (op == "aten::add_" || op == "aten::add") {
    part_ = "residual add";
  } else if (next_conv_ > 0) {
    part_ = "other (" + op + ")";
  }
  pending_multiply_adds_ = multiply_adds;
  if (std::find(profile_.block_order.begin(), profile_.block_order.end(), block_) == profile_.block_order.end()) {
    profile_.block_order.push_back(block_);
  }
}

void LayerRecorder::op_ended(double seconds) {
  for (LayerTotals* totals :
       {&profile_.by_block[block_], &profile_.by_part[part_], &profile_.by_block_part[block_ + "|" + part_]}) {
    totals->multiply_adds += pending_multiply_adds_;
    totals->seconds += seconds;
    ++totals->calls;
  }
  pending_multiply_adds_ = 0;
}

}  // namespace popsweep::bench
