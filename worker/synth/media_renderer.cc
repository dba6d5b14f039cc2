#include "worker/synth/media_renderer.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <mutex>
#include <thread>

#include "common/error.h"
#include "common/file_util.h"
#include "worker/synth/h264_writer.h"
#include "worker/synth/media_corruption.h"
#include "worker/synth/media_painter.h"
#include "worker/synth/synth_random.h"
#include "worker/synth/template_panel.h"
#include "worker/synth/visual_families.h"

namespace popsweep::synth {
namespace {

// derive_seed stream of the noise that replaces a corrupt file.
constexpr std::uint64_t kNoiseStream = 201;

void write_jpeg(const std::string& path, const cv::Mat& image, int quality) {
  std::vector<std::uint8_t> bytes;
  if (!cv::imencode(".jpg", image, bytes, {cv::IMWRITE_JPEG_QUALITY, quality})) {
    throw Error("cannot encode a JPEG for " + path);
  }
  write_file_atomically(path, std::string(bytes.begin(), bytes.end()));
}

cv::Mat transformed_image(const cv::Mat& painted, const ImagePlan& plan) {
  cv::Mat image = painted;
  if (plan.rescale != 1.0) {
    const cv::Size size(static_cast<int>(std::lround(image.cols * plan.rescale)),
                        static_cast<int>(std::lround(image.rows * plan.rescale)));
    cv::Mat resized;
    cv::resize(image, resized, size, 0, 0, plan.rescale < 1 ? cv::INTER_AREA : cv::INTER_CUBIC);
    image = resized;
  }
  if (plan.crop_left + plan.crop_right + plan.crop_top + plan.crop_bottom > 0) {
    const cv::Rect kept(plan.crop_left, plan.crop_top, image.cols - plan.crop_left - plan.crop_right,
                        image.rows - plan.crop_top - plan.crop_bottom);
    image = image(kept).clone();
  }
  return image;
}

// An image showing a video's first frame: the frame as the video renders
// it (no grain), tinted as the video is, resized to the image's size.
cv::Mat painted_video_frame(const PlannedMedia& media) {
  const ImagePlan& image = media.image;
  const Scene scene =
      compose_scene(visual_families().at(media.family), {image.frame_width, image.frame_height}, media.content_seed);
  const cv::Mat frame = tinted(render_scene(scene, 0), media.tint_hue, media.tint_strength);
  cv::Mat resized;
  cv::resize(frame, resized, {image.width, image.height}, 0, 0,
             image.width < frame.cols ? cv::INTER_AREA : cv::INTER_CUBIC);
  return resized;
}

void render_image(const PlannedMedia& media, const std::string& path) {
  const ImagePlan& image = media.image;
  cv::Mat painted;
  if (media.copy != CrossTypeCopy::None) {
    painted = painted_video_frame(media);
  } else {
    painted = paint_image(visual_families().at(media.family), {image.width, image.height}, media.content_seed,
                          {image.shift_x, image.shift_y}, image.grain_seed);
    if (media.text_seed != 0) draw_text_panel(painted, media.text_seed);
    painted = tinted(painted, media.tint_hue, media.tint_strength);
  }
  write_jpeg(path, transformed_image(painted, image), image.jpeg_quality);
}

// The scene is painted upright (as displayed) and each frame is turned back
// against the display rotation before encoding, as a phone held sideways does.
cv::Mat to_coded_orientation(const cv::Mat& upright, int rotation_clockwise) {
  cv::Mat coded;
  switch ((rotation_clockwise % 360 + 360) % 360) {
    case 90: cv::rotate(upright, coded, cv::ROTATE_90_COUNTERCLOCKWISE); return coded;
    case 180: cv::rotate(upright, coded, cv::ROTATE_180); return coded;
    case 270: cv::rotate(upright, coded, cv::ROTATE_90_CLOCKWISE); return coded;
    default: return upright;
  }
}

void render_video(const PlannedMedia& media, const std::string& path, const std::string& thumbnail_path) {
  const VideoPlan& video = media.video;
  const bool sideways = video.rotation_clockwise % 180 != 0;
  const cv::Size upright_size = sideways ? cv::Size(video.height, video.width) : cv::Size(video.width, video.height);
  const Scene scene = compose_scene(visual_families().at(media.family), upright_size, media.content_seed);
  H264Settings settings;
  settings.width = video.width;
  settings.height = video.height;
  settings.fps = video.fps;
  settings.crf = video.crf;
  settings.rotation_clockwise = video.rotation_clockwise;
  H264Mp4Writer writer(path, settings);
  for (int i = 0; i < video.frames; ++i) {
    const cv::Mat upright =
        tinted(render_scene(scene, static_cast<double>(i) / video.fps), media.tint_hue, media.tint_strength);
    if (i == 0 && !media.thumbnail_path.empty()) write_jpeg(thumbnail_path, upright, video.thumbnail_quality);
    writer.write_frame(to_coded_orientation(upright, video.rotation_clockwise));
  }
  writer.finish();
}

// Cost estimate for scheduling: pixels to encode.
double rendering_cost(const PlannedMedia& media) {
  if (!media.is_video) return static_cast<double>(media.image.width) * media.image.height;
  return static_cast<double>(media.video.width) * media.video.height * media.video.frames;
}

}  // namespace

void render_media_file(const PlannedMedia& media, const std::string& root) {
  const std::string path = join_path(root, media.path);
  if (media.is_video) {
    render_video(media, path, media.thumbnail_path.empty() ? "" : join_path(root, media.thumbnail_path));
  } else {
    render_image(media, path);
  }
  spoil_file(path, media.corruption, media.kept_fraction, derive_seed(media.content_seed, kNoiseStream, 0));
}

void render_all_media(const ProfilePlan& plan, const std::string& root, int threads) {
  std::vector<size_t> order(plan.media.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return rendering_cost(plan.media[a]) > rendering_cost(plan.media[b]);
  });
  const QuietLibavLog quiet;
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr first_error;
  std::mutex error_mutex;
  const auto work = [&] {
    for (size_t k = next++; k < order.size() && !failed; k = next++) {
      try {
        render_media_file(plan.media[order[k]], root);
      } catch (...) {
        const std::lock_guard<std::mutex> lock(error_mutex);
        if (!first_error) first_error = std::current_exception();
        failed = true;
      }
    }
  };
  std::vector<std::thread> workers;
  for (int i = 1; i < std::max(1, threads); ++i) workers.emplace_back(work);
  work();
  for (std::thread& worker : workers) worker.join();
  if (first_error) std::rethrow_exception(first_error);
}

}  // namespace popsweep::synth
