// What the fuzz targets share: a scratch directory for readers that take a
// path rather than bytes, the rule for what counts as a clean refusal, and a
// check for the promises readers make about what they return.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/error.h"
#include "worker/nets/tensor_record.h"

namespace popsweep::fuzz {

// Quiets OpenCV, libav and spdlog, whose complaints about damaged input would
// otherwise flood the fuzzer's output. libFuzzer targets only: the unit tests
// keep their logs.
void silence_library_logs();

// A directory of this process's own (under $TMPDIR, else /tmp), made on first
// use and removed at exit.
const std::string& scratch_directory();

// Writes the bytes to `name` inside the scratch directory (creating folders);
// returns the file's path.
std::string write_scratch_file(const std::string& name, const std::uint8_t* data, std::size_t size);
std::string write_scratch_file(const std::string& name, const std::string& contents);

// Aborts with `promise` on stderr unless `condition` holds: a reader returned
// something it promises never to return.
void fuzz_require(bool condition, const char* promise);

// The promises every weight reader makes about the tensors it returns: each
// has a reasonable shape and its view lies inside its storage. Small tensors
// (as a model's are; the loader compares shapes with the model's first) are
// also copied out, as loading does.
void check_tensor_records(const std::vector<nets::NamedTensorRecord>& tensors);

// Runs `read`. A popsweep::Error is the reader refusing bad input with a
// message, which is what hostile input should get; every other exception
// escapes, and libFuzzer (or GoogleTest) reports it.
template <typename Read>
void accept_or_refuse(Read&& read) {
  try {
    read();
  } catch (const Error& error) {
    fuzz_require(error.what()[0] != '\0', "an error says what is wrong");
  }
}

}  // namespace popsweep::fuzz
