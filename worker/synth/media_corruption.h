// Spoils a written media file the ways downloads and disks do, so that the
// pipeline meets files it must skip with a clear reason: a JPEG or MP4 cut
// short (an MP4's index comes last, so nothing of it plays), a zero-byte
// file, and noise where a picture should be.
#pragma once

#include <cstdint>
#include <string>

#include "worker/synth/synth_plan.h"

namespace popsweep::synth {

// `kept_fraction` is the share of bytes a truncation keeps; random bytes
// replace the file's content with as many bytes drawn from `seed`, never
// starting like a JPEG, PNG or MP4.
void spoil_file(const std::string& path, CorruptionKind kind, double kept_fraction, std::uint64_t seed);

}  // namespace popsweep::synth
