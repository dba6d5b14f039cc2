// A TFLite flatbuffer through `popsweep weights import`: the bounds-checked
// flatbuffer reader, the model's tensors and operators, then the MobileNetV2
// importer, which walks the graph, checks every shape and dequantises every
// weight (issue 7: the importer is fuzzed on mutated copies of the real
// model). Writing the safetensors file is left out: it only serialises what
// the importer returned.
#include <memory>

#include "fuzz/fuzz_support.h"
#include "fuzz/fuzz_targets.h"
#include "worker/nets/tflite_import.h"
#include "worker/nets/tflite_model.h"

namespace popsweep::fuzz {

void fuzz_tflite(const std::uint8_t* data, std::size_t size) {
  auto bytes = std::make_shared<const std::vector<std::uint8_t>>(data, data + size);
  accept_or_refuse([&] {
    const nets::TfliteModel model = nets::parse_tflite(bytes, "fuzz.tflite");
    const std::uint8_t* file_end = model.bytes->data() + model.bytes->size();
    for (std::size_t i = 0; i < model.tensors.size(); ++i) {
      const auto index = static_cast<std::int32_t>(i);
      const std::uint8_t* begin = model.tensor_data(index);
      const std::size_t length = model.tensor_data_size(index);
      fuzz_require(length == 0 ||
                       (begin >= model.bytes->data() && length <= static_cast<std::size_t>(file_end - begin)),
                   "a tensor's constant data lies in the file");
    }
    try {
      check_tensor_records(nets::import_mobilenet_v2(model).tensors);
    } catch (const Error&) {
      // Refused part-way: dequantise every constant too, not only those the
      // importer reached (an accepted import has dequantised them all).
      for (std::size_t i = 0; i < model.tensors.size(); ++i) {
        const auto index = static_cast<std::int32_t>(i);
        if (model.tensor_data_size(index) > 0)
          accept_or_refuse([&] { nets::dequantize_tensor(model, index); });
      }
      throw;
    }
  });
}

}  // namespace popsweep::fuzz
