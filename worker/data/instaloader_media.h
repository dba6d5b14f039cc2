// Where Instaloader puts a post's media, relative to its metadata file
// `<stem>.json.xz` (Instaloader's download_post and download_pic): a single
// image is `<stem>.jpg`; a video is `<stem>.mp4` with its thumbnail
// `<stem>.jpg`; carousel item n (1-based) is `<stem>_<n>.jpg`, or
// `<stem>_<n>.mp4` beside a `<stem>_<n>.jpg` thumbnail. The extension comes
// from the server's Content-Type, so `.png`, `.webp` or `.heic` also occur.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "worker/data/instaloader_metadata.h"
#include "worker/data/profile.h"

namespace popsweep::data {

// The media of one post, paths relative to `directory`. Throws InputError
// naming `metadata_path` and the expected media file when one is missing.
std::vector<MediaItem> locate_instaloader_media(const std::string& directory, const std::string& stem,
                                                const InstaloaderPostMetadata& post,
                                                const std::string& metadata_path);

// Names in `files_in_directory` shaped like media of `stem` (`<stem>.<ext>` or
// `<stem>_<n>.<ext>` with a media extension) that are not in `referenced`.
// Instaloader names files by the second of posting, so two posts of the same
// second leave one metadata file and the other post's media behind.
std::vector<std::string> unreferenced_instaloader_media(const std::set<std::string>& files_in_directory,
                                                        const std::string& stem,
                                                        const std::set<std::string>& referenced);

}  // namespace popsweep::data
