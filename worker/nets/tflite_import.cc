#include "worker/nets/tflite_import.h"

#include <cstring>
#include <optional>
#include <sstream>

#include "common/error.h"
#include "worker/nets/byte_reader.h"
#include "worker/nets/mobilenet_v2_architecture.h"
#include "worker/nets/safetensors.h"

namespace popsweep::nets {
namespace {

constexpr double kBatchNormEps = 1e-5;  // torchvision's mobilenet_v2 default

using Kind = TfliteOperatorKind;

bool is(const TfliteOperator& op, Kind kind) { return op.builtin_code == static_cast<std::int32_t>(kind); }

std::string describe_operator(const TfliteModel& model, std::size_t index) {
  const TfliteOperator& op = model.operators[index];
  std::string name = op.custom_code.empty() ? tflite_operator_name(op.builtin_code)
                                            : "custom " + quote_for_message(op.custom_code);
  return "operator " + std::to_string(index) + " (" + name + ")";
}

std::string describe_tensor(const TfliteModel& model, std::int32_t tensor) {
  return "tensor " + std::to_string(tensor) + " " +
         quote_for_message(model.tensors[static_cast<std::size_t>(tensor)].name);
}

std::string describe_shape32(const std::vector<std::int32_t>& shape) {
  return describe_shape(std::vector<std::int64_t>(shape.begin(), shape.end()));
}

std::int64_t element_count(const std::vector<std::int32_t>& shape) {
  std::int64_t count = 1;
  for (const std::int32_t size : shape) {
    if (size < 0 || (size > 0 && count > (std::int64_t{1} << 40) / size)) return -1;
    count *= size;
  }
  return count;
}

std::size_t tflite_element_size(std::int32_t type) {
  switch (type) {
    case 0:
    case 2:
      return 4;  // float32, int32
    case 3:
    case 9:
      return 1;  // uint8, int8
    default:
      return 0;
  }
}

TensorRecord float_record(std::vector<std::int64_t> shape, const std::vector<float>& values) {
  TensorRecord record;
  record.type = ElementType::kFloat32;
  record.strides = contiguous_strides(shape);
  record.shape = std::move(shape);
  auto storage = std::make_shared<std::vector<std::uint8_t>>(values.size() * sizeof(float));
  std::memcpy(storage->data(), values.data(), storage->size());
  record.storage = std::move(storage);
  return record;
}

// Walks the operators in order, matching them to MobileNetV2's layers.
class MobileNetV2Matcher {
 public:
  explicit MobileNetV2Matcher(const TfliteModel& model)
      : model_(model), layers_(mobilenet_v2_conv_layers()) {}

  ImportedWeights run() {
    if (model_.inputs.size() != 1)
      refuse_model("has " + std::to_string(model_.inputs.size()) + " inputs, expected 1");
    current_ = model_.inputs.front();
    for (index_ = 0; index_ < model_.operators.size(); ++index_) step(model_.operators[index_]);
    if (next_layer_ < layers_.size() || !has_classifier_) {
      refuse_model("graph ends before " + (next_layer_ < layers_.size() ? layers_[next_layer_].conv_name
                                                                        : std::string("the classifier")));
    }
    result_.metadata[kMetadataArchitecture] = "mobilenet_v2";
    result_.metadata[kMetadataPadding] = kTensorFlowSamePadding;
    result_.metadata["background_class"] = "0";
    input_normalisation();
    return std::move(result_);
  }

 private:
  [[noreturn]] void refuse_model(const std::string& message) const {
    throw InputError(model_.source, 0, "", "not a MobileNetV2 this importer maps: the model " + message);
  }
  [[noreturn]] void refuse(const std::string& message) const {
    throw InputError(
        model_.source, 0, "",
        "not a MobileNetV2 this importer maps: " + describe_operator(model_, index_) + ": " + message);
  }

  void step(const TfliteOperator& op) {
    if (op.inputs.empty() || op.outputs.size() != 1) refuse("expected inputs and exactly one output");
    if (is(op, Kind::kQuantize) || is(op, Kind::kDequantize)) return pass_through(op);
    if (has_classifier_) {
      if (is(op, Kind::kReshape) || is(op, Kind::kSoftmax) || op.builtin_code == 43 /* SQUEEZE */)
        return pass_through(op);
      refuse("unexpected after the classifier");
    }
    if (pending_add_) return residual_add(op);
    if (next_layer_ < layers_.size()) return convolution(op, layers_[next_layer_]);
    if (!pooled_) return average_pool(op);
    classifier(op);
  }

  void require_input(const TfliteOperator& op) const {
    if (op.inputs[0] != current_) {
      refuse("its input is " + describe_tensor(model_, op.inputs[0]) +
             " but the previous layer's output is " + describe_tensor(model_, current_));
    }
  }

  void pass_through(const TfliteOperator& op) {
    require_input(op);
    current_ = op.outputs[0];
  }

  void residual_add(const TfliteOperator& op) {
    const std::string where = "the residual addition after " + layers_[next_layer_ - 1].conv_name;
    if (!is(op, Kind::kAdd) || op.inputs.size() != 2) refuse("expected " + where);
    const bool joins = (op.inputs[0] == current_ && op.inputs[1] == block_input_) ||
                       (op.inputs[1] == current_ && op.inputs[0] == block_input_);
    if (!joins)
      refuse(where + " must add " + describe_tensor(model_, current_) + " and " +
             describe_tensor(model_, block_input_));
    if (op.options.activation != TfliteActivation::kNone) refuse(where + " must have no activation");
    pending_add_ = false;
    current_ = op.outputs[0];
  }

  void average_pool(const TfliteOperator& op) {
    if (!is(op, Kind::kAveragePool2d))
      refuse("expected the global average pool after " + layers_.back().conv_name);
    require_input(op);
    const std::vector<std::int32_t>& shape = model_.tensors[static_cast<std::size_t>(current_)].shape;
    if (shape.size() != 4 || op.options.filter_h != shape[1] || op.options.filter_w != shape[2]) {
      refuse("the average pool's " + std::to_string(op.options.filter_h) + "x" +
             std::to_string(op.options.filter_w) + " window does not cover the whole " +
             describe_shape32(shape) + " feature map");
    }
    pooled_ = true;
    current_ = op.outputs[0];
  }

  // The filter (and bias) of a conv-like operator, checked against `expected` [out, kh, kw, in].
  void check_filter(const TfliteOperator& op, const std::vector<std::int32_t>& expected,
                    const std::string& name) const {
    if (op.inputs.size() < 3 || op.inputs[1] < 0 || op.inputs[2] < 0)
      refuse("expected input, filter and bias for " + name);
    const TfliteTensor& filter = model_.tensors[static_cast<std::size_t>(op.inputs[1])];
    if (filter.shape != expected) {
      refuse(describe_tensor(model_, op.inputs[1]) + " has shape " + describe_shape32(filter.shape) +
             " but " + name + " needs " + describe_shape32(expected));
    }
    const TfliteTensor& bias = model_.tensors[static_cast<std::size_t>(op.inputs[2])];
    const std::int32_t out = is(op, Kind::kDepthwiseConv2d) ? expected[3] : expected[0];
    if (bias.shape != std::vector<std::int32_t>{out}) {
      refuse(describe_tensor(model_, op.inputs[2]) + " has shape " + describe_shape32(bias.shape) + " but " +
             name + "'s bias needs [" + std::to_string(out) + "]");
    }
  }

  void convolution(const TfliteOperator& op, const MobileNetV2ConvLayer& layer) {
    const Kind kind = layer.depthwise ? Kind::kDepthwiseConv2d : Kind::kConv2d;
    if (!is(op, kind))
      refuse("expected " + tflite_operator_name(static_cast<std::int32_t>(kind)) + " for " + layer.conv_name);
    require_input(op);
    const auto out = static_cast<std::int32_t>(layer.out_channels),
               in = static_cast<std::int32_t>(layer.in_channels);
    const auto k = static_cast<std::int32_t>(layer.kernel);
    check_filter(
        op,
        layer.depthwise ? std::vector<std::int32_t>{1, k, k, out} : std::vector<std::int32_t>{out, k, k, in},
        layer.conv_name);
    const TfliteOperatorOptions& options = op.options;
    if (options.stride_h != layer.stride || options.stride_w != layer.stride) {
      refuse(layer.conv_name + " needs stride " + std::to_string(layer.stride) + ", the operator has " +
             std::to_string(options.stride_h) + "x" + std::to_string(options.stride_w));
    }
    if (options.padding != TflitePadding::kSame) refuse(layer.conv_name + " needs SAME padding");
    if (options.dilation_h != 1 || options.dilation_w != 1) refuse(layer.conv_name + " must not be dilated");
    if (layer.depthwise && options.depth_multiplier != 1)
      refuse(layer.conv_name + " needs depth multiplier 1");
    const TfliteActivation activation = layer.relu6 ? TfliteActivation::kRelu6 : TfliteActivation::kNone;
    if (options.activation != activation)
      refuse(layer.conv_name + (layer.relu6 ? " needs a fused RELU6" : " must have no activation"));

    std::vector<float> filter = dequantize_tensor(model_, op.inputs[1]);
    std::vector<float> weight(filter.size());
    // NHWC filters to torch's [out, in, kh, kw].
    const std::int64_t kk = layer.kernel * layer.kernel;
    if (layer.depthwise) {
      for (std::int64_t c = 0; c < out; ++c)
        for (std::int64_t p = 0; p < kk; ++p) weight[c * kk + p] = filter[p * out + c];
    } else {
      for (std::int64_t o = 0; o < out; ++o)
        for (std::int64_t p = 0; p < kk; ++p)
          for (std::int64_t i = 0; i < in; ++i) weight[(o * in + i) * kk + p] = filter[(o * kk + p) * in + i];
    }
    add(layer.conv_name + ".weight",
        {layer.out_channels, layer.depthwise ? 1 : layer.in_channels, layer.kernel, layer.kernel}, weight);
    add_identity_norm(layer.norm_name, dequantize_tensor(model_, op.inputs[2]));

    if (layer.starts_residual) block_input_ = current_;
    pending_add_ = layer.ends_residual;
    current_ = op.outputs[0];
    ++next_layer_;
  }

  void classifier(const TfliteOperator& op) {
    const auto features = static_cast<std::int32_t>(kMobileNetV2FeatureChannels);
    if (!is(op, Kind::kConv2d) && !is(op, Kind::kFullyConnected))
      refuse("expected the logits (CONV_2D 1x1 or FULLY_CONNECTED)");
    require_input(op);
    if (op.inputs.size() < 3 || op.inputs[1] < 0 || op.inputs[2] < 0)
      refuse("the logits need a filter and a bias");
    const std::vector<std::int32_t>& shape = model_.tensors[static_cast<std::size_t>(op.inputs[1])].shape;
    const std::int32_t classes = shape.empty() ? 0 : shape[0];
    check_filter(op,
                 is(op, Kind::kConv2d) ? std::vector<std::int32_t>{classes, 1, 1, features}
                                       : std::vector<std::int32_t>{classes, features},
                 "classifier.1");
    if (classes < 1) refuse("the logits have no classes");
    if (op.options.activation != TfliteActivation::kNone) refuse("the logits must have no activation");
    add("classifier.1.weight", {classes, features}, dequantize_tensor(model_, op.inputs[1]));
    add("classifier.1.bias", {classes}, dequantize_tensor(model_, op.inputs[2]));
    result_.metadata[kMetadataClasses] = std::to_string(classes);
    has_classifier_ = true;
    current_ = op.outputs[0];
  }

  void add(const std::string& name, std::vector<std::int64_t> shape, const std::vector<float>& values) {
    result_.tensors.push_back({name, float_record(std::move(shape), values)});
  }

  void add_identity_norm(const std::string& name, const std::vector<float>& bias) {
    const auto channels = static_cast<std::int64_t>(bias.size());
    add(name + ".weight", {channels}, std::vector<float>(bias.size(), 1.0f));
    add(name + ".bias", {channels}, bias);
    add(name + ".running_mean", {channels}, std::vector<float>(bias.size(), 0.0f));
    add(name + ".running_var", {channels},
        std::vector<float>(bias.size(), static_cast<float>(1.0 - kBatchNormEps)));
  }

  // value = scale * (q - zero_point) with q = 255 * pixel (uint8) or 255 * pixel - 128 (int8).
  void input_normalisation() {
    const std::int32_t input = model_.inputs.front();
    const TfliteTensor& tensor = model_.tensors[static_cast<std::size_t>(input)];
    if (tensor.shape.size() != 4 || tensor.shape[3] != 3) {
      throw InputError(model_.source, 0, "",
                       describe_tensor(model_, input) + " has shape " + describe_shape32(tensor.shape) +
                           ", expected [1, H, W, 3] (RGB)");
    }
    double mean = 0.5, std = 0.5;  // float inputs: TensorFlow's MobileNet convention, pixel / 127.5 - 1
    if (tensor.type == 3 || tensor.type == 9) {
      if (tensor.quantization.scale.size() != 1 || tensor.quantization.zero_point.size() != 1 ||
          !(tensor.quantization.scale[0] > 0)) {
        throw InputError(model_.source, 0, "",
                         describe_tensor(model_, input) + " has no usable scale and zero point");
      }
      const double zero =
          static_cast<double>(tensor.quantization.zero_point[0]) + (tensor.type == 9 ? 128.0 : 0.0);
      mean = zero / 255.0;
      std = 1.0 / (255.0 * tensor.quantization.scale[0]);
    } else if (tensor.type != 0) {
      throw InputError(model_.source, 0, "",
                       describe_tensor(model_, input) + " is " + tflite_tensor_type_name(tensor.type) +
                           ", expected uint8, int8 or float32");
    }
    std::ostringstream m, s;
    m.precision(9);
    s.precision(9);
    m << mean << "," << mean << "," << mean;
    s << std << "," << std << "," << std;
    result_.metadata[kMetadataInputMean] = m.str();
    result_.metadata[kMetadataInputStd] = s.str();
    result_.metadata["input_size"] = std::to_string(tensor.shape[1]);
  }

  const TfliteModel& model_;
  const std::vector<MobileNetV2ConvLayer> layers_;
  ImportedWeights result_;
  std::size_t index_ = 0;
  std::size_t next_layer_ = 0;
  std::int32_t current_ = -1;
  std::int32_t block_input_ = -1;
  bool pending_add_ = false;
  bool pooled_ = false;
  bool has_classifier_ = false;
};

}  // namespace

std::vector<float> dequantize_tensor(const TfliteModel& model, std::int32_t index) {
  const TfliteTensor& tensor = model.tensors[static_cast<std::size_t>(index)];
  const auto fail = [&](const std::string& message) -> void {
    throw InputError(model.source, 0, "", describe_tensor(model, index) + ": " + message);
  };
  const std::int64_t count = element_count(tensor.shape);
  const std::size_t element = tflite_element_size(tensor.type);
  if (count < 0) fail("bad shape " + describe_shape32(tensor.shape));
  if (element == 0) fail("weights of type " + tflite_tensor_type_name(tensor.type) + " are not supported");
  const std::size_t size = model.tensor_data_size(index);
  if (size != static_cast<std::size_t>(count) * element) {
    fail("holds " + std::to_string(size) + " bytes of data but shape " + describe_shape32(tensor.shape) +
         " of " + tflite_tensor_type_name(tensor.type) + " needs " +
         std::to_string(static_cast<std::size_t>(count) * element));
  }
  const std::uint8_t* data = model.tensor_data(index);
  std::vector<float> values(static_cast<std::size_t>(count));
  if (tensor.type == 0) {
    std::memcpy(values.data(), data, size);
    return values;
  }
  const TfliteQuantization& q = tensor.quantization;
  // Per channel: the scale index is the coordinate along quantized_dimension.
  std::int64_t inner = 1, channels = 1;
  if (q.scale.empty()) fail("is quantised data without a scale");
  if (q.scale.size() > 1) {
    const std::int32_t axis = q.quantized_dimension;
    if (axis < 0 || static_cast<std::size_t>(axis) >= tensor.shape.size() ||
        static_cast<std::size_t>(tensor.shape[static_cast<std::size_t>(axis)]) != q.scale.size()) {
      fail(std::to_string(q.scale.size()) + " scales do not match dimension " + std::to_string(axis) +
           " of shape " + describe_shape32(tensor.shape));
    }
    channels = tensor.shape[static_cast<std::size_t>(axis)];
    for (std::size_t d = static_cast<std::size_t>(axis) + 1; d < tensor.shape.size(); ++d)
      inner *= tensor.shape[d];
  }
  for (std::int64_t i = 0; i < count; ++i) {
    const std::size_t channel = q.scale.size() > 1 ? static_cast<std::size_t>((i / inner) % channels) : 0;
    const double zero = q.zero_point.empty() ? 0.0 : static_cast<double>(q.zero_point[channel]);
    double raw = 0;
    if (tensor.type == 3) raw = data[i];
    if (tensor.type == 9) raw = static_cast<std::int8_t>(data[i]);
    if (tensor.type == 2) {
      std::int32_t word;
      std::memcpy(&word, data + 4 * i, 4);
      raw = word;
    }
    values[static_cast<std::size_t>(i)] = static_cast<float>(q.scale[channel] * (raw - zero));
  }
  return values;
}

ImportedWeights import_mobilenet_v2(const TfliteModel& model) { return MobileNetV2Matcher(model).run(); }

std::string import_tflite_to_safetensors(const std::string& tflite_path, const std::string& out_path) {
  const TfliteModel model = read_tflite_file(tflite_path);
  ImportedWeights weights = import_mobilenet_v2(model);
  const std::size_t slash = tflite_path.find_last_of('/');
  weights.metadata["source"] = slash == std::string::npos ? tflite_path : tflite_path.substr(slash + 1);
  write_safetensors(out_path, weights.tensors, weights.metadata);
  return "imported MobileNetV2 from " + tflite_path + " (" + std::to_string(model.operators.size()) +
         " operators, " + weights.metadata[kMetadataClasses] + " classes, input mean " +
         weights.metadata[kMetadataInputMean] + " std " + weights.metadata[kMetadataInputStd] +
         "): " + std::to_string(weights.tensors.size()) + " tensors written to " + out_path;
}

}  // namespace popsweep::nets
