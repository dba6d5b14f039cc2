#include "worker/data/instaloader_reader.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "common/error.h"
#include "common/file_util.h"
#include "common/xz.h"
#include "worker/data/followers_reader.h"
#include "worker/data/instaloader_media.h"
#include "worker/data/instaloader_metadata.h"

namespace popsweep::data {
namespace {

namespace fs = std::filesystem;

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The stem of a metadata file name (`<stem>.json.xz`, or `<stem>.json` as
// written with --no-compress-json); empty when the name is not one.
// `<stem>_comments.json` (--comments) is a list of comments, not metadata.
std::string metadata_stem(const std::string& file_name) {
  if (ends_with(file_name, ".json.xz")) return file_name.substr(0, file_name.size() - 8);
  if (ends_with(file_name, ".json") && !ends_with(file_name, "_comments.json")) {
    return file_name.substr(0, file_name.size() - 5);
  }
  return "";
}

std::string read_metadata_text(const std::string& path) {
  if (ends_with(path, ".xz")) return decompress_xz_file(path);
  // Uncompressed metadata gets the same bound as decompressed metadata.
  if (file_size(path) > static_cast<std::int64_t>(kDefaultMaxXzOutputBytes)) {
    throw InputError(
        path, 0, "",
        "larger than " + std::to_string(kDefaultMaxXzOutputBytes) + " bytes, too large for a metadata file");
  }
  return read_text_file(path);
}

std::string absolute_directory(const std::string& directory) {
  std::error_code error;
  const fs::path root = fs::absolute(directory, error);
  if (error || !fs::is_directory(root))
    throw InputError(directory, 0, "", "profile directory does not exist");
  std::string normal = root.lexically_normal().string();
  if (normal.size() > 1 && normal.back() == '/') normal.pop_back();
  return normal;
}

// Instaloader keeps a profile's posts in one folder ({target} by default),
// so only the top level is read.
std::set<std::string> regular_files_in(const std::string& directory) {
  std::set<std::string> names;
  std::error_code error;
  for (fs::directory_iterator it(directory, error), end; !error && it != end; it.increment(error)) {
    std::error_code ignored;
    if (it->is_regular_file(ignored)) names.insert(it->path().filename().string());
  }
  if (error) throw InputError(directory, 0, "", "cannot list the directory: " + error.message());
  return names;
}

// Two metadata files may not describe the same post or the same media file:
// either would count one post twice.
class OwnershipCheck {
 public:
  void claim_post(const std::string& shortcode, const std::string& metadata_path) {
    const auto [it, inserted] = owner_of_post_.emplace(shortcode, metadata_path);
    if (!inserted) {
      throw InputError(metadata_path, 0, "node.shortcode",
                       "post '" + shortcode + "' is also described by " + it->second);
    }
  }

  void claim_media(const std::string& file, const std::string& metadata_path) {
    if (file.empty()) return;
    const auto [it, inserted] = owner_of_media_.emplace(file, metadata_path);
    if (!inserted) {
      throw InputError(metadata_path, 0, "", "media file '" + file + "' also belongs to " + it->second);
    }
  }

  std::set<std::string> claimed_media() const {
    std::set<std::string> files;
    for (const auto& [file, owner] : owner_of_media_) files.insert(file);
    return files;
  }

 private:
  std::map<std::string, std::string> owner_of_post_;
  std::map<std::string, std::string> owner_of_media_;
};

Post to_post(const InstaloaderPostMetadata& metadata, std::vector<MediaItem> media) {
  Post post;
  post.key = metadata.shortcode;
  post.posted_at = metadata.posted_at;
  post.likes = metadata.likes;
  post.caption = metadata.caption;
  post.comments = metadata.comments;
  post.kind = metadata.kind;
  post.media = std::move(media);
  return post;  // impressions: Instaloader cannot see them
}

void warn_about_unreferenced_media(const std::set<std::string>& files, const std::vector<std::string>& stems,
                                   const std::set<std::string>& referenced) {
  std::vector<std::string> unreferenced;
  for (const std::string& stem : stems) {
    for (std::string& name : unreferenced_instaloader_media(files, stem, referenced)) {
      unreferenced.push_back(std::move(name));
    }
  }
  if (unreferenced.empty()) return;
  spdlog::warn(
      "{} media file(s) named like a post's media belong to no post (first: '{}'). Instaloader names files "
      "by "
      "the second of posting: of two posts published in the same second, one loses its metadata. Download "
      "with "
      "--filename-pattern='{{date_utc}}_UTC_{{shortcode}}' to keep both.",
      unreferenced.size(), unreferenced.front());
}

}  // namespace

Profile read_instaloader_profile(const std::string& directory, const std::string& followers_csv) {
  Profile profile;
  profile.source_dir = absolute_directory(directory);
  profile.name = fs::path(profile.source_dir).filename().string();
  profile.format = "instaloader";

  const std::set<std::string> files = regular_files_in(profile.source_dir);
  OwnershipCheck ownership;
  std::vector<std::string> post_stems;
  int other_structures = 0;
  for (const std::string& name : files) {
    const std::string stem = metadata_stem(name);
    if (stem.empty()) continue;
    const std::string path = join_path(profile.source_dir, name);
    const std::optional<InstaloaderPostMetadata> metadata =
        parse_instaloader_metadata(read_metadata_text(path), path);
    if (!metadata) {
      ++other_structures;  // the profile's own metadata, stories, resume files
      continue;
    }
    ownership.claim_post(metadata->shortcode, path);
    std::vector<MediaItem> media = locate_instaloader_media(profile.source_dir, stem, *metadata, path);
    for (const MediaItem& item : media) {
      ownership.claim_media(item.path, path);
      ownership.claim_media(item.thumbnail_path, path);
    }
    profile.posts.push_back(to_post(*metadata, std::move(media)));
    post_stems.push_back(stem);
  }
  if (profile.posts.empty()) {
    throw InputError(
        profile.source_dir, 0, "",
        "no Instaloader post metadata (<date>_UTC.json.xz with node_type 'Post') in this folder (" +
            std::to_string(other_structures) +
            " metadata files of other kinds; subfolders are not searched)");
  }
  warn_about_unreferenced_media(files, post_stems, ownership.claimed_media());
  std::sort(profile.posts.begin(), profile.posts.end(), [](const Post& a, const Post& b) {
    return a.posted_at != b.posted_at ? a.posted_at < b.posted_at : a.key < b.key;
  });
  profile.followers = read_followers_csv(followers_csv);
  return profile;
}

}  // namespace popsweep::data
