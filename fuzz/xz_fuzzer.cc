// A `.json.xz` metadata file through the bounded xz decoder. The decoder's
// output cap is lowered to 1 MiB here so that a decompression bomb is told
// apart from libFuzzer's own memory limit; the real cap is the same code with
// a larger number (kDefaultMaxXzOutputBytes).
#include "common/xz.h"
#include "fuzz/fuzz_support.h"
#include "fuzz/fuzz_targets.h"

namespace popsweep::fuzz {

void fuzz_xz(const std::uint8_t* data, std::size_t size) {
  constexpr std::size_t kOutputCap = std::size_t{1} << 20;
  const std::string path = write_scratch_file("metadata.json.xz", data, size);
  accept_or_refuse([&] {
    const std::string text = decompress_xz_file(path, kOutputCap);
    fuzz_require(text.size() <= kOutputCap, "the output stays under the cap");
  });
}

}  // namespace popsweep::fuzz
