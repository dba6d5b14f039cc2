#include "worker/context/candidate_context.h"

#include "common/error.h"

namespace popsweep::context {

std::vector<double> candidate_context(const ContextInputs& profile, const CandidatePost& candidate,
                                      const ContextSettings& settings) {
  // Instagram allows 10 items per post; 20 leaves room for a change.
  constexpr int kLargestCarousel = 20;
  if (candidate.carousel_size < 1 || candidate.carousel_size > kLargestCarousel) {
    throw ConfigError("carousel size " + std::to_string(candidate.carousel_size) + " is outside 1.." +
                      std::to_string(kLargestCarousel));
  }
  if (candidate.carousel_position < 0 || candidate.carousel_position >= candidate.carousel_size) {
    throw ConfigError("carousel position " + std::to_string(candidate.carousel_position) +
                      " is outside the carousel of " + std::to_string(candidate.carousel_size));
  }
  // Negative media ids never clash with the database's; the key sorts
  // after any real key at the same second, which no feature reads anyway.
  ContextPost post{
      "\x7f"
      "candidate",
      candidate.posted_at,
      0,
      0,
      candidate.caption,
      {}};
  for (int index = 0; index < candidate.carousel_size; ++index) {
    post.media.push_back({-1 - index, index, index == candidate.carousel_position && candidate.is_video});
  }
  std::vector<ContextPost> posts = profile.posts;
  posts.push_back(std::move(post));
  const std::int64_t wanted = -1 - candidate.carousel_position;
  for (ContextRow& row : compute_context(posts, profile.followers, settings)) {
    if (row.media_id == wanted) return std::move(row.values);
  }
  throw Error("candidate_context: the candidate's row is missing");
}

}  // namespace popsweep::context
