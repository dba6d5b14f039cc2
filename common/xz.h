// Reading xz-compressed files (Instaloader stores each post's metadata as
// `.json.xz`). The files come from outside, so decompression is bounded: a
// small file that expands without end, or that asks the decoder for a huge
// dictionary, is rejected instead of exhausting memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace popsweep {

// Metadata files are kilobytes; 64 MiB leaves room for any real one.
constexpr std::size_t kDefaultMaxXzOutputBytes = std::size_t{64} << 20;
// The decoder's memory grows with the dictionary size chosen by the writer
// (xz -9 needs about 65 MiB); more than this is not a file we wrote.
constexpr std::uint64_t kXzDecoderMemoryLimitBytes = std::uint64_t{256} << 20;

// The whole decompressed contents of an .xz file (concatenated streams are
// joined, as `xz -d` does). Throws InputError naming `path` when the file
// cannot be read, is not xz, is truncated or corrupt, or would decompress to
// more than `max_output_bytes`.
std::string decompress_xz_file(const std::string& path,
                               std::size_t max_output_bytes = kDefaultMaxXzOutputBytes);

}  // namespace popsweep
