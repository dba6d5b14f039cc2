// Weight files compiled into the popsweep binary, named "builtin:<name>"
// wherever a weight file is accepted (features.weights, --weights). They work
// from any folder and from an installed binary: the bytes are assembled into
// the program at build time (builtin_weights.cc), never looked up on disk.
//
//   builtin:mobilenet_v2   the ImageNet MobileNetV2 (width 1.0, 224 px, int8
//                          TFLite, 1001 classes) of google-coral/test_data,
//                          worker/nets/builtin/README.md; loaded like
//                          `popsweep weights import` would (tflite_import.h)
//
// A builtin's identity (job keys, reports) is the SHA-256 of its bytes, the
// same as the identity of the file it was built from.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace popsweep::nets {

inline constexpr const char* kBuiltinWeightsPrefix = "builtin:";

struct BuiltinWeights {
  std::string name;          // "builtin:mobilenet_v2"
  std::string architecture;  // the backbone they are for: "mobilenet_v2"
  std::string file_name;     // the file they were built from, for messages
  const std::uint8_t* bytes = nullptr;
  std::size_t size = 0;
};

// Whether `weights` names a builtin (starts with "builtin:"), known or not.
bool is_builtin_weights(const std::string& weights);

// The builtin named `weights` ("builtin:mobilenet_v2"). Throws ConfigError
// for an unknown name, listing the known ones.
const BuiltinWeights& find_builtin_weights(const std::string& weights);

// Every builtin, in a fixed order.
const std::vector<BuiltinWeights>& builtin_weights();

// SHA-256 (hex) of the builtin's bytes, computed once per process.
std::string builtin_weights_sha256(const BuiltinWeights& builtin);

// The name of the builtin whose bytes have this SHA-256 (hex), or "": lets a
// stored weights identity (job params' weights_hash) find its builtin again.
std::string builtin_weights_with_sha256(const std::string& sha256);

// The architecture that `weights` fixes: a builtin's, or "" for files and
// "random" (which fit either backbone, or are checked when read).
std::string architecture_fixed_by_weights(const std::string& weights);

}  // namespace popsweep::nets
