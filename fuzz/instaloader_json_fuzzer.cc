// An Instaloader metadata file (`<stem>.json`, the text inside `.json.xz`),
// then the post's media located beside it in a fixed folder, as
// read_instaloader_profile does for each metadata file.
#include "fuzz/fuzz_support.h"
#include "fuzz/fuzz_targets.h"
#include "worker/data/instaloader_media.h"
#include "worker/data/instaloader_metadata.h"

namespace popsweep::fuzz {
namespace {

constexpr const char* kStem = "2021-03-04_05-06-07_UTC";

const std::string& download_directory() {
  static const std::string directory = [] {
    for (const char* suffix :
         {".jpg", ".mp4", "_1.jpg", "_2.mp4", "_2.jpg", "_3.png", "_4.webm", "_5.heic"}) {
      write_scratch_file(std::string("instaloader/") + kStem + suffix, "media");
    }
    return scratch_directory() + "/instaloader";
  }();
  return directory;
}

}  // namespace

void fuzz_instaloader_json(const std::uint8_t* data, std::size_t size) {
  const std::string& directory = download_directory();
  const std::string metadata_path = directory + "/" + kStem + ".json";
  accept_or_refuse([&] {
    const std::optional<data::InstaloaderPostMetadata> post = data::parse_instaloader_metadata(
        std::string(reinterpret_cast<const char*>(data), size), metadata_path);
    if (!post) return;  // not a post: skipped by the reader
    fuzz_require(!post->shortcode.empty() && post->posted_at > 0, "a post has a shortcode and a date");
    fuzz_require(post->likes >= 0 && post->comments >= 0, "counts are not negative");
    fuzz_require(!post->item_is_video.empty(), "a post has media");
    fuzz_require(post->kind == data::PostKind::Carousel || post->item_is_video.size() == 1,
                 "only a carousel has several media");
    const std::vector<data::MediaItem> media =
        data::locate_instaloader_media(directory, kStem, *post, metadata_path);
    fuzz_require(media.size() == post->item_is_video.size(), "one media file per item");
  });
}

}  // namespace popsweep::fuzz
