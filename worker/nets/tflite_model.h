// The part of a TensorFlow Lite model (schema.fbs, file identifier "TFL3")
// that importing a convolutional network needs: the first subgraph's tensors
// (shape, element type, quantisation, constant data) and its operators in
// execution order with their convolution/pooling options. Read with the
// bounds-checked flatbuffer reader; every index a table holds (tensor,
// buffer, operator code) is checked, so code using a TfliteModel may index
// freely. Reading executes nothing and never includes LibTorch.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace popsweep::nets {

// schema.fbs TensorType values this importer knows; others are kept as their number.
enum class TfliteTensorType : std::int32_t {
  kFloat32 = 0,
  kFloat16 = 1,
  kInt32 = 2,
  kUInt8 = 3,
  kInt64 = 4,
  kInt8 = 9
};
std::string tflite_tensor_type_name(std::int32_t type);

// schema.fbs BuiltinOperator values the importer maps (the rest only get named).
enum class TfliteOperatorKind : std::int32_t {
  kAdd = 0,
  kAveragePool2d = 1,
  kConv2d = 3,
  kDepthwiseConv2d = 4,
  kDequantize = 6,
  kFullyConnected = 9,
  kRelu6 = 21,
  kReshape = 22,
  kSoftmax = 25,
  kQuantize = 114,
};
// "CONV_2D", ..., or "BUILTIN_<n>" for codes this file does not name.
std::string tflite_operator_name(std::int32_t builtin_code);

enum class TflitePadding : std::uint8_t { kSame = 0, kValid = 1 };
enum class TfliteActivation : std::uint8_t { kNone = 0, kRelu = 1, kReluN1To1 = 2, kRelu6 = 3, kTanh = 4 };

struct TfliteQuantization {
  std::vector<float> scale;              // empty: not quantised
  std::vector<std::int64_t> zero_point;  // one per scale
  std::int32_t quantized_dimension = 0;  // the axis per-channel scales run along
};

struct TfliteTensor {
  std::string name;
  std::vector<std::int32_t> shape;
  std::int32_t type = 0;     // a TfliteTensorType value
  std::uint32_t buffer = 0;  // index into TfliteModel::buffers; buffer 0 is always empty
  TfliteQuantization quantization;
};

// Options of the operators with spatial behaviour; zero/defaults elsewhere.
struct TfliteOperatorOptions {
  TflitePadding padding = TflitePadding::kSame;
  std::int32_t stride_w = 1, stride_h = 1;
  std::int32_t dilation_w = 1, dilation_h = 1;
  std::int32_t depth_multiplier = 1;
  std::int32_t filter_w = 0, filter_h = 0;  // pooling only
  TfliteActivation activation = TfliteActivation::kNone;
};

struct TfliteOperator {
  std::int32_t builtin_code = 0;     // a TfliteOperatorKind value, or another builtin
  std::string custom_code;           // set for custom operators
  std::vector<std::int32_t> inputs;  // tensor indices; -1 means an optional input left out
  std::vector<std::int32_t> outputs;
  TfliteOperatorOptions options;
};

struct TfliteModel {
  std::string source;  // the file, for error messages
  std::uint32_t version = 0;
  std::string description;
  std::vector<TfliteTensor> tensors;
  std::vector<std::int32_t> inputs;   // the subgraph's input tensors
  std::vector<std::int32_t> outputs;  // and output tensors
  std::vector<TfliteOperator> operators;
  // Constant data per buffer: [offset, offset + size) in `bytes`.
  struct BufferSpan {
    std::size_t offset = 0;
    std::size_t size = 0;
  };
  std::vector<BufferSpan> buffers;
  std::shared_ptr<const std::vector<std::uint8_t>> bytes;

  // The constant data of tensor `index` (empty for activations).
  const std::uint8_t* tensor_data(std::int32_t index) const;
  std::size_t tensor_data_size(std::int32_t index) const;
};

// A .tflite file of at most kMaxTfliteFileBytes. Throws InputError naming the
// file and what is wrong for anything malformed.
constexpr std::int64_t kMaxTfliteFileBytes = std::int64_t{1} << 30;
TfliteModel read_tflite_file(const std::string& path);
TfliteModel parse_tflite(std::shared_ptr<const std::vector<std::uint8_t>> bytes, const std::string& source);

}  // namespace popsweep::nets
