// The in-memory form of one Instagram profile, as read from disk and before it
// is stored: posts with their media, and the follower samples of the tracker.
// Readers (popsweep CSV layout, Instaloader) produce it; ingest stores it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/time_format.h"

namespace popsweep::data {

enum class MediaType { Image, Video };
enum class PostKind { Image, Video, Carousel };

const char* to_string(MediaType type);
const char* to_string(PostKind kind);
std::optional<MediaType> parse_media_type(const std::string& text);
std::optional<PostKind> parse_post_kind(const std::string& text);

// By extension: .mp4 .mov .m4v .webm .mkv .avi are videos, all else images.
MediaType media_type_of_path(const std::string& path);

struct MediaItem {
  int index = 0;                // position in the post (carousel order), from 0
  MediaType type = MediaType::Image;
  std::string path;             // relative to the profile directory
  std::string thumbnail_path;   // videos: the same-stem image beside it, if any
  std::string content_hash;     // SHA-256 of the file, filled in by ingest
  std::int64_t size_bytes = 0;
  std::string excluded_reason;  // M10: non-empty when an exclusion list drops it
};

struct Post {
  std::string key;  // the user's post id (or Instaloader's shortcode)
  UnixSeconds posted_at = 0;
  std::int64_t likes = 0;
  std::int64_t comments = 0;
  std::optional<std::int64_t> impressions;
  PostKind kind = PostKind::Image;
  std::string caption;   // as normalise_caption returns it; empty when the input has none
  long source_line = 0;  // where the post came from, for error messages
  std::vector<MediaItem> media;
};

struct FollowerSample {
  UnixSeconds at = 0;
  std::int64_t followers = 0;
};

struct Profile {
  std::string name;
  std::string source_dir;  // absolute
  std::string format;      // "popsweep" or "instaloader"
  std::vector<Post> posts;
  std::vector<FollowerSample> followers;  // sorted by time, unique times
};

}  // namespace popsweep::data
