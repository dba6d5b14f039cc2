// M14's training augmentations, applied to decoded images so that the
// feature store can hold N seeded augmented views per image and training can
// draw one per epoch without running the backbone again: horizontal flip,
// translation up to 10% of height and width, zoom up to 10% in or out, and
// brightness, contrast and saturation jitter. The geometric part is one
// affine warp with reflected borders (Keras' default fill mode); the colour
// part works on the 8-bit RGB pixels.
#pragma once

#include <cstdint>
#include <string>

#include "worker/media/rgb_image.h"

namespace popsweep::features {

struct AugmentationSettings {
  bool horizontal_flip = true;
  double max_translation = 0.10;  // fraction of width / height
  double max_zoom = 0.10;         // scale drawn from [1 - z, 1 + z]
  double max_brightness = 0.20;   // added, as a fraction of full scale
  double max_contrast = 0.20;     // factor drawn from [1 - c, 1 + c] around the mean
  double max_saturation = 0.20;   // factor drawn from [1 - s, 1 + s] around the grey value
};

// One draw of every random choice, so a view is reproducible from its seed.
struct AugmentationDraw {
  bool flip = false;
  double shift_x = 0;  // fraction of width
  double shift_y = 0;  // fraction of height
  double scale = 1;
  double brightness = 0;
  double contrast = 1;
  double saturation = 1;
};

AugmentationDraw draw_augmentation(std::uint64_t seed, const AugmentationSettings& settings);

// The same size as the input.
media::RgbImage apply_augmentation(const media::RgbImage& image, const AugmentationDraw& draw);

// The seed of view `view` of a media file: stable across runs, machines and
// builds (a hash of the sweep seed, the file's content hash and the view).
std::uint64_t augmentation_seed(std::uint64_t base_seed, const std::string& content_hash, int view);

}  // namespace popsweep::features
