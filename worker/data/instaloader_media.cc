#include "worker/data/instaloader_media.h"

#include <algorithm>

#include "common/error.h"
#include "common/file_util.h"
#include "worker/data/popsweep_reader.h"

namespace popsweep::data {
namespace {

// Instaloader derives the extension from the Content-Type header ("jpeg"
// becomes "jpg"); the usual one comes first.
const std::vector<std::string>& image_extensions() {
  static const std::vector<std::string> extensions = {".jpg", ".jpeg", ".png", ".webp", ".heic", ".gif"};
  return extensions;
}

const std::vector<std::string>& video_extensions() {
  static const std::vector<std::string> extensions = {".mp4", ".mov", ".m4v", ".webm"};
  return extensions;
}

bool has_media_extension(const std::string& extension) {
  for (const auto* list : {&image_extensions(), &video_extensions()}) {
    if (std::find(list->begin(), list->end(), extension) != list->end()) return true;
  }
  return false;
}

// The media file `<base><extension>` that exists, trying extensions in order.
std::string find_existing(const std::string& directory, const std::string& base,
                          const std::vector<std::string>& extensions) {
  for (const std::string& extension : extensions) {
    if (file_exists(join_path(directory, base + extension))) return base + extension;
  }
  return "";
}

MediaItem locate_item(const std::string& directory, const std::string& base, bool is_video, int index,
                      const std::string& metadata_path) {
  MediaItem item;
  item.index = index;
  item.type = is_video ? MediaType::Video : MediaType::Image;
  item.path = find_existing(directory, base, is_video ? video_extensions() : image_extensions());
  if (item.path.empty()) {
    throw InputError(
        metadata_path, 0, "",
        "media file '" + base + (is_video ? ".mp4" : ".jpg") + "' does not exist in " + directory +
            " (was it downloaded with --no-videos, --no-pictures or --slide? popsweep needs every "
            "image and video of a post)");
  }
  if (is_video) item.thumbnail_path = find_thumbnail(directory, item.path);
  return item;
}

}  // namespace

std::vector<MediaItem> locate_instaloader_media(const std::string& directory, const std::string& stem,
                                                const InstaloaderPostMetadata& post,
                                                const std::string& metadata_path) {
  std::vector<MediaItem> media;
  if (post.kind != PostKind::Carousel) {
    media.push_back(locate_item(directory, stem, post.item_is_video.at(0), 0, metadata_path));
    return media;
  }
  for (size_t i = 0; i < post.item_is_video.size(); ++i) {
    const std::string base = stem + "_" + std::to_string(i + 1);  // Instaloader counts items from 1
    media.push_back(locate_item(directory, base, post.item_is_video[i], static_cast<int>(i), metadata_path));
  }
  return media;
}

std::vector<std::string> unreferenced_instaloader_media(const std::set<std::string>& files_in_directory,
                                                        const std::string& stem,
                                                        const std::set<std::string>& referenced) {
  std::vector<std::string> unreferenced;
  for (auto it = files_in_directory.lower_bound(stem);
       it != files_in_directory.end() && it->compare(0, stem.size(), stem) == 0; ++it) {
    std::string rest = it->substr(stem.size());
    if (!rest.empty() && rest[0] == '_') {
      const size_t digits_end = rest.find_first_not_of("0123456789", 1);
      if (digits_end == 1 || digits_end == std::string::npos) continue;  // `_profile_pic`, `_comments`, ...
      rest = rest.substr(digits_end);
    }
    if (rest.empty() || rest[0] != '.' || !has_media_extension(rest)) continue;
    if (!referenced.count(*it)) unreferenced.push_back(*it);
  }
  return unreferenced;
}

}  // namespace popsweep::data
