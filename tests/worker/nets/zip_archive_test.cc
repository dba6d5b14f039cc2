// The zip reader under torch.save archives: stored entries read back with
// their CRC checked; compressed entries, corrupt data and truncated files are
// errors, never crashes.
#include "worker/nets/zip_archive.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "common/file_util.h"
#include "tests/worker/nets/python_fixture.h"

namespace popsweep::nets {
namespace {

using popsweep::testing::TempDir;

std::shared_ptr<const std::vector<std::uint8_t>> bytes_of(const std::string& path) {
  return std::make_shared<const std::vector<std::uint8_t>>(read_binary_file(path));
}

const char* const kMakeZip = R"(
import zipfile
with zipfile.ZipFile('stored.zip', 'w', zipfile.ZIP_STORED) as z:
    z.writestr('archive/data.pkl', b'pickle bytes')
    z.writestr('archive/data/0', bytes(range(256)) * 4)
with zipfile.ZipFile('deflated.zip', 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('archive/data/0', b'x' * 1000)
)";

TEST(NetsZipArchive, ReadsStoredEntriesAndRefusesCompressedOnes) {
  TempDir dir;
  std::string output;
  ASSERT_TRUE(testing::run_python(dir, kMakeZip, &output)) << output;
  const ZipArchive archive(bytes_of(dir.file("stored.zip")), "stored.zip");
  EXPECT_EQ(archive.entry_names(), (std::vector<std::string>{"archive/data.pkl", "archive/data/0"}));
  const std::vector<std::uint8_t> pickle = archive.read("archive/data.pkl");
  EXPECT_EQ(std::string(pickle.begin(), pickle.end()), "pickle bytes");
  EXPECT_EQ(archive.read("archive/data/0").size(), 1024u);
  EXPECT_THROW(archive.read("archive/missing"), InputError);

  const ZipArchive deflated(bytes_of(dir.file("deflated.zip")), "deflated.zip");
  try {
    deflated.read("archive/data/0");
    FAIL() << "a compressed entry was read";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("compressed"), std::string::npos) << error.what();
  }
}

TEST(NetsZipArchive, CorruptDataFailsItsCrc) {
  TempDir dir;
  std::string output;
  ASSERT_TRUE(testing::run_python(dir, kMakeZip, &output)) << output;
  std::vector<std::uint8_t> bytes = read_binary_file(dir.file("stored.zip"));
  const ZipArchive intact(std::make_shared<const std::vector<std::uint8_t>>(bytes), "stored.zip");
  // The 1024-byte record holds 0, 1, ..., 255 four times: flip one of them.
  for (std::size_t i = 0; i + 4 < bytes.size(); ++i) {
    if (bytes[i] == 10 && bytes[i + 1] == 11 && bytes[i + 2] == 12 && bytes[i + 3] == 13) {
      bytes[i] ^= 0xFF;
      break;
    }
  }
  const ZipArchive corrupt(std::make_shared<const std::vector<std::uint8_t>>(bytes), "stored.zip");
  EXPECT_THROW(corrupt.read("archive/data/0"), InputError);
}

TEST(NetsZipArchive, EveryTruncationIsAnErrorNotACrash) {
  TempDir dir;
  std::string output;
  ASSERT_TRUE(testing::run_python(dir, kMakeZip, &output)) << output;
  const std::vector<std::uint8_t> bytes = read_binary_file(dir.file("stored.zip"));
  for (std::size_t length = 0; length < bytes.size(); ++length) {
    auto cut = std::make_shared<const std::vector<std::uint8_t>>(bytes.begin(), bytes.begin() + length);
    EXPECT_THROW(
        {
          const ZipArchive archive(cut, "cut.zip");
          for (const std::string& name : archive.entry_names()) archive.read(name);
        },
        InputError)
        << "cut at " << length;
  }
}

}  // namespace
}  // namespace popsweep::nets
