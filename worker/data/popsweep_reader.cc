#include "worker/data/popsweep_reader.h"

#include <filesystem>
#include <map>
#include <sstream>

#include "common/csv.h"
#include "common/error.h"
#include "common/file_util.h"
#include "worker/data/caption_text.h"
#include "worker/data/followers_reader.h"

namespace popsweep::data {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> split_media_list(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream stream(text);
  std::string part;
  while (std::getline(stream, part, ';')) {
    const size_t first = part.find_first_not_of(" \t");
    if (first == std::string::npos) continue;
    const size_t last = part.find_last_not_of(" \t");
    parts.push_back(part.substr(first, last - first + 1));
  }
  return parts;
}

// An image post holds one image, a video post one video; a carousel holds any
// mix. Anything else is almost always a mislabelled row.
void check_kind_matches_media(const CsvTable& table, const CsvRecord& record, const Post& post) {
  if (post.kind == PostKind::Carousel) return;
  const MediaType expected = post.kind == PostKind::Video ? MediaType::Video : MediaType::Image;
  if (post.media.size() != 1 || post.media[0].type != expected) {
    throw InputError(table.source(), record.line, "media",
                     std::string("a post of kind '") + to_string(post.kind) + "' must list exactly one " +
                         to_string(expected) + " (use kind 'carousel' for several media)");
  }
}

}  // namespace

std::string find_thumbnail(const std::string& directory, const std::string& video_path) {
  const fs::path relative(video_path);
  for (const char* extension : {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".JPG", ".PNG"}) {
    fs::path candidate = relative;
    candidate.replace_extension(extension);
    if (file_exists(join_path(directory, candidate.string()))) return candidate.string();
  }
  return "";
}

Profile read_popsweep_profile(const std::string& directory) {
  std::error_code error;
  const fs::path root = fs::absolute(directory, error);
  if (error || !fs::is_directory(root)) {
    throw InputError(directory, 0, "", "profile directory does not exist");
  }
  Profile profile;
  profile.source_dir = root.lexically_normal().string();
  if (!profile.source_dir.empty() && profile.source_dir.back() == '/') profile.source_dir.pop_back();
  profile.name = fs::path(profile.source_dir).filename().string();
  profile.format = "popsweep";

  const std::string posts_path = join_path(profile.source_dir, "posts.csv");
  const CsvTable table = CsvTable::read_file(
      posts_path, {"post_id", "timestamp", "likes", "comments", "impressions", "kind", "media"});
  std::map<std::string, long> first_line_of_key;
  for (const CsvRecord& record : table.records()) {
    Post post;
    post.source_line = record.line;
    post.key = table.field(record, "post_id");
    if (post.key.empty()) throw InputError(posts_path, record.line, "post_id", "empty post id");
    const auto [it, inserted] = first_line_of_key.emplace(post.key, record.line);
    if (!inserted) {
      throw InputError(posts_path, record.line, "post_id",
                       "duplicate post id '" + post.key + "' (first seen on line " +
                           std::to_string(it->second) + ")");
    }
    post.posted_at = table.timestamp(record, "timestamp");
    post.likes = table.integer(record, "likes");
    post.comments = table.integer(record, "comments");
    post.impressions = table.optional_integer(record, "impressions");
    // The caption column is optional: a file without it has empty captions.
    if (table.has_column("caption")) post.caption = normalise_caption(table.field(record, "caption"));
    const std::string kind = table.field(record, "kind");
    const std::optional<PostKind> parsed_kind = parse_post_kind(kind);
    if (!parsed_kind) {
      throw InputError(posts_path, record.line, "kind",
                       "'" + kind + "' is not one of image, video, carousel");
    }
    post.kind = *parsed_kind;
    const std::vector<std::string> paths = split_media_list(table.field(record, "media"));
    if (paths.empty()) throw InputError(posts_path, record.line, "media", "no media listed");
    for (size_t i = 0; i < paths.size(); ++i) {
      MediaItem item;
      item.index = static_cast<int>(i);
      item.path = paths[i];
      item.type = media_type_of_path(item.path);
      if (!file_exists(join_path(profile.source_dir, item.path))) {
        throw InputError(posts_path, record.line, "media",
                         "media file '" + item.path + "' does not exist in " + profile.source_dir);
      }
      if (item.type == MediaType::Video) item.thumbnail_path = find_thumbnail(profile.source_dir, item.path);
      post.media.push_back(std::move(item));
    }
    check_kind_matches_media(table, record, post);
    profile.posts.push_back(std::move(post));
  }
  if (profile.posts.empty()) throw InputError(posts_path, 0, "", "no posts");
  profile.followers = read_followers_csv(join_path(profile.source_dir, "followers.csv"));
  return profile;
}

}  // namespace popsweep::data
