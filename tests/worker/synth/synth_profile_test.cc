// `tiny` generated into a temporary folder and checked with independent
// tools: OpenCV decodes the images, ffprobe reads the videos, the CSV files
// and truth.json agree, near-duplicates are nearest neighbours, and a seed
// always gives the same bytes.
#include "worker/synth/synth_profile.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <set>

#include "common/csv.h"
#include "common/error.h"
#include "common/file_util.h"
#include "tests/support/temp_dir.h"

namespace popsweep::synth {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct GeneratedProfile {
  testing::TempDir temp;
  std::string root;
  SynthReport report;
  json truth;
};

// Generated once per test process (ctest runs each test in its own).
const GeneratedProfile& tiny_profile() {
  static GeneratedProfile profile;
  static const bool generated = [] {
    profile.root = profile.temp.file("tiny");
    SynthOptions options;
    options.preset = "tiny";
    options.seed = 1;
    options.output_dir = profile.root;
    options.threads = 2;
    profile.report = generate_synthetic_profile(options);
    profile.truth = json::parse(read_text_file(profile.root + "/truth.json"));
    return true;
  }();
  EXPECT_TRUE(generated);
  return profile;
}

std::map<std::string, std::string> files_under(const std::string& root) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    const std::string path = entry.path().string();
    files[fs::relative(entry.path(), root).string()] = read_text_file(path);
  }
  return files;
}

// A coarse picture for comparing content across sizes and JPEG qualities.
cv::Mat coarse(const std::string& path) {
  const cv::Mat image = cv::imread(path, cv::IMREAD_COLOR);
  if (image.empty()) return image;
  cv::Mat small;
  cv::resize(image, small, {24, 24}, 0, 0, cv::INTER_AREA);
  small.convertTo(small, CV_32FC3);
  return small;
}

TEST(SynthProfile, WritesThePopsweepLayoutWithMatchingTruth) {
  const GeneratedProfile& profile = tiny_profile();
  const json& truth = profile.truth;
  const CsvTable posts = CsvTable::read_file(profile.root + "/posts.csv",
                                             {"post_id", "timestamp", "likes", "comments", "impressions", "kind", "media"});
  EXPECT_EQ(truth["preset"], "tiny");
  EXPECT_EQ(truth["seed"], 1);
  EXPECT_EQ(truth["posts"].get<size_t>(), posts.records().size());
  EXPECT_EQ(truth["posts"].get<int>(), profile.report.posts);
  EXPECT_EQ(truth["images"].get<int>(), profile.report.images);
  EXPECT_EQ(truth["videos"].get<int>(), profile.report.videos);
  EXPECT_EQ(truth["duplicates"].size(), static_cast<size_t>(profile.report.duplicates));
  EXPECT_EQ(truth["corrupt"].size(), static_cast<size_t>(profile.report.corrupt));
  EXPECT_EQ(truth["families"].size(), 6u);
  EXPECT_DOUBLE_EQ(truth["media_effect"]["video_por_factor"].get<double>(), 0.69);

  std::set<std::string> listed;
  int images = 0, videos = 0;
  for (const CsvRecord& record : posts.records()) {
    std::string media = posts.field(record, "media") + ";";
    for (size_t start = 0, end; (end = media.find(';', start)) != std::string::npos; start = end + 1) {
      const std::string path = media.substr(start, end - start);
      EXPECT_TRUE(file_exists(profile.root + "/" + path)) << path;
      listed.insert(path);
      ++(path.size() > 4 && path.substr(path.size() - 4) == ".mp4" ? videos : images);
    }
  }
  EXPECT_EQ(images, truth["images"].get<int>());
  EXPECT_EQ(videos, truth["videos"].get<int>());
  for (const json& media : truth["media"]) {
    EXPECT_EQ(listed.count(media["path"].get<std::string>()), 1u) << media["path"];
    if (media["type"] == "video") {
      const std::string thumbnail = media["thumbnail"].get<std::string>();
      EXPECT_EQ(fs::path(thumbnail).stem(), fs::path(media["path"].get<std::string>()).stem());
      EXPECT_TRUE(file_exists(profile.root + "/" + thumbnail)) << thumbnail;
      EXPECT_EQ(listed.count(thumbnail), 0u) << "thumbnails are not listed";
    }
  }
}

TEST(SynthProfile, EveryImageDecodesExceptTheCorruptOnes) {
  const GeneratedProfile& profile = tiny_profile();
  int decoded = 0;
  for (const json& media : profile.truth["media"]) {
    if (media["type"] != "image") continue;
    const std::string path = profile.root + "/" + media["path"].get<std::string>();
    if (!media["corrupt"].get<bool>()) {
      const cv::Mat image = cv::imread(path, cv::IMREAD_COLOR);
      EXPECT_FALSE(image.empty()) << path;
      EXPECT_GE(image.cols, 64) << path;
      ++decoded;
    }
  }
  EXPECT_GT(decoded, 50);
  std::set<std::string> kinds;
  for (const json& corrupt : profile.truth["corrupt"]) {
    const std::string path = profile.root + "/" + corrupt["path"].get<std::string>();
    const std::string bytes = read_text_file(path);
    const std::string kind = corrupt["kind"].get<std::string>();
    kinds.insert(kind);
    if (kind == "empty") {
      EXPECT_TRUE(bytes.empty()) << path;
    }
    if (kind == "random-bytes") {
      EXPECT_TRUE(cv::imread(path).empty()) << path;
    }
    // A JPEG cut short has no end-of-image marker (OpenCV would decode it,
    // filling the rest with grey).
    if (kind == "truncated" && path.substr(path.size() - 4) == ".jpg") {
      ASSERT_GE(bytes.size(), 2u);
      EXPECT_EQ(bytes.substr(0, 2), "\xff\xd8") << path;
      EXPECT_NE(bytes.substr(bytes.size() - 2), "\xff\xd9") << path;
    }
  }
  EXPECT_EQ(kinds, (std::set<std::string>{"empty", "random-bytes", "truncated"}));
}

json ffprobe_streams(const std::string& path, int* status) {
  std::string output;
  *status = testing::run_command("timeout 30 ffprobe -v error -show_streams -of json '" + path + "'", &output);
  if (*status != 0) return json();
  return json::parse(output, nullptr, false);
}

TEST(SynthProfile, VideosAreH264WithThePlannedLengthRateAndRotation) {
  const GeneratedProfile& profile = tiny_profile();
  int checked = 0, rotated = 0, truncated = 0;
  for (const json& media : profile.truth["media"]) {
    if (media["type"] != "video") continue;
    const std::string path = profile.root + "/" + media["path"].get<std::string>();
    int status = 0;
    const json probe = ffprobe_streams(path, &status);
    if (media["corrupt"].get<bool>()) {
      EXPECT_NE(status, 0) << "a truncated MP4 has no index: " << path;
      ++truncated;
      continue;
    }
    ASSERT_EQ(status, 0) << path;
    ASSERT_EQ(probe["streams"].size(), 1u) << path;
    const json& stream = probe["streams"][0];
    EXPECT_EQ(stream["codec_name"], "h264") << path;
    EXPECT_EQ(stream["pix_fmt"], "yuv420p") << path;
    EXPECT_EQ(stream["width"], media["width"]) << path;
    EXPECT_EQ(stream["height"], media["height"]) << path;
    const int fps = media["frame_rate"].get<int>();
    EXPECT_EQ(stream["avg_frame_rate"], std::to_string(fps) + "/1") << path;
    EXPECT_EQ(std::stoi(stream["nb_frames"].get<std::string>()), media["frames"].get<int>()) << path;
    EXPECT_NEAR(std::stod(stream["duration"].get<std::string>()), media["duration_seconds"].get<double>(),
                0.5 / fps)
        << path;
    // ffprobe reports the display matrix counter-clockwise.
    const int clockwise = media["rotation_clockwise"].get<int>();
    int reported = 0;
    for (const json& side_data : stream.value("side_data_list", json::array())) {
      if (side_data.contains("rotation")) reported = side_data["rotation"].get<int>();
    }
    EXPECT_EQ(((-reported) % 360 + 360) % 360, clockwise) << path;
    rotated += clockwise != 0;
    ++checked;
  }
  EXPECT_GE(checked, 10);
  EXPECT_GE(rotated, 1);
  EXPECT_EQ(truncated, 1);
}

TEST(SynthProfile, NearDuplicatesAreTheNearestNeighboursOfTheirOriginals) {  // M7, M8
  const GeneratedProfile& profile = tiny_profile();
  // Every clean picture a dedup would embed: images and video thumbnails.
  std::map<std::string, cv::Mat> pictures;
  std::map<std::string, std::string> picture_of;  // media path -> picture path
  for (const json& media : profile.truth["media"]) {
    if (media["corrupt"].get<bool>()) continue;
    const std::string path = media["path"].get<std::string>();
    const std::string picture = media["type"] == "video" ? media["thumbnail"].get<std::string>() : path;
    pictures[picture] = coarse(profile.root + "/" + picture);
    picture_of[path] = picture;
  }
  ASSERT_FALSE(profile.truth["duplicates"].empty());
  for (const json& pair : profile.truth["duplicates"]) {
    const std::string duplicate = picture_of.at(pair["duplicate"].get<std::string>());
    const std::string original = picture_of.at(pair["original"].get<std::string>());
    double nearest = std::numeric_limits<double>::max();
    std::string nearest_path;
    for (const auto& [path, picture] : pictures) {
      if (path == duplicate) continue;
      const double distance = cv::norm(pictures.at(duplicate), picture, cv::NORM_L2);
      if (distance < nearest) {
        nearest = distance;
        nearest_path = path;
      }
    }
    EXPECT_EQ(nearest_path, original) << duplicate << " (" << pair["transform"] << ")";
  }
}

TEST(SynthProfile, SameSeedGivesIdenticalBytesAnotherSeedDoesNot) {
  const GeneratedProfile& profile = tiny_profile();
  testing::TempDir temp;
  SynthOptions options;
  options.preset = "tiny";
  options.seed = 1;
  options.output_dir = temp.file("again");
  options.threads = 1;  // the bytes must not depend on the thread count
  generate_synthetic_profile(options);
  const auto first = files_under(profile.root);
  const auto again = files_under(options.output_dir);
  ASSERT_EQ(first.size(), again.size());
  for (const auto& [path, bytes] : first) {
    ASSERT_EQ(again.count(path), 1u) << path;
    EXPECT_TRUE(again.at(path) == bytes) << path << " differs between two runs of one seed";
  }

  options.seed = 2;
  options.output_dir = temp.file("other");
  generate_synthetic_profile(options);
  const auto other = files_under(options.output_dir);
  EXPECT_NE(other.at("posts.csv"), first.at("posts.csv"));
  int same = 0;
  for (const auto& [path, bytes] : other) same += first.count(path) && first.at(path) == bytes;
  EXPECT_LE(same, 2) << "only files that are empty under both seeds may agree";
}

TEST(SynthProfile, RefusesANonEmptyFolderUnlessForced) {
  testing::TempDir temp;
  temp.write("profile/notes.txt", "mine");
  SynthOptions options;
  options.preset = "tiny";
  options.output_dir = temp.file("profile");
  EXPECT_THROW(generate_synthetic_profile(options), ConfigError);
  EXPECT_FALSE(file_exists(temp.file("profile/truth.json")));
  options.force = true;
  generate_synthetic_profile(options);
  EXPECT_TRUE(file_exists(temp.file("profile/truth.json")));
  EXPECT_EQ(read_text_file(temp.file("profile/notes.txt")), "mine") << "--force only replaces the profile's files";
}

TEST(SynthProfile, UnknownPresetIsRefusedBeforeWritingAnything) {
  testing::TempDir temp;
  SynthOptions options;
  options.preset = "huge";
  options.output_dir = temp.file("profile");
  EXPECT_THROW(generate_synthetic_profile(options), ConfigError);
  EXPECT_FALSE(fs::exists(temp.file("profile")));
}

}  // namespace
}  // namespace popsweep::synth
