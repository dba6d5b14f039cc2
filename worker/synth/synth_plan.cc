#include "worker/synth/synth_plan.h"

namespace popsweep::synth {

const char* to_string(CorruptionKind kind) {
  switch (kind) {
    case CorruptionKind::None: return "none";
    case CorruptionKind::TruncatedJpeg:
    case CorruptionKind::TruncatedMp4: return "truncated";
    case CorruptionKind::EmptyFile: return "empty";
    case CorruptionKind::RandomBytes: return "random-bytes";
  }
  return "none";
}

const char* to_string(DuplicateTransform transform) {
  switch (transform) {
    case DuplicateTransform::None: return "none";
    case DuplicateTransform::Reencode: return "reencode";
    case DuplicateTransform::Rescale: return "rescale";
    case DuplicateTransform::Crop: return "crop";
  }
  return "none";
}

const char* to_string(PlannedPostKind kind) {
  switch (kind) {
    case PlannedPostKind::Image: return "image";
    case PlannedPostKind::Video: return "video";
    case PlannedPostKind::Carousel: return "carousel";
  }
  return "image";
}

const char* to_string(CrossTypeCopy copy) {
  switch (copy) {
    case CrossTypeCopy::None: return "none";
    case CrossTypeCopy::Thumbnail: return "thumbnail";
    case CrossTypeCopy::FirstFrame: return "first-frame";
  }
  return "none";
}

bool has_video(const ProfilePlan& plan, const PlannedPost& post) {
  for (int index : post.media) {
    if (plan.media[index].is_video) return true;
  }
  return false;
}

}  // namespace popsweep::synth
