// Importing a TFLite MobileNetV2: dequantisation, layout, names, and graphs
// that do not fit being refused with the operator and tensor named.
#include "worker/nets/tflite_import.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>

#include "common/error.h"
#include "worker/nets/mobilenet_v2_architecture.h"

namespace popsweep::nets {
namespace {

const std::string kModel =
    std::string(POPSWEEP_SHARED_DIR) + "/models/coral/mobilenet_v2_1.0_224_quant.tflite";

const TfliteModel& coral_model() {
  static const TfliteModel model = read_tflite_file(kModel);
  return model;
}

std::string refusal(const TfliteModel& model) {
  try {
    import_mobilenet_v2(model);
  } catch (const InputError& error) {
    return error.what();
  }
  return "";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::vector<float> as_floats(const TensorRecord& record) {
  std::vector<float> values(static_cast<std::size_t>(record.element_count()));
  std::memcpy(values.data(), record.storage->data(), values.size() * sizeof(float));
  return values;
}

// A one-tensor model holding `data` for dequantize_tensor.
TfliteModel model_with_tensor(TfliteTensor tensor, const std::vector<std::uint8_t>& data) {
  TfliteModel model;
  model.source = "synthetic.tflite";
  model.bytes = std::make_shared<const std::vector<std::uint8_t>>(data);
  model.buffers = {{0, 0}, {0, data.size()}};
  tensor.buffer = 1;
  model.tensors.push_back(std::move(tensor));
  return model;
}

TEST(NetsTfliteImport, DequantisesPerTensorAndPerChannel) {
  TfliteTensor tensor;
  tensor.name = "w";
  tensor.type = static_cast<std::int32_t>(TfliteTensorType::kUInt8);
  tensor.shape = {2, 1, 1, 2};
  tensor.quantization.scale = {0.5f};
  tensor.quantization.zero_point = {2};
  EXPECT_EQ(dequantize_tensor(model_with_tensor(tensor, {0, 2, 4, 255}), 0),
            (std::vector<float>{-1.0f, 0.0f, 1.0f, 126.5f}));

  // int8, one scale per output channel (dimension 0).
  tensor.type = static_cast<std::int32_t>(TfliteTensorType::kInt8);
  tensor.quantization.scale = {0.5f, 2.0f};
  tensor.quantization.zero_point = {0, 1};
  EXPECT_EQ(dequantize_tensor(model_with_tensor(tensor, {0xFE, 4, 1, 0xFF}), 0),
            (std::vector<float>{-1.0f, 2.0f, 0.0f, -4.0f}));

  // Along the last dimension instead.
  tensor.quantization.quantized_dimension = 3;
  EXPECT_EQ(dequantize_tensor(model_with_tensor(tensor, {0xFE, 4, 1, 0xFF}), 0),
            (std::vector<float>{-1.0f, 6.0f, 0.5f, -4.0f}));
}

TEST(NetsTfliteImport, RefusesDataThatDoesNotMatchItsShape) {
  TfliteTensor tensor;
  tensor.name = "short weights";
  tensor.type = static_cast<std::int32_t>(TfliteTensorType::kUInt8);
  tensor.shape = {2, 3};
  tensor.quantization.scale = {1.0f};
  tensor.quantization.zero_point = {0};
  try {
    dequantize_tensor(model_with_tensor(tensor, {1, 2, 3}), 0);
    FAIL() << "accepted 3 bytes for a [2, 3] tensor";
  } catch (const InputError& error) {
    EXPECT_TRUE(contains(error.what(), "'short weights'")) << error.what();
    EXPECT_TRUE(contains(error.what(), "synthetic.tflite")) << error.what();
  }
  tensor.quantization.scale = {1.0f, 2.0f, 3.0f};  // three scales for two channels
  tensor.quantization.zero_point = {0, 0, 0};
  EXPECT_THROW(dequantize_tensor(model_with_tensor(tensor, {1, 2, 3, 4, 5, 6}), 0), InputError);
}

TEST(NetsTfliteImport, ImportsEveryMobileNetV2TensorUnderTorchvisionNames) {
  const ImportedWeights weights = import_mobilenet_v2(coral_model());
  std::map<std::string, const TensorRecord*> by_name;
  for (const NamedTensorRecord& named : weights.tensors) by_name[named.name] = &named.tensor;
  // 52 convs, each with a weight and a batch norm of 4 tensors, plus the classifier.
  EXPECT_EQ(weights.tensors.size(), 52u * 5u + 2u);
  EXPECT_EQ(by_name.size(), weights.tensors.size());
  for (const MobileNetV2ConvLayer& layer : mobilenet_v2_conv_layers()) {
    ASSERT_EQ(by_name.count(layer.conv_name + ".weight"), 1u) << layer.conv_name;
    EXPECT_EQ(by_name[layer.conv_name + ".weight"]->shape,
              (std::vector<std::int64_t>{layer.out_channels, layer.depthwise ? 1 : layer.in_channels,
                                         layer.kernel, layer.kernel}));
    ASSERT_EQ(by_name.count(layer.norm_name + ".running_var"), 1u) << layer.norm_name;
  }
  EXPECT_EQ(by_name.at("classifier.1.weight")->shape, (std::vector<std::int64_t>{1001, 1280}));
  EXPECT_EQ(weights.metadata.at(kMetadataClasses), "1001");
  EXPECT_EQ(weights.metadata.at(kMetadataPadding), kTensorFlowSamePadding);

  // The stem filter, dequantised and moved from [out, kh, kw, in] to [out, in, kh, kw].
  const TfliteModel& model = coral_model();
  const std::int32_t filter = model.operators[0].inputs[1];
  const std::vector<float> nhwc = dequantize_tensor(model, filter);
  const std::vector<float> nchw = as_floats(*by_name.at("features.0.0.weight"));
  for (int o : {0, 31}) {
    for (int i = 0; i < 3; ++i) {
      for (int h = 0; h < 3; ++h) {
        for (int w = 0; w < 3; ++w)
          ASSERT_EQ(nchw[((o * 3 + i) * 3 + h) * 3 + w], nhwc[((o * 3 + h) * 3 + w) * 3 + i]);
      }
    }
  }
  // Batch norms are identities carrying the folded bias.
  const std::vector<float> bias = dequantize_tensor(model, model.operators[0].inputs[2]);
  EXPECT_EQ(as_floats(*by_name.at("features.0.1.bias")), bias);
  EXPECT_EQ(as_floats(*by_name.at("features.0.1.weight")), std::vector<float>(32, 1.0f));
}

TEST(NetsTfliteImport, RefusesAWrongStrideNamingTheOperatorAndLayer) {
  TfliteModel model = coral_model();
  model.operators[4].options.stride_h = 1;  // features.2's depthwise conv
  const std::string message = refusal(model);
  EXPECT_TRUE(contains(message, "operator 4 (DEPTHWISE_CONV_2D)")) << message;
  EXPECT_TRUE(contains(message, "features.2.conv.1.0")) << message;
  EXPECT_TRUE(contains(message, "mobilenet_v2_1.0_224_quant.tflite")) << message;
}

TEST(NetsTfliteImport, RefusesAFilterOfTheWrongShapeNamingTheTensor) {
  TfliteModel model = coral_model();
  const std::int32_t filter = model.operators[3].inputs[1];
  model.tensors[static_cast<std::size_t>(filter)].shape = {95, 1, 1, 16};
  const std::string message = refusal(model);
  EXPECT_TRUE(contains(message, "operator 3 (CONV_2D)")) << message;
  EXPECT_TRUE(contains(message, "tensor " + std::to_string(filter))) << message;
  EXPECT_TRUE(contains(message, "[96, 1, 1, 16]")) << message;
}

TEST(NetsTfliteImport, RefusesAnUnexpectedOperator) {
  TfliteModel model = coral_model();
  model.operators[1].builtin_code = 17;  // MAX_POOL_2D where the first depthwise conv belongs
  const std::string message = refusal(model);
  EXPECT_TRUE(contains(message, "operator 1 (MAX_POOL_2D)")) << message;
  EXPECT_TRUE(contains(message, "DEPTHWISE_CONV_2D for features.1.conv.0.0")) << message;
}

TEST(NetsTfliteImport, RefusesAMissingResidualAddition) {
  TfliteModel model = coral_model();
  std::size_t first_add = 0;
  while (tflite_operator_name(model.operators[first_add].builtin_code) != "ADD") ++first_add;
  model.operators.erase(model.operators.begin() + static_cast<std::ptrdiff_t>(first_add));
  const std::string message = refusal(model);
  EXPECT_TRUE(contains(message, "residual addition")) << message;
}

TEST(NetsTfliteImport, RefusesAGraphThatStopsEarly) {
  TfliteModel model = coral_model();
  model.operators.resize(30);
  const std::string message = refusal(model);
  EXPECT_TRUE(contains(message, "graph ends before")) << message;
}

TEST(NetsTfliteImport, RefusesAConvThatReadsTheWrongTensor) {
  TfliteModel model = coral_model();
  model.operators[2].inputs[0] = model.inputs[0];  // the projection reading the image
  const std::string message = refusal(model);
  EXPECT_TRUE(contains(message, "operator 2 (CONV_2D)")) << message;
  EXPECT_TRUE(contains(message, "'input'")) << message;
}

}  // namespace
}  // namespace popsweep::nets
