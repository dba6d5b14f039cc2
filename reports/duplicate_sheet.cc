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

// One row of the sheet: two pictures and three lines of text.
struct SheetRow {
  const storage::MediaOfPost* left = nullptr;
  const storage::MediaOfPost* right = nullptr;
  std::string headline;
  std::string first_line;
  std::string second_line;
};

using MediaById = std::map<std::int64_t, const storage::MediaOfPost*>;

std::string score_text(const storage::DedupCandidateRow& candidate) {
  return candidate.block_difference
             ? fmt::format(", worst block {:.1f} grey levels", *candidate.block_difference)
             : std::string();
}

// Draws up to `max_rows` of `rows` whose pictures can be read, from `top`;
// returns how many it drew.
int draw_rows(const std::vector<SheetRow>& rows, int max_rows, int top, std::string& svg) {
  int shown = 0;
  for (const SheetRow& row : rows) {
    if (shown >= max_rows) break;
    const std::optional<Thumbnail> left = thumbnail_of(*row.left);
    const std::optional<Thumbnail> right = thumbnail_of(*row.right);
    if (!left || !right) continue;
    const int y = top + shown * kRowHeight;
    svg += image_element(*left, 10, y);
    svg += image_element(*right, 10 + kThumb + 10, y);
    const int text_x = 10 + 2 * (kThumb + 10) + 10;
    svg += text_element(row.headline, text_x, y + 20, "bold");
    svg += text_element(row.first_line, text_x, y + 40);
    svg += text_element(row.second_line, text_x, y + 58);
    ++shown;
  }
  return shown;
}

std::vector<SheetRow> duplicate_rows(const MediaById& by_id, std::vector<storage::DuplicateRow> duplicates,
                                     const std::vector<storage::DedupCandidateRow>& candidates) {
  std::map<std::pair<std::int64_t, std::int64_t>, const storage::DedupCandidateRow*> candidate_of;
  for (const storage::DedupCandidateRow& c : candidates) {
    candidate_of[{c.first_media_id, c.second_media_id}] = &c;
    candidate_of[{c.second_media_id, c.first_media_id}] = &c;
  }
  std::stable_sort(duplicates.begin(), duplicates.end(),
                   [](const auto& a, const auto& b) { return a.distance < b.distance; });
  std::vector<SheetRow> rows;
  for (const storage::DuplicateRow& pair : duplicates) {
    const auto kept = by_id.find(pair.kept_media_id);
    const auto removed = by_id.find(pair.removed_media_id);
    if (kept == by_id.end() || removed == by_id.end()) continue;
    const auto candidate = candidate_of.find({pair.removed_media_id, pair.kept_media_id});
    const std::string score =
        candidate == candidate_of.end() ? std::string() : score_text(*candidate->second);
    rows.push_back({kept->second, removed->second, fmt::format("distance {:.4g}{}", pair.distance, score),
                    "kept: " + file_name(kept->second->path),
                    "removed: " + file_name(removed->second->path)});
  }
  return rows;
}

// The candidates verification rejected, closest first (the closest are the
// ones the feature rule alone would have removed first).
std::vector<SheetRow> near_miss_rows(const MediaById& by_id,
                                     const std::vector<storage::DedupCandidateRow>& candidates) {
  std::vector<const storage::DedupCandidateRow*> rejected;
  for (const storage::DedupCandidateRow& c : candidates)
    if (!c.kept) rejected.push_back(&c);
  std::stable_sort(rejected.begin(), rejected.end(),
                   [](const auto* a, const auto* b) { return a->distance < b->distance; });
  std::vector<SheetRow> rows;
  for (const storage::DedupCandidateRow* c : rejected) {
    const auto first = by_id.find(c->first_media_id);
    const auto second = by_id.find(c->second_media_id);
    if (first == by_id.end() || second == by_id.end()) continue;
    rows.push_back({first->second, second->second,
                    fmt::format("distance {:.4g}{}", c->distance, score_text(*c)),
                    "rejected: " + c->reason + " (both kept)",
                    file_name(first->second->path) + " / " + file_name(second->second->path)});
  }
  return rows;
}

}  // namespace

std::optional<ReportChart> duplicate_sheet_chart(const std::vector<storage::MediaOfPost>& media,
                                                 std::vector<storage::DuplicateRow> duplicates,
                                                 const std::vector<storage::DedupCandidateRow>& candidates,
                                                 int max_pairs) {
  MediaById by_id;
  for (const storage::MediaOfPost& m : media) by_id[m.media_id] = &m;
  std::string rows;
  const int shown = draw_rows(duplicate_rows(by_id, std::move(duplicates), candidates), max_pairs, 30, rows);
  const std::vector<SheetRow> misses = near_miss_rows(by_id, candidates);
  std::string miss_rows;
  const int heading = 30 + shown * kRowHeight;
  const int missed = draw_rows(misses, max_pairs, heading + 30, miss_rows);
  if (shown == 0 && missed == 0) return std::nullopt;
  ReportChart chart;
  chart.file_stem = "data_duplicate_pairs";
  chart.title = fmt::format("The {} closest near-duplicate pairs (kept left, removed right)", shown);
  // The sheet's own heading names the duplicates only: the near-misses get
  // theirs above their rows, and both in one line would run off the sheet.
  const std::string heading_text = chart.title;
  int height = 30 + shown * kRowHeight;
  if (missed > 0) {
    chart.title +=
        fmt::format(" and the {} closest near-misses pixel verification rejected (both kept)", missed);
    rows += text_element(
                fmt::format("The {} closest near-misses pixel verification rejected (both kept)", missed), 10,
                heading + 18, "bold") +
            miss_rows;
    height = heading + 30 + missed * kRowHeight;
  }
  chart.svg =
      fmt::format(
          R"(<svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" viewBox="0 0 {0} {1}">)",
          kWidth, height) +
      text_element(heading_text, 10, 18, "bold") + rows + "</svg>";
  return chart;
}

}  // namespace popsweep::reports
