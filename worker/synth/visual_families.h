// The planted visual signal. Every media draws one family (a palette and a
// kind of shape); each family shifts log PoR by its `effect`, so a model that
// sees the family can predict popularity. The effects average to zero, so a
// preset's base PoR stays the typical post's PoR.
#pragma once

#include <opencv2/core.hpp>

#include <string>
#include <vector>

namespace popsweep::synth {

enum class ShapeKind { Disc, Band, Triangle, CheckPatch, Speckle, Ring };

struct VisualFamily {
  int id = 0;
  std::string name;
  double effect = 0;  // added to log PoR
  cv::Scalar background_from;  // BGR; the background is a gradient between the two
  cv::Scalar background_to;
  std::vector<cv::Scalar> inks;  // shape colours
  ShapeKind main_shape = ShapeKind::Disc;
  int min_shapes = 0;
  int max_shapes = 0;
};

const std::vector<VisualFamily>& visual_families();

}  // namespace popsweep::synth
