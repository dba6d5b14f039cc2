#include "worker/data/profile.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace popsweep::data {

const char* to_string(MediaType type) { return type == MediaType::Video ? "video" : "image"; }

const char* to_string(PostKind kind) {
  switch (kind) {
    case PostKind::Image: return "image";
    case PostKind::Video: return "video";
    case PostKind::Carousel: return "carousel";
  }
  return "image";
}

std::optional<MediaType> parse_media_type(const std::string& text) {
  if (text == "image") return MediaType::Image;
  if (text == "video") return MediaType::Video;
  return std::nullopt;
}

std::optional<PostKind> parse_post_kind(const std::string& text) {
  if (text == "image") return PostKind::Image;
  if (text == "video") return PostKind::Video;
  if (text == "carousel") return PostKind::Carousel;
  return std::nullopt;
}

MediaType media_type_of_path(const std::string& path) {
  std::string extension = std::filesystem::path(path).extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  static const char* const kVideoExtensions[] = {".mp4", ".mov", ".m4v", ".webm", ".mkv", ".avi"};
  for (const char* video : kVideoExtensions) {
    if (extension == video) return MediaType::Video;
  }
  return MediaType::Image;
}

}  // namespace popsweep::data
