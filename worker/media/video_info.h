// What the rest of popsweep needs to know about a video file without its
// pixels: dedup (M8) compares duration and frame rate.
#pragma once

namespace popsweep::media {

// Every decoded frame is converted to RGB at full size, so a video whose
// frames are larger than this (8192 x 8192; 8K video is 7680 x 4320) is
// refused, from its headers when they say so and from a frame otherwise.
constexpr long long kMaxVideoFramePixels = 1LL << 26;

struct VideoInfo {
  // Of the video track: its stream duration, or the container's when the
  // stream does not say.
  double duration_seconds = 0.0;
  // The average frame rate (avg_frame_rate; r_frame_rate when that is
  // unknown); 0 when neither is known. For variable frame rate video this is
  // frames / duration, not the rate of any particular stretch.
  double frame_rate = 0.0;
  // As displayed: after the rotation below.
  int width = 0;
  int height = 0;
  // Clockwise rotation applied to decoded frames so they are upright
  // (0, 90, 180 or 270), from the container's display matrix.
  int rotation_degrees = 0;
};

}  // namespace popsweep::media
