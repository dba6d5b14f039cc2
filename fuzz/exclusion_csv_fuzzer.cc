// An M10 exclusion list (`post_id,media_index[,reason]`) applied to a fixed
// profile of three posts.
#include "fuzz/fuzz_support.h"
#include "fuzz/fuzz_targets.h"
#include "worker/data/exclusion_list.h"

namespace popsweep::fuzz {
namespace {

data::Profile three_posts() {
  data::Profile profile;
  for (const auto& [key, media_count] : {std::pair<const char*, int>{"p1", 1}, {"p2", 3}, {"p3", 2}}) {
    data::Post post;
    post.key = key;
    for (int i = 0; i < media_count; ++i) {
      data::MediaItem item;
      item.index = i;
      item.path = std::string(key) + "_" + std::to_string(i) + ".jpg";
      post.media.push_back(item);
    }
    profile.posts.push_back(post);
  }
  return profile;
}

}  // namespace

void fuzz_exclusion_csv(const std::uint8_t* data, std::size_t size) {
  const std::string path = write_scratch_file("exclude.csv", data, size);
  accept_or_refuse([&] {
    data::Profile profile = three_posts();
    const int excluded = data::apply_exclusion_list(path, profile);
    int marked = 0;
    for (const data::Post& post : profile.posts) {
      for (const data::MediaItem& item : post.media) marked += item.excluded_reason.empty() ? 0 : 1;
    }
    fuzz_require(excluded == marked, "the count of excluded media is the number marked");
  });
}

}  // namespace popsweep::fuzz
