// safetensors (M13 weights in the format most hubs now use): what the writer
// writes, the reader reads back byte for byte; a damaged header or data
// section is an error naming the tensor, never a crash.
#include "worker/nets/safetensors.h"

#include <gtest/gtest.h>

#include <cstring>

#include "common/error.h"

namespace popsweep::nets {
namespace {

std::shared_ptr<const std::vector<std::uint8_t>> bytes_of(const std::vector<std::uint8_t>& bytes) {
  return std::make_shared<const std::vector<std::uint8_t>>(bytes);
}

std::vector<std::uint8_t> floats(std::initializer_list<float> values) {
  std::vector<std::uint8_t> bytes(values.size() * sizeof(float));
  std::memcpy(bytes.data(), values.begin(), bytes.size());
  return bytes;
}

std::vector<NamedTensorRecord> sample_tensors() {
  NamedTensorRecord transposed{"layer.weight", {}};
  transposed.tensor.type = ElementType::kFloat32;
  transposed.tensor.shape = {3, 2};
  transposed.tensor.strides = {1, 3};  // the transpose of a 2x3 row-major matrix
  transposed.tensor.storage = bytes_of(floats({0, 1, 2, 3, 4, 5}));

  NamedTensorRecord counter{"layer.num_batches_tracked", {}};
  counter.tensor.type = ElementType::kInt64;
  const std::int64_t seven = 7;
  std::vector<std::uint8_t> count_bytes(8);
  std::memcpy(count_bytes.data(), &seven, 8);
  counter.tensor.storage = bytes_of(count_bytes);

  NamedTensorRecord half{"layer.bias", {}};
  half.tensor.type = ElementType::kBFloat16;
  half.tensor.shape = {2};
  half.tensor.strides = {1};
  half.tensor.storage = bytes_of({0x00, 0x3F, 0x80, 0x40});
  return {transposed, counter, half};
}

std::vector<std::uint8_t> as_bytes(const std::string& text) { return {text.begin(), text.end()}; }

std::string error_of(const std::string& file) {
  try {
    parse_safetensors(as_bytes(file), "bad.safetensors");
  } catch (const InputError& error) {
    return error.what();
  }
  return "no error";
}

std::string with_header(const std::string& header, const std::string& data) {
  std::string file(8, '\0');
  for (int i = 0; i < 8; ++i) file[i] = static_cast<char>((header.size() >> (8 * i)) & 0xFF);
  return file + header + data;
}

TEST(NetsSafetensors, RoundTripKeepsNamesShapesTypesAndBytes) {
  const std::vector<NamedTensorRecord> written = sample_tensors();
  const std::string file = serialize_safetensors(written, {{"format", "pt"}});
  std::uint64_t header_size = 0;
  std::memcpy(&header_size, file.data(), 8);
  EXPECT_EQ(header_size % 8, 0u) << "header is padded to 8 bytes";

  const std::vector<NamedTensorRecord> read = parse_safetensors(as_bytes(file), "round.safetensors");
  ASSERT_EQ(read.size(), written.size());
  for (std::size_t i = 0; i < read.size(); ++i) {
    SCOPED_TRACE(written[i].name);
    EXPECT_EQ(read[i].name, written[i].name);  // data order is write order
    EXPECT_EQ(read[i].tensor.type, written[i].tensor.type);
    EXPECT_EQ(read[i].tensor.shape, written[i].tensor.shape);
    EXPECT_EQ(read[i].tensor.strides, contiguous_strides(written[i].tensor.shape));
    EXPECT_EQ(read[i].tensor.contiguous_bytes(), written[i].tensor.contiguous_bytes());
  }
  EXPECT_EQ(read[0].tensor.contiguous_bytes(), floats({0, 3, 1, 4, 2, 5}));
}

TEST(NetsSafetensors, DamagedFilesAreErrorsNamingTheTensor) {
  const std::string data(8, '\0');
  EXPECT_NE(error_of(with_header(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", data))
                .find("field 'w'"),
            std::string::npos);
  EXPECT_NE(error_of(with_header(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,16]}})", data))
                .find("outside"),
            std::string::npos);
  EXPECT_NE(error_of(with_header(R"({"w":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}})", data))
                .find("unsupported dtype 'C64'"),
            std::string::npos);
  EXPECT_NE(error_of(with_header(R"({"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", data))
                .find("bad dimension"),
            std::string::npos);
  EXPECT_NE(error_of(with_header(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                 R"("b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                                 data))
                .find("overlaps"),
            std::string::npos);
  EXPECT_NE(error_of(with_header("{not json", data)).find("not a JSON object"), std::string::npos);
  EXPECT_NE(error_of(std::string("\xff\xff\xff\xff\xff\xff\xff\x7f{}", 10)).find("exceeds"),
            std::string::npos);
}

TEST(NetsSafetensors, EveryTruncationIsAnErrorNotACrash) {
  const std::string file = serialize_safetensors(sample_tensors());
  for (std::size_t length = 0; length < file.size(); ++length) {
    EXPECT_THROW(parse_safetensors(as_bytes(file.substr(0, length)), "cut.safetensors"), InputError)
        << "cut at " << length;
  }
}

}  // namespace
}  // namespace popsweep::nets
