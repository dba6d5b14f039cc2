#include "common/xz.h"

#include <lzma.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "common/error.h"

namespace popsweep {
namespace {

// Owns a liblzma decoder so that every exit path, thrown errors included,
// releases its memory.
class XzDecoder {
 public:
  explicit XzDecoder(const std::string& path) {
    // CONCATENATED: accept several streams one after another, as `xz -d`
    // does, and treat bytes after the last stream as an error rather than
    // ignoring them.
    const lzma_ret status = lzma_stream_decoder(&stream_, kXzDecoderMemoryLimitBytes, LZMA_CONCATENATED);
    if (status != LZMA_OK) {
      throw InputError(
          path, 0, "",
          "cannot start the xz decoder (liblzma error " + std::to_string(static_cast<int>(status)) + ")");
    }
  }
  ~XzDecoder() { lzma_end(&stream_); }
  XzDecoder(const XzDecoder&) = delete;
  XzDecoder& operator=(const XzDecoder&) = delete;

  lzma_stream& stream() { return stream_; }

 private:
  lzma_stream stream_ = LZMA_STREAM_INIT;
};

std::string describe_failure(lzma_ret status) {
  switch (status) {
    case LZMA_FORMAT_ERROR:
      return "not xz-compressed data";
    case LZMA_OPTIONS_ERROR:
      return "xz data uses options this liblzma does not support";
    case LZMA_DATA_ERROR:
      return "corrupt xz data";
    case LZMA_BUF_ERROR:
      return "truncated xz data (the file ends in the middle of a stream)";
    case LZMA_MEMLIMIT_ERROR:
      return "xz data needs more than " + std::to_string(kXzDecoderMemoryLimitBytes >> 20) +
             " MiB of decoder memory";
    case LZMA_MEM_ERROR:
      return "out of memory while decompressing";
    default:
      return "xz decoding failed (liblzma error " + std::to_string(static_cast<int>(status)) + ")";
  }
}

// Tells "this is not xz at all" apart from "this xz file is cut short",
// which liblzma alone reports alike for files shorter than a header.
void check_magic(const std::string& path, const std::uint8_t* start, std::size_t size) {
  static constexpr std::array<std::uint8_t, 6> kXzMagic = {0xFD, '7', 'z', 'X', 'Z', 0x00};
  if (size == 0) throw InputError(path, 0, "", "empty file, not xz-compressed data");
  if (size < kXzMagic.size() || !std::equal(kXzMagic.begin(), kXzMagic.end(), start)) {
    throw InputError(path, 0, "", "not xz-compressed data");
  }
}

}  // namespace

std::string decompress_xz_file(const std::string& path, std::size_t max_output_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, 0, "", std::string("cannot open: ") + std::strerror(errno));

  XzDecoder decoder(path);
  lzma_stream& stream = decoder.stream();
  std::array<std::uint8_t, 1 << 16> input;
  std::array<std::uint8_t, 1 << 16> output;
  std::string result;
  std::size_t input_bytes = 0;
  lzma_action action = LZMA_RUN;
  stream.next_out = output.data();
  stream.avail_out = output.size();
  while (true) {
    if (stream.avail_in == 0 && action == LZMA_RUN) {
      in.read(reinterpret_cast<char*>(input.data()), static_cast<std::streamsize>(input.size()));
      if (in.bad()) throw InputError(path, 0, "", "read failed");
      stream.next_in = input.data();
      stream.avail_in = static_cast<std::size_t>(in.gcount());
      if (input_bytes == 0) check_magic(path, input.data(), stream.avail_in);
      input_bytes += stream.avail_in;
      // Only LZMA_FINISH lets the decoder tell a complete file from a
      // truncated one, so it must be given once the file is exhausted.
      if (in.eof()) action = LZMA_FINISH;
    }
    const lzma_ret status = lzma_code(&stream, action);
    if (stream.avail_out == 0 || status == LZMA_STREAM_END) {
      const std::size_t produced = output.size() - stream.avail_out;
      if (result.size() + produced > max_output_bytes) {
        throw InputError(path, 0, "",
                         "decompresses to more than " + std::to_string(max_output_bytes) +
                             " bytes, too large for a metadata file");
      }
      result.append(reinterpret_cast<const char*>(output.data()), produced);
      stream.next_out = output.data();
      stream.avail_out = output.size();
    }
    if (status == LZMA_STREAM_END) return result;
    if (status != LZMA_OK) throw InputError(path, 0, "", describe_failure(status));
  }
}

}  // namespace popsweep
