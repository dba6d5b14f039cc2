// Decoded video frames (any pixel format, any colour matrix) to upright 8-bit
// RGB at their native resolution. Internal to worker/media.
#pragma once

#include "worker/media/libav_handles.h"
#include "worker/media/rgb_image.h"

namespace popsweep::media {

class RgbFrameConverter {
 public:
  // `clockwise_rotation_degrees`: 0, 90, 180 or 270, applied after conversion.
  explicit RgbFrameConverter(int clockwise_rotation_degrees)
      : rotation_degrees_(clockwise_rotation_degrees) {}

  // Throws MediaError (naming `source`) when swscale cannot handle the frame.
  RgbImage convert(const AVFrame& frame, const std::string& source);

 private:
  void prepare_scaler(const AVFrame& frame, const std::string& source);

  int rotation_degrees_;
  ScaleContextHandle scaler_;
};

}  // namespace popsweep::media
