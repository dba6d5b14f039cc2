// Paints the content of synthetic media: a scene in a family's style (a
// textured gradient background and shapes), drawn as a still image or at any
// time of a video, where the shapes drift, spin and pulse. A scene is fully
// determined by (family, size, seed), so a duplicate is painted again from
// its original's seed instead of being read back from disk.
#pragma once

#include <opencv2/core.hpp>

#include <array>
#include <cstdint>
#include <vector>

#include "worker/synth/visual_families.h"

namespace popsweep::synth {

struct SceneShape {
  ShapeKind kind = ShapeKind::Disc;
  cv::Point2d center;  // pixels
  double size = 0;     // pixels: radius, half-thickness or half-side
  double angle = 0;    // radians
  cv::Scalar color;
  cv::Scalar second_color;
  int cells = 0;  // check patches
  std::array<double, 3> vertex_scale{1, 1, 1};  // triangles
  // Motion, used by videos only.
  cv::Point2d velocity;  // pixels per second
  double spin = 0;       // radians per second
  double pulse_hertz = 0;
  double pulse_phase = 0;
};

struct Scene {
  cv::Mat background;  // CV_8UC3, BGR
  std::vector<SceneShape> shapes;
};

Scene compose_scene(const VisualFamily& family, cv::Size size, std::uint64_t seed);

// The scene at `seconds` into a video; 0 gives the still composition.
cv::Mat render_scene(const Scene& scene, double seconds);

// A still image: the scene plus a fine grain of its own, which makes every
// image distinct at the pixel level even where shapes cover the background.
// `shift` moves the scene (a second shot of it, edges reflected) and
// `grain_seed` draws the grain (0: from `seed`).
cv::Mat paint_image(const VisualFamily& family, cv::Size size, std::uint64_t seed, cv::Point shift = {0, 0},
                    std::uint64_t grain_seed = 0);

// The picture blended towards a fully saturated colour of `hue_degrees` by
// `strength` (0: unchanged): a colour cast that marks a period.
cv::Mat tinted(const cv::Mat& picture, double hue_degrees, double strength);

}  // namespace popsweep::synth
