// Turns a TensorFlow Lite MobileNetV2 (e.g. the quantised
// mobilenet_v2_1.0_224_quant.tflite) into float32 weights under torchvision's
// mobilenet_v2 state-dict names, for MobileNetV2 (mobilenet_v2.h):
//   - weights are dequantised, value = scale * (q - zero_point), per tensor or
//     per channel along the tensor's quantized_dimension; int32 biases the same
//     way (their scale is input scale x weight scale);
//   - filters move from TFLite's NHWC layouts ([out, kh, kw, in] for CONV_2D,
//     [1, kh, kw, channels] for DEPTHWISE_CONV_2D) to torch's [out, in, kh, kw];
//   - the graph's batch norms are already folded into conv weight and bias, so
//     each batch norm gets identity statistics and carries the bias: weight 1,
//     bias = the TFLite bias, running mean 0, running variance 1 - eps (so that
//     sqrt(variance + eps) is 1 and the norm adds the bias, nothing else);
//   - the 1001-way logits conv (index 0 = background) becomes classifier.1.
// The graph is walked in execution order and must be exactly MobileNetV2:
// every convolution with the expected kind, filter shape, stride, SAME
// padding and ReLU6/none activation, each residual ADD joining the right
// tensors, a global average pool, then the logits. QUANTIZE/DEQUANTIZE on the
// activations, and RESHAPE/SQUEEZE/SOFTMAX after the logits, are allowed.
// Anything else is refused with an InputError naming the operator (index and
// type) and tensor that does not fit.
//
// Metadata written beside the tensors (all strings):
//   architecture=mobilenet_v2, padding=tf_same (TensorFlow SAME padding, see
//   mobilenet_v2.h), classes=1001, background_class=0,
//   input_mean/input_std="m,m,m" in [0,1] pixel units, derived from the
//   input tensor's scale and zero point (value = (pixel/255 - mean) / std),
//   source=the .tflite file name.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "worker/nets/tensor_record.h"
#include "worker/nets/tflite_model.h"

namespace popsweep::nets {

struct ImportedWeights {
  std::vector<NamedTensorRecord> tensors;
  std::map<std::string, std::string> metadata;
};

// Metadata keys shared by the importer and the loader.
inline constexpr const char* kMetadataArchitecture = "architecture";
inline constexpr const char* kMetadataPadding = "padding";
inline constexpr const char* kMetadataInputMean = "input_mean";
inline constexpr const char* kMetadataInputStd = "input_std";
inline constexpr const char* kMetadataClasses = "classes";
inline constexpr const char* kTensorFlowSamePadding = "tf_same";

// The float32 values of a constant tensor, dequantised; the tensor's data size
// must match its shape. Throws InputError naming the tensor otherwise.
std::vector<float> dequantize_tensor(const TfliteModel& model, std::int32_t tensor);

ImportedWeights import_mobilenet_v2(const TfliteModel& model);

// Reads `tflite_path`, imports it and writes a safetensors file to `out_path`.
// Returns a one-line summary for the user.
std::string import_tflite_to_safetensors(const std::string& tflite_path, const std::string& out_path);

}  // namespace popsweep::nets
