// What later stages will compute from the written CSV files of `tiny`,
// computed here independently: the tracker's initial gap and posts past its
// last sample (M2), the media effect (M6) and the engagement check (M3).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "common/csv.h"
#include "common/file_util.h"
#include "common/time_format.h"
#include "tests/support/temp_dir.h"
#include "worker/synth/synth_profile.h"

namespace popsweep::synth {
namespace {

struct CsvPost {
  UnixSeconds at = 0;
  double engagement = 0;  // likes + comments
  double impressions = -1;
  bool has_video = false;
};

struct WrittenProfile {
  testing::TempDir temp;
  std::vector<CsvPost> posts;
  std::vector<std::pair<UnixSeconds, double>> followers;
  nlohmann::json truth;
};

// Generated once per test process (ctest runs each test in its own).
const WrittenProfile& tiny_profile() {
  static WrittenProfile profile;
  static const bool generated = [] {
    SynthOptions options;
    options.output_dir = profile.temp.file("tiny");
    generate_synthetic_profile(options);
    const CsvTable posts = CsvTable::read_file(options.output_dir + "/posts.csv",
                                               {"timestamp", "likes", "comments", "impressions", "media"});
    for (const CsvRecord& record : posts.records()) {
      CsvPost post;
      post.at = posts.timestamp(record, "timestamp");
      post.engagement = static_cast<double>(posts.integer(record, "likes") + posts.integer(record, "comments"));
      if (const auto impressions = posts.optional_integer(record, "impressions")) {
        post.impressions = static_cast<double>(*impressions);
      }
      post.has_video = posts.field(record, "media").find(".mp4") != std::string::npos;
      profile.posts.push_back(post);
    }
    const CsvTable followers = CsvTable::read_file(options.output_dir + "/followers.csv", {"date", "followers"});
    for (const CsvRecord& record : followers.records()) {
      profile.followers.push_back(
          {followers.timestamp(record, "date"), static_cast<double>(followers.integer(record, "followers"))});
    }
    profile.truth = nlohmann::json::parse(read_text_file(options.output_dir + "/truth.json"));
    return true;
  }();
  EXPECT_TRUE(generated);
  return profile;
}

// Linear interpolation between samples, held flat outside them: crude at the
// ends, but the media effect does not depend on the ends.
double followers_at(const WrittenProfile& profile, UnixSeconds at) {
  const auto& samples = profile.followers;
  if (at <= samples.front().first) return samples.front().second;
  if (at >= samples.back().first) return samples.back().second;
  const auto after = std::lower_bound(samples.begin(), samples.end(), std::make_pair(at, 0.0));
  const auto before = after - 1;
  const double share = static_cast<double>(at - before->first) / static_cast<double>(after->first - before->first);
  return before->second + share * (after->second - before->second);
}

TEST(SynthPopularity, TrackerSamplesBeginAfterThePlannedGapAndEndBeforeTheLastPosts) {  // M2
  const WrittenProfile& profile = tiny_profile();
  ASSERT_GT(profile.followers.size(), 20u);
  const auto start = parse_iso8601(profile.truth["start"].get<std::string>());
  ASSERT_TRUE(start);
  const int head_days = profile.truth["followers"]["untracked_head_days"].get<int>();
  EXPECT_EQ(profile.followers.front().first, *start + head_days * kSecondsPerDay);
  EXPECT_EQ(format_iso8601(profile.followers.front().first).substr(0, 10),
            profile.truth["followers"]["first_sample"].get<std::string>());
  const auto before_first = std::count_if(profile.posts.begin(), profile.posts.end(), [&](const CsvPost& post) {
    return post.at < profile.followers.front().first;
  });
  const auto after_last = std::count_if(profile.posts.begin(), profile.posts.end(), [&](const CsvPost& post) {
    return post.at > profile.followers.back().first;
  });
  EXPECT_GE(before_first, 3);
  EXPECT_GE(after_last, 1);
  for (size_t i = 1; i < profile.followers.size(); ++i) {
    EXPECT_GT(profile.followers[i].first, profile.followers[i - 1].first);
    EXPECT_GE(profile.followers[i].second, profile.followers[i - 1].second) << "followers only grow";
  }
}

TEST(SynthPopularity, ImageOnlyPostsHaveTheHigherMeanPor) {  // M6
  const WrittenProfile& profile = tiny_profile();
  double image_only = 0, with_video = 0;
  int image_only_count = 0, with_video_count = 0;
  for (const CsvPost& post : profile.posts) {
    const double por = post.engagement / followers_at(profile, post.at);
    if (post.has_video) {
      with_video += por;
      ++with_video_count;
    } else {
      image_only += por;
      ++image_only_count;
    }
  }
  ASSERT_GT(with_video_count, 5);
  ASSERT_GT(image_only_count, 20);
  EXPECT_GT(image_only / image_only_count, 1.2 * (with_video / with_video_count));
}

TEST(SynthPopularity, EngagementRateFollowsPorWhereImpressionsAreKnown) {  // M3
  const WrittenProfile& profile = tiny_profile();
  std::vector<double> rate, por;
  UnixSeconds first_known = profile.posts.back().at;
  for (const CsvPost& post : profile.posts) {
    if (post.impressions < 0) {
      EXPECT_LT(post.at, first_known) << "impressions are known for one late period only";
      continue;
    }
    first_known = std::min(first_known, post.at);
    rate.push_back(post.engagement / post.impressions);
    por.push_back(post.engagement / followers_at(profile, post.at));
  }
  ASSERT_GT(rate.size(), 10u);
  ASSERT_LT(static_cast<double>(rate.size()), 0.6 * static_cast<double>(profile.posts.size()));
  const double n = static_cast<double>(rate.size());
  double mean_rate = 0, mean_por = 0;
  for (size_t i = 0; i < rate.size(); ++i) {
    mean_rate += rate[i] / n;
    mean_por += por[i] / n;
  }
  double cross = 0, rate_square = 0, por_square = 0;
  for (size_t i = 0; i < rate.size(); ++i) {
    cross += (rate[i] - mean_rate) * (por[i] - mean_por);
    rate_square += (rate[i] - mean_rate) * (rate[i] - mean_rate);
    por_square += (por[i] - mean_por) * (por[i] - mean_por);
  }
  EXPECT_GT(cross / std::sqrt(rate_square * por_square), 0.6);
}

}  // namespace
}  // namespace popsweep::synth
