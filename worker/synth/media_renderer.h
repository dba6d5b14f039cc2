// Writes the planned media files: JPEG images (with a repost's rescale, crop
// or re-encoding), H.264 videos with their first frame as a same-stem JPEG
// thumbnail, and the planned corruption. Every file depends only on its
// PlannedMedia, so files are rendered on several threads with equal bytes.
#pragma once

#include <string>

#include "worker/synth/synth_plan.h"

namespace popsweep::synth {

// Writes one media file (and a video's thumbnail) under `root`.
void render_media_file(const PlannedMedia& media, const std::string& root);

// Writes every media file of the plan under `root` with `threads` threads,
// longest videos first; rethrows the first error once all threads stopped.
void render_all_media(const ProfilePlan& plan, const std::string& root, int threads);

}  // namespace popsweep::synth
