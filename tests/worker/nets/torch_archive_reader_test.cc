// torch.save archives as PyTorch writes them (M13): an OrderedDict state dict
// with `_metadata`, views sharing a storage, half and bfloat16 storages, a
// long scalar, transposed tensors. Hostile pickles, truncation and legacy
// files end in an error naming the problem.
#include "worker/nets/torch_archive_reader.h"

#include <gtest/gtest.h>

#include <cstring>

#include "common/error.h"
#include "common/file_util.h"
#include "tests/support/skip_or_fail.h"
#include "tests/worker/nets/python_fixture.h"
#include "worker/nets/weight_file.h"

namespace popsweep::nets {
namespace {

using popsweep::testing::TempDir;

const char* const kSaveStateDict = R"(
import torch
state = torch.nn.BatchNorm2d(3).state_dict()  # an OrderedDict carrying _metadata
base = torch.arange(10, dtype=torch.float32)
state['base'] = base
state['view'] = base[2:5]                      # shares base's storage at offset 2
state['transposed'] = torch.arange(6, dtype=torch.float32).reshape(2, 3).t()
state['half'] = torch.tensor([1.5, -2.0], dtype=torch.float16)
state['bfloat'] = torch.tensor([0.5, 4.0], dtype=torch.bfloat16)
state['count'] = torch.tensor(7)
torch.save(state, 'state.pth')
torch.save(state, 'legacy.pth', _use_new_zipfile_serialization=False)
)";

const char* const kSaveHostileArchive = R"(
import os, pickle, zipfile
class Payload:
    def __reduce__(self):
        return (os.system, ('echo pwned',))
with zipfile.ZipFile('hostile.pth', 'w', zipfile.ZIP_STORED) as z:
    z.writestr('archive/data.pkl', pickle.dumps(Payload(), protocol=2))
    z.writestr('archive/version', '3\n')
)";

template <typename T>
std::vector<T> values_of(const TensorRecord& tensor) {
  const std::vector<std::uint8_t> bytes = tensor.contiguous_bytes();
  std::vector<T> values(bytes.size() / sizeof(T));
  std::memcpy(values.data(), bytes.data(), bytes.size());
  return values;
}

// The files are written once for the suite: importing torch takes seconds.
class NetsTorchArchiveReader : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    has_torch_ = testing::python_has_torch();
    if (has_torch_)
      written_ = testing::run_python(*dir_, std::string(kSaveStateDict) + kSaveHostileArchive, &output_);
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    if (!has_torch_) POPSWEEP_SKIP_OR_FAIL("/usr/bin/python3 has no torch");
    ASSERT_TRUE(written_) << output_;
  }
  static std::string file(const std::string& name) { return dir_->file(name); }

  static TempDir* dir_;
  static bool has_torch_;
  static bool written_;
  static std::string output_;
};

TempDir* NetsTorchArchiveReader::dir_ = nullptr;
bool NetsTorchArchiveReader::has_torch_ = false;
bool NetsTorchArchiveReader::written_ = false;
std::string NetsTorchArchiveReader::output_;

TEST_F(NetsTorchArchiveReader, ReadsWhatTorchSaveWrites) {
  const std::vector<NamedTensorRecord> tensors = read_weight_file(file("state.pth"));
  std::vector<std::string> names;
  for (const NamedTensorRecord& named : tensors) names.push_back(named.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"weight", "bias", "running_mean", "running_var", "num_batches_tracked",
                                      "base", "view", "transposed", "half", "bfloat", "count"}));
  const auto find = [&](const std::string& name) -> const TensorRecord& {
    for (const NamedTensorRecord& named : tensors) {
      if (named.name == name) return named.tensor;
    }
    throw std::runtime_error("no " + name);
  };
  EXPECT_EQ(values_of<float>(find("weight")), (std::vector<float>{1, 1, 1}));
  EXPECT_EQ(values_of<float>(find("view")), (std::vector<float>{2, 3, 4}));
  EXPECT_EQ(find("view").storage, find("base").storage);
  EXPECT_EQ(find("transposed").shape, (std::vector<std::int64_t>{3, 2}));
  EXPECT_EQ(values_of<float>(find("transposed")), (std::vector<float>{0, 3, 1, 4, 2, 5}));
  EXPECT_EQ(find("half").type, ElementType::kFloat16);
  EXPECT_EQ(values_of<std::uint16_t>(find("half")), (std::vector<std::uint16_t>{0x3E00, 0xC000}));
  EXPECT_EQ(find("bfloat").type, ElementType::kBFloat16);
  EXPECT_EQ(values_of<std::uint16_t>(find("bfloat")), (std::vector<std::uint16_t>{0x3F00, 0x4080}));
  EXPECT_EQ(find("count").type, ElementType::kInt64);
  EXPECT_TRUE(find("count").shape.empty());
  EXPECT_EQ(values_of<std::int64_t>(find("count")), (std::vector<std::int64_t>{7}));
}

TEST_F(NetsTorchArchiveReader, RefusesAPickleThatWouldRunACommand) {
  try {
    read_weight_file(file("hostile.pth"));
    FAIL() << "the hostile archive loaded";
  } catch (const InputError& error) {
    // Python pickles os.system under its real module, posix.
    EXPECT_NE(std::string(error.what()).find("system'"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("refusing"), std::string::npos) << error.what();
  }
}

TEST_F(NetsTorchArchiveReader, EveryTruncationIsAnErrorNotACrash) {
  const std::vector<std::uint8_t> bytes = read_binary_file(file("state.pth"));
  for (std::size_t length = 0; length < bytes.size(); length += (length < 4096 ? 1 : 97)) {
    auto cut = std::make_shared<const std::vector<std::uint8_t>>(bytes.begin(), bytes.begin() + length);
    EXPECT_THROW(parse_torch_archive(cut, "cut.pth"), InputError) << "cut at " << length;
  }
}

TEST_F(NetsTorchArchiveReader, NamesTheLegacyFormat) {
  try {
    read_weight_file(file("legacy.pth"));
    FAIL() << "the legacy file loaded";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("legacy"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace popsweep::nets
