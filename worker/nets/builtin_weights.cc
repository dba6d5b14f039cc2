#include "worker/nets/builtin_weights.h"

#include "common/error.h"
#include "common/sha256.h"

// The model's bytes go into the object file with the assembler's .incbin: no
// generated source (a 3.6 MB byte array would take the compiler tens of
// seconds and a lot of memory), no extra build step, and the same line works
// in every configuration that compiles this file (the ordinary, torch-free,
// sanitized and fuzzer builds). POPSWEEP_SOURCE_DIR is the absolute source
// root each of those targets defines. CMakeLists.txt makes the object depend
// on the file, so replacing it rebuilds this object; the bytes' SHA-256 is
// checked against the documented one by tests/worker/nets/builtin_weights_test.cc.
#define POPSWEEP_BUILTIN_FILE(name) POPSWEEP_SOURCE_DIR "/worker/nets/builtin/" name

asm(".pushsection .rodata.popsweep_builtin_weights,\"a\",@progbits\n"
    ".balign 64\n"
    ".globl popsweep_builtin_mobilenet_v2_begin\n"
    ".hidden popsweep_builtin_mobilenet_v2_begin\n"
    "popsweep_builtin_mobilenet_v2_begin:\n"
    ".incbin \"" POPSWEEP_BUILTIN_FILE("mobilenet_v2_1.0_224_quant.tflite") "\"\n"
    ".globl popsweep_builtin_mobilenet_v2_end\n"
    ".hidden popsweep_builtin_mobilenet_v2_end\n"
    "popsweep_builtin_mobilenet_v2_end:\n"
    ".popsection\n");

extern "C" {
__attribute__((visibility("hidden"))) extern const std::uint8_t popsweep_builtin_mobilenet_v2_begin[];
__attribute__((visibility("hidden"))) extern const std::uint8_t popsweep_builtin_mobilenet_v2_end[];
}

namespace popsweep::nets {

bool is_builtin_weights(const std::string& weights) { return weights.rfind(kBuiltinWeightsPrefix, 0) == 0; }

const std::vector<BuiltinWeights>& builtin_weights() {
  static const std::vector<BuiltinWeights> all = {
      {"builtin:mobilenet_v2", "mobilenet_v2", "mobilenet_v2_1.0_224_quant.tflite",
       popsweep_builtin_mobilenet_v2_begin,
       static_cast<std::size_t>(popsweep_builtin_mobilenet_v2_end - popsweep_builtin_mobilenet_v2_begin)}};
  return all;
}

const BuiltinWeights& find_builtin_weights(const std::string& weights) {
  std::string known;
  for (const BuiltinWeights& builtin : builtin_weights()) {
    if (builtin.name == weights) return builtin;
    known += (known.empty() ? "" : ", ") + builtin.name;
  }
  throw ConfigError("unknown builtin weights '" + weights + "' (known: " + known + ")");
}

std::string builtin_weights_sha256(const BuiltinWeights& builtin) {
  // Hashed once: job keys ask for it on every planning of a sweep.
  static const std::vector<std::string> hashes = [] {
    std::vector<std::string> all;
    for (const BuiltinWeights& each : builtin_weights()) {
      Sha256 hash;
      hash.update(each.bytes, each.size);
      all.push_back(hash.hex_digest());
    }
    return all;
  }();
  const std::vector<BuiltinWeights>& all = builtin_weights();
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (&all[i] == &builtin) return hashes[i];
  }
  throw Error("builtin_weights_sha256: not one of builtin_weights()");
}

std::string builtin_weights_with_sha256(const std::string& sha256) {
  for (const BuiltinWeights& builtin : builtin_weights()) {
    if (builtin_weights_sha256(builtin) == sha256) return builtin.name;
  }
  return "";
}

std::string architecture_fixed_by_weights(const std::string& weights) {
  return is_builtin_weights(weights) ? find_builtin_weights(weights).architecture : std::string();
}

}  // namespace popsweep::nets
