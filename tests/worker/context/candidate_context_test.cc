// A candidate post's context vector (`predict` with context models), worked
// out by hand on a two-post profile: it sees the profile's posts before its
// planned time and nothing after.
#include "worker/context/candidate_context.h"

#include <gtest/gtest.h>

#include <cmath>

#include "common/error.h"

namespace popsweep::context {
namespace {

constexpr UnixSeconds kDay = 86400;
constexpr UnixSeconds kMonday = 1704067200;  // 2024-01-01 00:00 UTC, a Monday

ContextInputs two_post_profile() {
  ContextInputs profile;
  // Image posts on day 0 (99 likes, 0 comments) and day 2 (199 + 0), 1000
  // followers sampled the day before the first; a third post after the
  // candidate must not count.
  profile.posts.push_back({"a", kMonday, 99, 0, "", {{1, 0, false}}});
  profile.posts.push_back({"b", kMonday + 2 * kDay, 199, 0, "", {{2, 0, false}}});
  profile.posts.push_back({"c", kMonday + 9 * kDay, 5000, 0, "", {{3, 0, false}}});
  profile.followers.push_back({kMonday - kDay, 1000});
  return profile;
}

TEST(CandidateContext, HandComputedVector) {
  CandidatePost candidate;
  candidate.posted_at = kMonday + 3 * kDay + 18 * 3600;  // Thursday 18:00 UTC
  candidate.caption = "#sun @ana hi";
  candidate.carousel_size = 3;
  candidate.carousel_position = 1;
  const std::vector<double> v = candidate_context(two_post_profile(), candidate, ContextSettings{});
  ASSERT_EQ(v.size(), context_feature_names().size());
  const double pi = std::acos(-1.0);
  EXPECT_NEAR(v[0], std::sin(2 * pi * 18 / 24), 1e-12);  // hour_sin
  EXPECT_NEAR(v[1], std::cos(2 * pi * 18 / 24), 1e-12);
  EXPECT_NEAR(v[2], std::sin(2 * pi * 3 / 7), 1e-12);  // Thursday = 3
  EXPECT_NEAR(v[3], std::cos(2 * pi * 3 / 7), 1e-12);
  EXPECT_NEAR(v[4], 1.75, 1e-12);  // days since post b: 1 day 18 hours
  EXPECT_EQ(v[5], 12);             // code points of "#sun @ana hi"
  EXPECT_EQ(v[6], 1);              // hashtags
  EXPECT_EQ(v[7], 1);              // mentions
  EXPECT_EQ(v[8], 3);              // carousel size
  EXPECT_EQ(v[9], 1);              // position
  EXPECT_NEAR(v[10], std::log(1001.0), 1e-12);
  // History: ln(100/1000) and ln(200/1000); mean, slope ln 2 per post.
  EXPECT_NEAR(v[11], (std::log(0.1) + std::log(0.2)) / 2, 1e-12);
  EXPECT_NEAR(v[12], std::log(2.0), 1e-12);

  // In Tokyo (UTC+9) the same instant is Friday 03:00.
  ContextSettings tokyo;
  tokyo.time_zone = "Asia/Tokyo";
  const std::vector<double> local = candidate_context(two_post_profile(), candidate, tokyo);
  EXPECT_NEAR(local[0], std::sin(2 * pi * 3 / 24), 1e-12);
  EXPECT_NEAR(local[2], std::sin(2 * pi * 4 / 7), 1e-12);
}

TEST(CandidateContext, RefusesImpossibleCarousels) {
  CandidatePost candidate;
  candidate.posted_at = kMonday;
  candidate.carousel_size = 2;
  candidate.carousel_position = 2;
  EXPECT_THROW(candidate_context(two_post_profile(), candidate, ContextSettings{}), ConfigError);
  candidate.carousel_size = 0;
  candidate.carousel_position = 0;
  EXPECT_THROW(candidate_context(two_post_profile(), candidate, ContextSettings{}), ConfigError);
}

}  // namespace
}  // namespace popsweep::context
