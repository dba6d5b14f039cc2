#include "reports/duplicate_sheet.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "common/base64.h"
#include "reports/svg_canvas.h"
#include "worker/media/image_decoder.h"
#include "worker/media/image_preprocess.h"
#include "worker/media/video_frame_sampler.h"

namespace popsweep::reports {
namespace {

constexpr int kThumb = 96;       // longest side of a thumbnail, pixels
constexpr int kRowHeight = 112;  // one pair per row
constexpr int kWidth = 640;

struct Thumbnail {
  int width = 0;
  int height = 0;
  std::string data_uri;
};

// A video shows its cover image, or its first frame (M8's thumbnail).
media::RgbImage picture_of(const storage::MediaOfPost& media) {
  if (media.media_type == "image") return media::decode_image_file(media.path);
  if (!media.thumbnail_path.empty()) return media::decode_image_file(media.thumbnail_path);
  return media::decode_first_frame(media.path);
}

std::optional<Thumbnail> thumbnail_of(const storage::MediaOfPost& media) {
  try {
    const media::RgbImage picture = picture_of(media);
    const double scale = static_cast<double>(kThumb) / std::max(picture.width, picture.height);
    const int width = std::max(1, static_cast<int>(picture.width * scale + 0.5));
    const int height = std::max(1, static_cast<int>(picture.height * scale + 0.5));
    const media::RgbImage small = media::resize_bilinear(picture, width, height);
    cv::Mat bgr(height, width, CV_8UC3);
    for (int y = 0; y < height; ++y) {
      for (int x = 0; x < width; ++x) {
        const std::uint8_t* rgb = small.row(y) + x * 3;
        bgr.at<cv::Vec3b>(y, x) = cv::Vec3b(rgb[2], rgb[1], rgb[0]);
      }
    }
    std::vector<std::uint8_t> jpeg;
    if (!cv::imencode(".jpg", bgr, jpeg, {cv::IMWRITE_JPEG_QUALITY, 85})) return std::nullopt;
    return Thumbnail{width, height,
                     "data:image/jpeg;base64," + base64_encode(std::string(jpeg.begin(), jpeg.end()))};
  } catch (const std::exception&) {
    return std::nullopt;  // an unreadable file is already listed among the skipped media
  }
}

std::string file_name(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string image_element(const Thumbnail& thumbnail, int x, int y) {
  return fmt::format(R"(<image x="{}" y="{}" width="{}" height="{}" href="{}"/>)", x, y, thumbnail.width,
                     thumbnail.height, thumbnail.data_uri);
}

std::string text_element(const std::string& text, int x, int y, const char* weight = "normal") {
  return fmt::format(R"(<text x="{}" y="{}" font-family="sans-serif" font-size="12" font-weight="{}">{}</text>)", x,
                     y, weight, escape_xml(text));
}

}  // namespace

std::optional<ReportChart> duplicate_sheet_chart(const std::vector<storage::MediaOfPost>& media,
                                                 std::vector<storage::DuplicateRow> duplicates, int max_pairs) {
  std::map<std::int64_t, const storage::MediaOfPost*> by_id;
  for (const storage::MediaOfPost& m : media) by_id[m.media_id] = &m;
  std::stable_sort(duplicates.begin(), duplicates.end(),
                   [](const auto& a, const auto& b) { return a.distance < b.distance; });
  std::string rows;
  int shown = 0;
  for (const storage::DuplicateRow& pair : duplicates) {
    if (shown >= max_pairs) break;
    const auto kept = by_id.find(pair.kept_media_id);
    const auto removed = by_id.find(pair.removed_media_id);
    if (kept == by_id.end() || removed == by_id.end()) continue;
    const std::optional<Thumbnail> kept_thumb = thumbnail_of(*kept->second);
    const std::optional<Thumbnail> removed_thumb = thumbnail_of(*removed->second);
    if (!kept_thumb || !removed_thumb) continue;
    const int top = 30 + shown * kRowHeight;
    rows += image_element(*kept_thumb, 10, top);
    rows += image_element(*removed_thumb, 10 + kThumb + 10, top);
    const int text_x = 10 + 2 * (kThumb + 10) + 10;
    rows += text_element(fmt::format("distance {:.4g}", pair.distance), text_x, top + 20, "bold");
    rows += text_element("kept: " + file_name(kept->second->path), text_x, top + 40);
    rows += text_element("removed: " + file_name(removed->second->path), text_x, top + 58);
    ++shown;
  }
  if (shown == 0) return std::nullopt;
  ReportChart chart;
  chart.file_stem = "data_duplicate_pairs";
  chart.title = fmt::format("The {} closest near-duplicate pairs (kept left, removed right)", shown);
  const int height = 30 + shown * kRowHeight;
  chart.svg = fmt::format(R"(<svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" viewBox="0 0 {0} {1}">)",
                          kWidth, height) +
              text_element(chart.title, 10, 18, "bold") + rows + "</svg>";
  return chart;
}

}  // namespace popsweep::reports
