// Everything the generator decides before it writes a byte: posts, their
// media, what each media file will contain and how it is spoiled, followers
// and engagement. Planning draws every random number in a fixed order; the
// files are then rendered from the plan alone, in any order and on any
// thread, so a seed always gives the same bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/time_format.h"
#include "worker/synth/synth_presets.h"

namespace popsweep::synth {

enum class CorruptionKind { None, TruncatedJpeg, EmptyFile, RandomBytes, TruncatedMp4 };
enum class DuplicateTransform { None, Reencode, Rescale, Crop };
enum class PlannedPostKind { Image, Video, Carousel };
// How an image duplicates a video: it shows the video's thumbnail, or the
// first frame of a video listed without a thumbnail.
enum class CrossTypeCopy { None, Thumbnail, FirstFrame };

// truth.json's words: "truncated", "empty", "random-bytes"; "reencode", ...
const char* to_string(CorruptionKind kind);
const char* to_string(DuplicateTransform transform);
const char* to_string(PlannedPostKind kind);
const char* to_string(CrossTypeCopy copy);  // "none", "thumbnail", "first-frame"

struct ImagePlan {
  // The scene is painted at this size, then a duplicate is transformed.
  int width = 0;
  int height = 0;
  int jpeg_quality = 0;
  double rescale = 1.0;  // DuplicateTransform::Rescale
  int crop_left = 0, crop_top = 0, crop_right = 0, crop_bottom = 0;  // DuplicateTransform::Crop
  // A carousel shot: the scene moved by (shift_x, shift_y) pixels, with a
  // grain of its own seed (0: the scene's grain).
  int shift_x = 0, shift_y = 0;
  std::uint64_t grain_seed = 0;
  // A copy of a video's first frame (CrossTypeCopy): the scene painted at the
  // video's displayed size, as a video frame (no grain), then resized to
  // width x height.
  int frame_width = 0, frame_height = 0;
};

struct VideoPlan {
  int width = 0;  // as coded
  int height = 0;
  int fps = 0;
  int frames = 0;
  int rotation_clockwise = 0;  // for display: 0, 90 or 270
  int crf = 0;
  int thumbnail_quality = 0;
  double duration_seconds() const { return static_cast<double>(frames) / fps; }
};

struct PlannedMedia {
  std::string path;            // relative to the profile directory
  std::string thumbnail_path;  // videos only: the first frame, same stem; empty: none written
  int post = 0;                // index into ProfilePlan::posts
  int media_index = 0;         // position in the post, from 0
  bool is_video = false;
  int family = 0;
  std::uint64_t content_seed = 0;  // the scene; a duplicate shares its original's
  int duplicate_of = -1;           // index into ProfilePlan::media
  DuplicateTransform transform = DuplicateTransform::None;
  CorruptionKind corruption = CorruptionKind::None;
  double kept_fraction = 1.0;  // truncations keep this share of the bytes
  int copies_video = -1;        // an image reproducing this video (index into ProfilePlan::media)
  CrossTypeCopy copy = CrossTypeCopy::None;
  int period = -1;              // PopularitySignal::DriftingFamily: the drift period, else -1
  double tint_hue = -1;         // degrees; the picture is blended towards this hue (-1: none)
  double tint_strength = 0;     // the share of the tint in the blend
  int template_of = -1;         // a template post: the earlier post's media whose template it shares
  std::uint64_t text_seed = 0;  // the text of a template's panel (0: no panel)
  ImagePlan image;
  VideoPlan video;
};

struct PlannedPost {
  std::string id;
  UnixSeconds posted_at = 0;
  PlannedPostKind kind = PlannedPostKind::Image;
  std::vector<int> media;  // indices into ProfilePlan::media, carousel order
  double followers = 0;    // the true count when posted
  double por = 0;          // the planted popularity rate
  std::int64_t likes = 0;
  std::int64_t comments = 0;
  std::optional<std::int64_t> impressions;
};

struct FollowerPoint {
  UnixSeconds at = 0;
  std::int64_t followers = 0;
};

struct ProfilePlan {
  SynthPreset preset;
  std::uint64_t seed = 0;
  UnixSeconds start = 0;
  UnixSeconds end = 0;
  std::vector<PlannedPost> posts;  // in time order
  std::vector<PlannedMedia> media;  // in post order, then carousel order
  std::vector<FollowerPoint> follower_samples;  // in time order
};

bool has_video(const ProfilePlan& plan, const PlannedPost& post);

}  // namespace popsweep::synth
