#include "worker/synth/visual_families.h"

namespace popsweep::synth {

const std::vector<VisualFamily>& visual_families() {
  // Hues far apart, because colour is what even a random-weight CNN sees
  // first; the shapes add a texture cue on top.
  static const std::vector<VisualFamily> families = {
      {0, "red-discs", 0.40, {40, 30, 130}, {70, 150, 235}, {{30, 30, 220}, {40, 120, 255}, {90, 220, 250}},
       ShapeKind::Disc, 3, 9},
      {1, "blue-stripes", -0.35, {110, 40, 20}, {235, 185, 120}, {{255, 240, 220}, {200, 120, 30}, {255, 255, 120}},
       ShapeKind::Band, 3, 7},
      {2, "green-triangles", 0.15, {40, 100, 30}, {130, 225, 160}, {{40, 230, 200}, {20, 90, 10}, {120, 255, 120}},
       ShapeKind::Triangle, 3, 8},
      {3, "purple-checks", -0.15, {120, 30, 100}, {225, 150, 215}, {{200, 40, 200}, {255, 190, 250}, {90, 10, 70}},
       ShapeKind::CheckPatch, 2, 5},
      {4, "gray-speckles", 0.25, {45, 45, 45}, {205, 205, 205}, {{10, 10, 10}, {250, 250, 250}, {128, 128, 128}},
       ShapeKind::Speckle, 120, 260},
      {5, "teal-rings", -0.30, {110, 110, 20}, {215, 225, 120}, {{90, 80, 0}, {250, 255, 230}, {160, 200, 40}},
       ShapeKind::Ring, 2, 6},
  };
  return families;
}

}  // namespace popsweep::synth
