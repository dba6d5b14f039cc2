#include "worker/nets/tflite_model.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "common/error.h"
#include "common/file_util.h"
#include "worker/nets/byte_reader.h"
#include "worker/nets/tflite_flatbuffer.h"

namespace popsweep::nets {
namespace {

// Field indices in schema.fbs, in declaration order (a union takes two: type, value).
namespace model_field {
enum { kVersion = 0, kOperatorCodes = 1, kSubgraphs = 2, kDescription = 3, kBuffers = 4 };
}
namespace code_field {
enum { kDeprecatedBuiltin = 0, kCustom = 1, kVersion = 2, kBuiltin = 3 };
}
namespace subgraph_field {
enum { kTensors = 0, kInputs = 1, kOutputs = 2, kOperators = 3 };
}
namespace tensor_field {
enum { kShape = 0, kType = 1, kBuffer = 2, kName = 3, kQuantization = 4 };
}
namespace quantization_field {
enum { kScale = 2, kZeroPoint = 3, kQuantizedDimension = 6 };
}
namespace operator_field {
enum { kOpcodeIndex = 0, kInputs = 1, kOutputs = 2, kOptionsType = 3, kOptions = 4 };
}
namespace buffer_field {
enum { kData = 0, kOffset = 1, kSize = 2 };
}

// BuiltinOptions union members (schema.fbs order, NONE = 0).
constexpr std::uint8_t kConv2dOptions = 1;
constexpr std::uint8_t kDepthwiseConv2dOptions = 2;
constexpr std::uint8_t kPool2dOptions = 5;
constexpr std::uint8_t kFullyConnectedOptions = 8;
constexpr std::uint8_t kAddOptions = 11;

// Codes below 127 may sit in the deprecated byte field only (older files).
constexpr std::int32_t kPlaceholderForGreaterOpCodes = 127;

std::int32_t builtin_code_of(const FlatbufferTable& code) {
  const auto deprecated =
      static_cast<std::int8_t>(code.u8(code_field::kDeprecatedBuiltin, "deprecated_builtin_code"));
  const std::int32_t builtin = code.i32(code_field::kBuiltin, "builtin_code");
  // Newer writers fill both; older ones only the byte. Take the larger, as TFLite does.
  return deprecated == kPlaceholderForGreaterOpCodes ? builtin : std::max<std::int32_t>(deprecated, builtin);
}

TfliteActivation activation_of(const FlatbufferBuffer& buffer, const FlatbufferTable& options, int field) {
  const std::uint8_t value = options.u8(field, "fused_activation_function");
  if (value > static_cast<std::uint8_t>(TfliteActivation::kTanh)) {
    buffer.fail(options.what() + ".fused_activation_function", options.position(),
                "unknown activation " + std::to_string(value));
  }
  return static_cast<TfliteActivation>(value);
}

TflitePadding padding_of(const FlatbufferBuffer& buffer, const FlatbufferTable& options) {
  const std::uint8_t value = options.u8(0, "padding");
  if (value > 1)
    buffer.fail(options.what() + ".padding", options.position(), "unknown padding " + std::to_string(value));
  return static_cast<TflitePadding>(value);
}

TfliteOperatorOptions read_options(const FlatbufferBuffer& buffer, const FlatbufferTable& op,
                                   std::int32_t code) {
  TfliteOperatorOptions result;
  const std::uint8_t type = op.u8(operator_field::kOptionsType, "builtin_options_type");
  std::uint8_t expected = 0;
  switch (static_cast<TfliteOperatorKind>(code)) {
    case TfliteOperatorKind::kConv2d:
      expected = kConv2dOptions;
      break;
    case TfliteOperatorKind::kDepthwiseConv2d:
      expected = kDepthwiseConv2dOptions;
      break;
    case TfliteOperatorKind::kAveragePool2d:
      expected = kPool2dOptions;
      break;
    case TfliteOperatorKind::kFullyConnected:
      expected = kFullyConnectedOptions;
      break;
    case TfliteOperatorKind::kAdd:
      expected = kAddOptions;
      break;
    default:
      return result;  // options of operators the importer does not map are not read
  }
  const std::optional<FlatbufferTable> options = op.table(operator_field::kOptions, "builtin_options");
  if (!options) {
    if (code == static_cast<std::int32_t>(TfliteOperatorKind::kAdd)) return result;
    buffer.fail(op.what(), op.position(), tflite_operator_name(code) + " has no options");
  }
  if (type != expected) {
    buffer.fail(op.what() + ".builtin_options_type", op.position(),
                tflite_operator_name(code) + " carries options of type " + std::to_string(type) +
                    ", expected " + std::to_string(expected));
  }
  switch (static_cast<TfliteOperatorKind>(code)) {
    case TfliteOperatorKind::kConv2d:
      result.padding = padding_of(buffer, *options);
      result.stride_w = options->i32(1, "stride_w");
      result.stride_h = options->i32(2, "stride_h");
      result.activation = activation_of(buffer, *options, 3);
      result.dilation_w = options->i32(4, "dilation_w_factor", 1);
      result.dilation_h = options->i32(5, "dilation_h_factor", 1);
      break;
    case TfliteOperatorKind::kDepthwiseConv2d:
      result.padding = padding_of(buffer, *options);
      result.stride_w = options->i32(1, "stride_w");
      result.stride_h = options->i32(2, "stride_h");
      result.depth_multiplier = options->i32(3, "depth_multiplier");
      result.activation = activation_of(buffer, *options, 4);
      result.dilation_w = options->i32(5, "dilation_w_factor", 1);
      result.dilation_h = options->i32(6, "dilation_h_factor", 1);
      break;
    case TfliteOperatorKind::kAveragePool2d:
      result.padding = padding_of(buffer, *options);
      result.stride_w = options->i32(1, "stride_w");
      result.stride_h = options->i32(2, "stride_h");
      result.filter_w = options->i32(3, "filter_width");
      result.filter_h = options->i32(4, "filter_height");
      result.activation = activation_of(buffer, *options, 5);
      break;
    default:  // FULLY_CONNECTED and ADD: the fused activation comes first
      result.activation = activation_of(buffer, *options, 0);
      break;
  }
  return result;
}

void check_tensor_indices(const FlatbufferBuffer& buffer, const std::vector<std::int32_t>& indices,
                          std::size_t tensor_count, const std::string& what, std::size_t position,
                          bool allow_optional) {
  for (const std::int32_t index : indices) {
    if ((index == -1 && allow_optional)) continue;
    if (index < 0 || static_cast<std::size_t>(index) >= tensor_count) {
      buffer.fail(what, position,
                  "tensor index " + std::to_string(index) + " out of range (the subgraph has " +
                      std::to_string(tensor_count) + " tensors)");
    }
  }
}

TfliteTensor read_tensor(const FlatbufferBuffer& buffer, const FlatbufferTable& table,
                         std::size_t buffer_count) {
  TfliteTensor tensor;
  tensor.shape = table.i32s(tensor_field::kShape, "shape");
  tensor.type = static_cast<std::int8_t>(table.u8(tensor_field::kType, "type"));
  tensor.buffer = table.u32(tensor_field::kBuffer, "buffer");
  tensor.name = table.string(tensor_field::kName, "name");
  if (tensor.shape.size() > 8)
    buffer.fail(table.what() + ".shape", table.position(), "more than 8 dimensions");
  for (const std::int32_t size : tensor.shape) {
    if (size < -1)
      buffer.fail(table.what() + ".shape", table.position(), "negative dimension " + std::to_string(size));
  }
  if (tensor.buffer >= buffer_count) {
    buffer.fail(table.what() + ".buffer", table.position(),
                "buffer index " + std::to_string(tensor.buffer) + " out of range (the model has " +
                    std::to_string(buffer_count) + " buffers)");
  }
  if (const std::optional<FlatbufferTable> quantization =
          table.table(tensor_field::kQuantization, "quantization")) {
    tensor.quantization.scale = quantization->f32s(quantization_field::kScale, "scale");
    tensor.quantization.zero_point = quantization->i64s(quantization_field::kZeroPoint, "zero_point");
    tensor.quantization.quantized_dimension =
        quantization->i32(quantization_field::kQuantizedDimension, "quantized_dimension");
    if (!tensor.quantization.zero_point.empty() &&
        tensor.quantization.zero_point.size() != tensor.quantization.scale.size()) {
      buffer.fail(quantization->what(), quantization->position(),
                  std::to_string(tensor.quantization.scale.size()) + " scales but " +
                      std::to_string(tensor.quantization.zero_point.size()) + " zero points");
    }
  }
  return tensor;
}

}  // namespace

std::string tflite_tensor_type_name(std::int32_t type) {
  switch (type) {
    case 0:
      return "float32";
    case 1:
      return "float16";
    case 2:
      return "int32";
    case 3:
      return "uint8";
    case 4:
      return "int64";
    case 9:
      return "int8";
    default:
      return "tensor type " + std::to_string(type);
  }
}

std::string tflite_operator_name(std::int32_t builtin_code) {
  switch (builtin_code) {
    case 0:
      return "ADD";
    case 1:
      return "AVERAGE_POOL_2D";
    case 2:
      return "CONCATENATION";
    case 3:
      return "CONV_2D";
    case 4:
      return "DEPTHWISE_CONV_2D";
    case 6:
      return "DEQUANTIZE";
    case 9:
      return "FULLY_CONNECTED";
    case 14:
      return "LOGISTIC";
    case 17:
      return "MAX_POOL_2D";
    case 18:
      return "MUL";
    case 19:
      return "RELU";
    case 21:
      return "RELU6";
    case 22:
      return "RESHAPE";
    case 25:
      return "SOFTMAX";
    case 32:
      return "CUSTOM";
    case 34:
      return "PAD";
    case 40:
      return "MEAN";
    case 114:
      return "QUANTIZE";
    case 117:
      return "HARD_SWISH";
    default:
      return "BUILTIN_" + std::to_string(builtin_code);
  }
}

const std::uint8_t* TfliteModel::tensor_data(std::int32_t index) const {
  return bytes->data() + buffers[tensors[static_cast<std::size_t>(index)].buffer].offset;
}

std::size_t TfliteModel::tensor_data_size(std::int32_t index) const {
  return buffers[tensors[static_cast<std::size_t>(index)].buffer].size;
}

TfliteModel parse_tflite(std::shared_ptr<const std::vector<std::uint8_t>> bytes, const std::string& source) {
  const FlatbufferBuffer buffer(bytes->data(), bytes->size(), source);
  if (bytes->size() < 8) {
    throw InputError(
        source, 0, "",
        "file of " + std::to_string(bytes->size()) + " bytes is too short for a TFLite model (truncated?)");
  }
  if (buffer.file_identifier() != "TFL3") {
    throw InputError(source, 0, "",
                     "not a TensorFlow Lite model: expected the identifier 'TFL3' at byte 4, found " +
                         quote_for_message(buffer.file_identifier()));
  }
  const FlatbufferTable root = buffer.root("model");
  TfliteModel model;
  model.source = source;
  model.bytes = bytes;
  model.version = root.u32(model_field::kVersion, "version");
  if (model.version != 3) {
    buffer.fail("model.version", root.position(),
                "schema version " + std::to_string(model.version) + " (expected 3)");
  }
  model.description = root.string(model_field::kDescription, "description");

  for (const FlatbufferTable& entry : root.tables(model_field::kBuffers, "buffers")) {
    TfliteModel::BufferSpan span;
    const ByteSpan data = entry.bytes(buffer_field::kData, "data");
    span.offset = data.offset;
    span.size = data.size;
    // Files over 2 GiB keep data after the flatbuffer, addressed by offset and size.
    const std::uint64_t offset = entry.u64(buffer_field::kOffset, "offset");
    const std::uint64_t size = entry.u64(buffer_field::kSize, "size");
    if (offset > 1) {
      if (offset > bytes->size() || size > bytes->size() - offset) {
        buffer.fail(entry.what(), entry.position(),
                    "data at offset " + std::to_string(offset) + " lies outside the file");
      }
      span.offset = static_cast<std::size_t>(offset);
      span.size = static_cast<std::size_t>(size);
    }
    model.buffers.push_back(span);
  }
  if (model.buffers.empty()) buffer.fail("model.buffers", root.position(), "the model has no buffers");

  std::vector<TfliteOperator> codes;
  for (const FlatbufferTable& entry : root.tables(model_field::kOperatorCodes, "operator_codes")) {
    TfliteOperator code;
    code.builtin_code = builtin_code_of(entry);
    code.custom_code = entry.string(code_field::kCustom, "custom_code");
    codes.push_back(std::move(code));
  }

  const std::vector<FlatbufferTable> subgraphs = root.tables(model_field::kSubgraphs, "subgraphs");
  if (subgraphs.empty()) buffer.fail("model.subgraphs", root.position(), "the model has no subgraph");
  const FlatbufferTable& graph = subgraphs.front();
  for (const FlatbufferTable& entry : graph.tables(subgraph_field::kTensors, "tensors")) {
    model.tensors.push_back(read_tensor(buffer, entry, model.buffers.size()));
  }
  model.inputs = graph.i32s(subgraph_field::kInputs, "inputs");
  model.outputs = graph.i32s(subgraph_field::kOutputs, "outputs");
  check_tensor_indices(buffer, model.inputs, model.tensors.size(), graph.what() + ".inputs", graph.position(),
                       false);
  check_tensor_indices(buffer, model.outputs, model.tensors.size(), graph.what() + ".outputs",
                       graph.position(), false);

  for (const FlatbufferTable& entry : graph.tables(subgraph_field::kOperators, "operators")) {
    const std::uint32_t code_index = entry.u32(operator_field::kOpcodeIndex, "opcode_index");
    if (code_index >= codes.size()) {
      buffer.fail(entry.what() + ".opcode_index", entry.position(),
                  "operator code " + std::to_string(code_index) + " out of range (the model has " +
                      std::to_string(codes.size()) + ")");
    }
    TfliteOperator op = codes[code_index];
    op.inputs = entry.i32s(operator_field::kInputs, "inputs");
    op.outputs = entry.i32s(operator_field::kOutputs, "outputs");
    check_tensor_indices(buffer, op.inputs, model.tensors.size(), entry.what() + ".inputs", entry.position(),
                         true);
    check_tensor_indices(buffer, op.outputs, model.tensors.size(), entry.what() + ".outputs",
                         entry.position(), false);
    op.options = read_options(buffer, entry, op.builtin_code);
    model.operators.push_back(std::move(op));
  }
  return model;
}

TfliteModel read_tflite_file(const std::string& path) {
  const std::int64_t size = file_size(path);
  if (size < 0) throw InputError(path, 0, "", "cannot read the TFLite model");
  if (size > kMaxTfliteFileBytes) {
    throw InputError(path, 0, "",
                     "TFLite model of " + std::to_string(size) + " bytes is over the limit of " +
                         std::to_string(kMaxTfliteFileBytes));
  }
  auto bytes = std::make_shared<std::vector<std::uint8_t>>(static_cast<std::size_t>(size));
  std::ifstream in(path, std::ios::binary);
  in.read(reinterpret_cast<char*>(bytes->data()), size);
  if (!in || in.gcount() != size)
    throw InputError(path, 0, "", std::string("read failed: ") + std::strerror(errno));
  return parse_tflite(std::move(bytes), path);
}

}  // namespace popsweep::nets
