#include "reports/heatmap_overlay.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "common/error.h"

namespace popsweep::reports {
namespace {

cv::Mat as_rgb_mat(const media::RgbImage& image) {
  // A view of the pixels; callers copy before the image goes away.
  return cv::Mat(image.height, image.width, CV_8UC3, const_cast<std::uint8_t*>(image.pixels.data()));
}

media::RgbImage from_rgb_mat(const cv::Mat& rgb) {
  media::RgbImage image(rgb.cols, rgb.rows);
  cv::Mat destination = as_rgb_mat(image);
  rgb.copyTo(destination);
  return image;
}

// The map as 8-bit intensities at the image's size, coloured with OpenCV's
// JET scale (which OpenCV returns in BGR order).
cv::Mat coloured_map_rgb(const torch::Tensor& map, int width, int height) {
  const torch::Tensor values = map.to(torch::kCPU, torch::kFloat32).clamp(0, 1).contiguous();
  const cv::Mat small(static_cast<int>(values.size(0)), static_cast<int>(values.size(1)), CV_32FC1,
                      const_cast<float*>(values.data_ptr<float>()));
  cv::Mat stretched, intensities, bgr, rgb;
  cv::resize(small, stretched, cv::Size(width, height), 0, 0, cv::INTER_LINEAR);
  stretched.convertTo(intensities, CV_8UC1, 255.0);
  cv::applyColorMap(intensities, bgr, cv::COLORMAP_JET);
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  return rgb;
}

}  // namespace

media::RgbImage overlay_heatmap(const media::RgbImage& image, const torch::Tensor& map, double heat_weight) {
  if (image.empty()) throw Error("heat-map overlay: the image is empty");
  if (map.dim() != 2) throw Error("heat-map overlay: expected an [h, w] map, got " + c10::str(map.sizes()));
  const cv::Mat colours = coloured_map_rgb(map, image.width, image.height);
  cv::Mat blended;
  cv::addWeighted(as_rgb_mat(image), 1.0 - heat_weight, colours, heat_weight, 0.0, blended);
  return from_rgb_mat(blended);
}

void write_png(const std::string& path, const media::RgbImage& image) {
  cv::Mat bgr;
  cv::cvtColor(as_rgb_mat(image), bgr, cv::COLOR_RGB2BGR);
  bool written = false;
  try {
    written = cv::imwrite(path, bgr);
  } catch (const cv::Exception& error) {
    throw Error("cannot write " + path + ": " + error.what());
  }
  if (!written) throw Error("cannot write " + path + " (no such folder, no permission, or not a .png name?)");
}

}  // namespace popsweep::reports
