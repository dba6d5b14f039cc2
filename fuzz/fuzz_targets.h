// The fuzz targets: one function per reader of outside data, each taking
// arbitrary bytes as that reader's input. libFuzzer drives them (built by
// `scripts/fuzz` with Debian's clang, one executable per target:
// libfuzzer_entry.cc); the unit tests replay every input in
// fuzz/regressions/<target>/ and fuzz/corpus/<target>/ through the same
// functions (tests/fuzz/fuzz_regressions_test.cc), so a crash found once
// stays fixed.
//
// A target returns normally when the reader accepted the input or refused it
// with popsweep's own error (popsweep::Error, which names the file and what
// is wrong). Anything else is a bug the fuzzer reports: another exception, a
// crash, a sanitizer finding, a hang, an allocation past libFuzzer's limit, or
// a broken promise of the reader (checked with fuzz_require).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace popsweep::fuzz {

using FuzzFunction = void (*)(const std::uint8_t* data, std::size_t size);

struct FuzzTarget {
  const char* name;  // the executable is <name>_fuzzer; fuzz/README.md says what each reads
  FuzzFunction run;
};

// worker/data: the popsweep layout and Instaloader downloads.
void fuzz_posts_csv(const std::uint8_t* data, std::size_t size);
void fuzz_followers_csv(const std::uint8_t* data, std::size_t size);
void fuzz_exclusion_csv(const std::uint8_t* data, std::size_t size);
void fuzz_instaloader_json(const std::uint8_t* data, std::size_t size);
void fuzz_xz(const std::uint8_t* data, std::size_t size);
// orchestrator: experiment specs and their command-line overrides.
void fuzz_spec_yaml(const std::uint8_t* data, std::size_t size);
// worker/nets: weight files.
void fuzz_torch_archive(const std::uint8_t* data, std::size_t size);
void fuzz_state_dict_pickle(const std::uint8_t* data, std::size_t size);
void fuzz_safetensors(const std::uint8_t* data, std::size_t size);
void fuzz_tflite(const std::uint8_t* data, std::size_t size);
// worker/media: the decoders' entry points.
void fuzz_image(const std::uint8_t* data, std::size_t size);
void fuzz_video(const std::uint8_t* data, std::size_t size);

// Every target above, in that order.
const std::vector<FuzzTarget>& fuzz_targets();

}  // namespace popsweep::fuzz
