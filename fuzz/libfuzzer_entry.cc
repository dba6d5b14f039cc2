// libFuzzer's entry point for one target: fuzz/CMakeLists.txt compiles this
// file once per target with POPSWEEP_FUZZ_FUNCTION naming the function
// (fuzz_targets.h).
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_support.h"
#include "fuzz/fuzz_targets.h"

#ifndef POPSWEEP_FUZZ_FUNCTION
#error "compile with -DPOPSWEEP_FUZZ_FUNCTION=fuzz_<target>"
#endif

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  popsweep::fuzz::silence_library_logs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  popsweep::fuzz::POPSWEEP_FUZZ_FUNCTION(data, size);
  return 0;
}
