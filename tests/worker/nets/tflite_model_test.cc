// The TFLite reader on the real Coral model, and on truncated and corrupted
// copies of it: every malformed file ends in an InputError naming the file,
// never a crash or a read past the end (weight files are untrusted input).
#include "worker/nets/tflite_model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <set>

#include "common/error.h"
#include "common/file_util.h"
#include "worker/nets/tflite_flatbuffer.h"
#include "worker/nets/tflite_import.h"

namespace popsweep::nets {
namespace {

const std::string kModel =
    std::string(POPSWEEP_SHARED_DIR) + "/models/coral/mobilenet_v2_1.0_224_quant.tflite";
const std::string kCopy = "copy-of-mobilenet_v2.tflite";

std::shared_ptr<const std::vector<std::uint8_t>> original_bytes() {
  static const auto bytes = std::make_shared<const std::vector<std::uint8_t>>(read_binary_file(kModel));
  return bytes;
}

// Reading and importing `bytes` either works or throws an InputError naming the copy.
// Returns the error message, or "" when the bytes were accepted.
std::string read_and_import(std::vector<std::uint8_t> bytes) {
  try {
    const TfliteModel model =
        parse_tflite(std::make_shared<const std::vector<std::uint8_t>>(std::move(bytes)), kCopy);
    import_mobilenet_v2(model);
    return "";
  } catch (const InputError& error) {
    EXPECT_EQ(error.file(), kCopy) << error.what();
    return error.what();
  }
}

TEST(NetsTfliteModel, ReadsTheCoralMobileNetV2Graph) {
  const TfliteModel model = read_tflite_file(kModel);
  EXPECT_EQ(model.version, 3u);
  EXPECT_EQ(model.tensors.size(), 174u);
  ASSERT_EQ(model.operators.size(), 66u);
  ASSERT_EQ(model.inputs.size(), 1u);
  const TfliteTensor& input = model.tensors[static_cast<std::size_t>(model.inputs[0])];
  EXPECT_EQ(input.shape, (std::vector<std::int32_t>{1, 224, 224, 3}));
  EXPECT_EQ(input.type, static_cast<std::int32_t>(TfliteTensorType::kUInt8));
  ASSERT_EQ(input.quantization.scale.size(), 1u);
  EXPECT_FLOAT_EQ(input.quantization.scale[0], 1.0f / 128.0f);
  EXPECT_EQ(input.quantization.zero_point[0], 128);

  const TfliteOperator& stem = model.operators[0];
  EXPECT_EQ(tflite_operator_name(stem.builtin_code), "CONV_2D");
  EXPECT_EQ(stem.options.stride_h, 2);
  EXPECT_EQ(stem.options.padding, TflitePadding::kSame);
  EXPECT_EQ(stem.options.activation, TfliteActivation::kRelu6);
  EXPECT_EQ(model.tensors[static_cast<std::size_t>(stem.inputs[1])].shape,
            (std::vector<std::int32_t>{32, 3, 3, 3}));
  EXPECT_EQ(model.tensor_data_size(stem.inputs[1]), 32u * 27u);
  EXPECT_EQ(tflite_operator_name(model.operators[62].builtin_code), "AVERAGE_POOL_2D");
  EXPECT_EQ(model.operators[62].options.filter_h, 7);
  EXPECT_EQ(tflite_operator_name(model.operators.back().builtin_code), "SOFTMAX");
}

TEST(NetsTfliteModel, RefusesFilesThatAreNotTflite) {
  EXPECT_THROW(read_tflite_file("/nonexistent/model.tflite"), InputError);
  std::vector<std::uint8_t> bytes = *original_bytes();
  bytes[4] = 'X';
  const std::string message = read_and_import(bytes);
  EXPECT_NE(message.find("TFL3"), std::string::npos) << message;
}

TEST(NetsTfliteModel, TruncatedCopiesGiveInputErrors) {
  const std::vector<std::uint8_t>& bytes = *original_bytes();
  const std::size_t size = bytes.size();
  // The flatbuffer ends with the last buffer's data; the Coral file then
  // carries a zip of associated files (the labels, TFLite metadata's
  // convention) that the model does not reference.
  const TfliteModel model = parse_tflite(original_bytes(), kModel);
  std::size_t end = 0;
  for (const TfliteModel::BufferSpan& span : model.buffers) end = std::max(end, span.offset + span.size);
  ASSERT_LT(end, size);
  for (const std::size_t cut :
       {std::size_t{0}, std::size_t{3}, std::size_t{7}, std::size_t{8}, std::size_t{12}, std::size_t{40},
        std::size_t{100}, std::size_t{1000}, std::size_t{4096}, size / 4, size / 2, end - 100000, end - 1000,
        end - 8, end - 1}) {
    const std::string message =
        read_and_import(std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + cut));
    EXPECT_FALSE(message.empty()) << "a copy cut at byte " << cut << " was accepted";
  }
  // Cutting only the appended zip leaves the whole model.
  const std::string zip_magic("PK\x03\x04", 4);
  const auto zip = std::search(bytes.begin() + static_cast<std::ptrdiff_t>(end), bytes.end(),
                               zip_magic.begin(), zip_magic.end());
  ASSERT_NE(zip, bytes.end());
  EXPECT_EQ(read_and_import(std::vector<std::uint8_t>(bytes.begin(), zip)), "");
}

// Byte flips in the root offset, the file identifier, and the tables holding
// offsets (the root table and its vtable, the subgraph, the first tensors and
// operators): each must be accepted or refused cleanly.
TEST(NetsTfliteModel, CorruptedHeaderAndOffsetTablesNeverCrash) {
  const std::vector<std::uint8_t>& bytes = *original_bytes();
  const FlatbufferBuffer buffer(bytes.data(), bytes.size(), kModel);
  const FlatbufferTable root = buffer.root("model");
  const FlatbufferTable graph = root.tables(2, "subgraphs").front();
  std::set<std::size_t> positions;
  for (std::size_t p = 0; p < 64; ++p) positions.insert(p);
  const auto add_table = [&](const FlatbufferTable& table) {
    for (std::size_t p = table.position(); p < table.position() + 48 && p < bytes.size(); ++p)
      positions.insert(p);
  };
  add_table(root);
  add_table(graph);
  const std::vector<FlatbufferTable> tensors = graph.tables(0, "tensors");
  const std::vector<FlatbufferTable> operators = graph.tables(3, "operators");
  for (std::size_t i = 0; i < 2; ++i) {
    add_table(tensors[i]);
    add_table(operators[i]);
  }
  int refused = 0;
  for (const std::size_t position : positions) {
    for (const std::uint8_t mask : {std::uint8_t{0xFF}, std::uint8_t{0x40}}) {
      std::vector<std::uint8_t> corrupt = bytes;
      corrupt[position] ^= mask;
      if (!read_and_import(std::move(corrupt)).empty()) ++refused;
    }
  }
  // Most flips break an offset, a size or the graph; a flip in padding or in a name is harmless.
  EXPECT_GT(refused, static_cast<int>(positions.size()));
  // The root offset and the identifier are always checked.
  for (const std::size_t position :
       {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{4}, std::size_t{7}}) {
    std::vector<std::uint8_t> corrupt = bytes;
    corrupt[position] ^= 0xFF;
    EXPECT_FALSE(read_and_import(std::move(corrupt)).empty()) << "flip at byte " << position;
  }
}

TEST(NetsTfliteModel, ErrorsNameTheFileAndWhatIsWrong) {
  std::vector<std::uint8_t> bytes = *original_bytes();
  bytes.resize(bytes.size() / 2);
  const std::string message = read_and_import(bytes);
  EXPECT_NE(message.find(kCopy), std::string::npos) << message;
  EXPECT_TRUE(message.find("truncated") != std::string::npos ||
              message.find("outside") != std::string::npos ||
              message.find("past the end") != std::string::npos)
      << message;
}

}  // namespace
}  // namespace popsweep::nets
