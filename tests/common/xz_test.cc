#include "common/xz.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "common/error.h"
#include "tests/support/temp_dir.h"

namespace popsweep {
namespace {

using testing::TempDir;

// Compresses `name` in place with the xz command-line tool, the reference
// writer, and returns the path of the .xz file.
std::string compress_with_xz_tool(const TempDir& dir, const std::string& name,
                                  const std::string& options = "") {
  std::string output;
  const int status = testing::run_command("xz -q -f " + options + " '" + dir.file(name) + "'", &output);
  EXPECT_EQ(status, 0) << output;
  return dir.file(name + ".xz");
}

std::string message_of_failure(const std::string& path, std::size_t limit = kDefaultMaxXzOutputBytes) {
  try {
    decompress_xz_file(path, limit);
  } catch (const InputError& error) {
    EXPECT_EQ(error.file(), path);
    return error.what();
  }
  ADD_FAILURE() << "no InputError for " << path;
  return "";
}

std::string truncate_file(const std::string& path, std::uintmax_t keep_bytes) {
  std::filesystem::resize_file(path, keep_bytes);
  return path;
}

std::string varied_text(std::size_t size) {
  std::string text;
  for (std::size_t i = 0; text.size() < size; ++i) text += std::to_string(i * 2654435761u % 1000003) + ",";
  text.resize(size);
  return text;
}

TEST(Xz, DecompressesWhatTheXzToolWrote) {
  TempDir dir;
  const std::string text = varied_text(300000);  // several decoder output buffers
  dir.write("data.json", text);
  EXPECT_EQ(decompress_xz_file(compress_with_xz_tool(dir, "data.json")), text);
}

// Instaloader writes with Python's lzma module and check=CHECK_NONE.
TEST(Xz, DecompressesStreamsWithoutIntegrityCheck) {
  TempDir dir;
  dir.write("data.json", "{\"node\": {}}");
  EXPECT_EQ(decompress_xz_file(compress_with_xz_tool(dir, "data.json", "--check=none")), "{\"node\": {}}");
}

TEST(Xz, JoinsConcatenatedStreamsAsTheXzToolDoes) {
  TempDir dir;
  dir.write("a", "first,");
  dir.write("b", "second");
  ASSERT_EQ(
      testing::run_command("xz -q -f '" + dir.file("a") + "' '" + dir.file("b") + "' && cat '" +
                           dir.file("a.xz") + "' '" + dir.file("b.xz") + "' > '" + dir.file("ab.xz") + "'"),
      0);
  EXPECT_EQ(decompress_xz_file(dir.file("ab.xz")), "first,second");
}

TEST(Xz, EmptyContentsAreFine) {
  TempDir dir;
  dir.write("empty", "");
  EXPECT_EQ(decompress_xz_file(compress_with_xz_tool(dir, "empty")), "");
}

TEST(Xz, TruncatedFileIsAnErrorNamingIt) {
  TempDir dir;
  dir.write("data.json", varied_text(5000));
  const std::string path = compress_with_xz_tool(dir, "data.json");
  const std::string message = message_of_failure(truncate_file(path, std::filesystem::file_size(path) - 10));
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("truncated"), std::string::npos) << message;
}

TEST(Xz, CorruptBytesAreAnError) {
  TempDir dir;
  dir.write("data.json", varied_text(5000));
  const std::string path = compress_with_xz_tool(dir, "data.json");
  std::string contents;
  {
    std::ifstream in(path, std::ios::binary);
    contents.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  contents[contents.size() / 2] = static_cast<char>(contents[contents.size() / 2] ^ 0x55);
  const std::string corrupt = dir.write("corrupt.xz", contents);
  EXPECT_NE(message_of_failure(corrupt).find(corrupt), std::string::npos);
}

TEST(Xz, TrailingGarbageIsAnError) {
  TempDir dir;
  dir.write("data.json", "{}");
  const std::string path = compress_with_xz_tool(dir, "data.json");
  ASSERT_EQ(testing::run_command("printf 'junk' >> '" + path + "'"), 0);
  message_of_failure(path);
}

TEST(Xz, OtherFormatsAreRejected) {
  TempDir dir;
  EXPECT_NE(message_of_failure(dir.write("plain.json.xz", "{\"node\": 1}")).find("not xz"),
            std::string::npos);
  EXPECT_NE(message_of_failure(dir.write("empty.json.xz", "")).find("empty"), std::string::npos);
  EXPECT_NE(message_of_failure(dir.file("missing.xz")).find("cannot open"), std::string::npos);
}

TEST(Xz, OutputLargerThanTheLimitIsAnError) {
  TempDir dir;
  dir.write("big", std::string(200000, 'a'));
  const std::string path = compress_with_xz_tool(dir, "big");
  EXPECT_EQ(decompress_xz_file(path, 200000).size(), 200000u);
  EXPECT_NE(message_of_failure(path, 199999).find("more than 199999 bytes"), std::string::npos);
}

// A few kilobytes on disk that expand past the default 64 MiB: the shape of a
// decompression bomb.
TEST(Xz, DefaultLimitStopsADecompressionBomb) {
  TempDir dir;
  const std::string path = dir.file("bomb.xz");
  ASSERT_EQ(testing::run_command("head -c " + std::to_string(kDefaultMaxXzOutputBytes + 1) +
                                 " /dev/zero | xz -0 -T1 > '" + path + "'"),
            0);
  ASSERT_LT(std::filesystem::file_size(path), 100000u);
  EXPECT_NE(message_of_failure(path).find("more than"), std::string::npos);
}

// A header that asks for a dictionary beyond the decoder's memory limit is
// refused before any allocation.
TEST(Xz, HugeDictionaryIsRefused) {
  TempDir dir;
  dir.write("small", "tiny");
  const std::string path = compress_with_xz_tool(dir, "small", "--lzma2=dict=512MiB -M 8GiB");
  EXPECT_NE(message_of_failure(path).find("decoder memory"), std::string::npos);
}

}  // namespace
}  // namespace popsweep
