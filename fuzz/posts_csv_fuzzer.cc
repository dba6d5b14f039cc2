// posts.csv of a profile in the popsweep layout (docs/INPUT.md). The profile
// around it is fixed: a valid followers.csv and a few media files, so that a
// mutated posts.csv can name media that exist.
#include <set>

#include "fuzz/fuzz_support.h"
#include "fuzz/fuzz_targets.h"
#include "worker/data/popsweep_reader.h"

namespace popsweep::fuzz {
namespace {

const std::string& profile_directory() {
  static const std::string directory = [] {
    write_scratch_file("profile/followers.csv", "date,followers\n2021-01-01,1000\n2021-06-01,1500\n");
    for (const char* media : {"a.jpg", "b.png", "c.webp", "clip.mp4", "clip.jpg", "sub/d.bmp", "e.mov"}) {
      write_scratch_file(std::string("profile/") + media, "not read by the profile reader");
    }
    return scratch_directory() + "/profile";
  }();
  return directory;
}

}  // namespace

void fuzz_posts_csv(const std::uint8_t* data, std::size_t size) {
  const std::string& directory = profile_directory();
  write_scratch_file("profile/posts.csv", data, size);
  accept_or_refuse([&] {
    const data::Profile profile = data::read_popsweep_profile(directory);
    fuzz_require(!profile.posts.empty() && !profile.followers.empty(), "a profile has posts and followers");
    std::set<std::string> keys;
    for (const data::Post& post : profile.posts) {
      fuzz_require(keys.insert(post.key).second, "post ids are unique");
      fuzz_require(!post.media.empty(), "every post has media");
      fuzz_require(post.likes >= 0 && post.comments >= 0, "counts are not negative");
    }
  });
}

}  // namespace popsweep::fuzz
