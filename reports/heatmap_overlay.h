// Grad-CAM's picture (M20): the class-activation map, stretched to the
// image's size, coloured (blue = none, red = strongest) and blended over the
// image, written as a PNG.
#pragma once

#include <torch/torch.h>

#include <string>

#include "worker/media/rgb_image.h"

namespace popsweep::reports {

// `map`: [h, w] values in [0, 1]. `heat_weight` is the colour's share of each
// pixel (the image keeps the rest). The map was computed on the image resized
// to a square, so stretching it back to the image's own width and height puts
// every cell over the part of the picture it saw.
media::RgbImage overlay_heatmap(const media::RgbImage& image, const torch::Tensor& map,
                                double heat_weight = 0.45);

// Writes `image` as a PNG; throws Error naming the path when it cannot.
void write_png(const std::string& path, const media::RgbImage& image);

}  // namespace popsweep::reports
