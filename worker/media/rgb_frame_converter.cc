#include "worker/media/rgb_frame_converter.h"

extern "C" {
#include <libavutil/pixdesc.h>
}

#include <opencv2/core.hpp>

#include "worker/media/media_error.h"
#include "worker/media/video_info.h"

namespace popsweep::media {
namespace {

RgbImage rotate_clockwise(const RgbImage& image, int degrees) {
  const bool sideways = degrees == 90 || degrees == 270;
  RgbImage rotated(sideways ? image.height : image.width, sideways ? image.width : image.height);
  const cv::Mat in(image.height, image.width, CV_8UC3, const_cast<std::uint8_t*>(image.pixels.data()));
  cv::Mat out(rotated.height, rotated.width, CV_8UC3, rotated.pixels.data());
  const int code = degrees == 90    ? cv::ROTATE_90_CLOCKWISE
                   : degrees == 180 ? cv::ROTATE_180
                                    : cv::ROTATE_90_COUNTERCLOCKWISE;
  cv::rotate(in, out, code);
  return rotated;
}

// The YUVJ formats are plain YUV at full range; swscale warns about them as
// deprecated, so they are passed as YUV with the range set explicitly.
AVPixelFormat without_range_alias(AVPixelFormat format) {
  switch (format) {
    case AV_PIX_FMT_YUVJ420P:
      return AV_PIX_FMT_YUV420P;
    case AV_PIX_FMT_YUVJ422P:
      return AV_PIX_FMT_YUV422P;
    case AV_PIX_FMT_YUVJ444P:
      return AV_PIX_FMT_YUV444P;
    case AV_PIX_FMT_YUVJ440P:
      return AV_PIX_FMT_YUV440P;
    case AV_PIX_FMT_YUVJ411P:
      return AV_PIX_FMT_YUV411P;
    default:
      return format;
  }
}

bool is_full_range(const AVFrame& frame) {
  const auto format = static_cast<AVPixelFormat>(frame.format);
  return without_range_alias(format) != format || frame.color_range == AVCOL_RANGE_JPEG;
}

}  // namespace

// Bicubic is what the ffmpeg command line uses for its implicit conversion; at
// native size it only affects chroma upsampling. The frame's own colour matrix
// and range are honoured (BT.709 phone video, full-range MJPEG), as ffmpeg's
// scale filter does.
void RgbFrameConverter::prepare_scaler(const AVFrame& frame, const std::string& source) {
  const AVPixelFormat format = without_range_alias(static_cast<AVPixelFormat>(frame.format));
  scaler_.reset(sws_getCachedContext(scaler_.release(), frame.width, frame.height, format, frame.width,
                                     frame.height, AV_PIX_FMT_RGB24, SWS_BICUBIC, nullptr, nullptr, nullptr));
  if (!scaler_) {
    const char* name = av_get_pix_fmt_name(format);
    throw MediaError(source,
                     std::string("cannot convert pixel format ") + (name ? name : "unknown") + " to RGB");
  }
  const int* coefficients = sws_getCoefficients(frame.colorspace);
  // The call fails harmlessly for RGB sources, which have no matrix to set.
  sws_setColorspaceDetails(scaler_.get(), coefficients, is_full_range(frame) ? 1 : 0,
                           sws_getCoefficients(SWS_CS_DEFAULT), 1, 0, 1 << 16, 1 << 16);
}

RgbImage RgbFrameConverter::convert(const AVFrame& frame, const std::string& source) {
  if (frame.width <= 0 || frame.height <= 0) throw MediaError(source, "video frame has no size");
  // The headers may promise a small size and a later frame change it.
  if (static_cast<long long>(frame.width) * frame.height > kMaxVideoFramePixels) {
    throw MediaError(source, std::to_string(frame.width) + " x " + std::to_string(frame.height) +
                                 " pixels in a frame, more than the limit of " +
                                 std::to_string(kMaxVideoFramePixels));
  }
  prepare_scaler(frame, source);
  RgbImage image(frame.width, frame.height);
  std::uint8_t* destination[4] = {image.pixels.data(), nullptr, nullptr, nullptr};
  const int destination_stride[4] = {frame.width * 3, 0, 0, 0};
  const int rows =
      sws_scale(scaler_.get(), frame.data, frame.linesize, 0, frame.height, destination, destination_stride);
  if (rows != frame.height) throw MediaError(source, "pixel format conversion failed");
  return rotation_degrees_ == 0 ? image : rotate_clockwise(image, rotation_degrees_);
}

}  // namespace popsweep::media
