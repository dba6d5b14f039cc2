// Files that are not whole, readable videos throw MediaError naming the file
// and the reason; damaged ones never crash. Also the header facts
// probe_video reads when the container does not state them.
#include "worker/media/video_container.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"
#include "tests/worker/media/media_test_support.h"
#include "worker/media/media_error.h"
#include "worker/media/video_frame_sampler.h"

namespace popsweep::media {
namespace {

using test_support::quoted;
using test_support::read_bytes;
using test_support::run_ffmpeg;
using test_support::write_bytes;

const std::string kPattern = "-f lavfi -i testsrc2=size=160x120:rate=25 -t 6 -pix_fmt yuv420p -c:v libx264 ";

void expect_media_error(const std::string& path, const std::string& reason) {
  try {
    sample_video_frames(path);
    ADD_FAILURE() << "no MediaError for " << path;
  } catch (const MediaError& error) {
    const std::string message = error.what();
    EXPECT_EQ(message.rfind(path + ": ", 0), 0u) << message;
    EXPECT_NE(message.find(reason), std::string::npos) << message;
  }
}

std::vector<std::uint8_t> first_part(const std::vector<std::uint8_t>& bytes, double fraction) {
  return std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + static_cast<long>(bytes.size() * fraction));
}

TEST(VideoMediaErrors, EmptyRandomTextAndMissingFiles) {
  testing::TempDir directory;
  expect_media_error(directory.write("empty.mp4", ""), "empty file");
  std::string noise;
  for (int i = 0; i < 5000; ++i) noise.push_back(static_cast<char>((i * 7919 + 13) % 251));
  expect_media_error(directory.write("noise.mp4", noise), "not a decodable video");
  expect_media_error(directory.write("notes.mp4", "just some text\n"), "not a decodable video");
  expect_media_error(directory.file("missing.mp4"), "cannot open");
  expect_media_error(directory.path(), "cannot open");
  EXPECT_THROW(probe_video(directory.file("missing.mp4")), MediaError);
}

TEST(VideoMediaErrors, AudioOnlyFileHasNoVideoStream) {
  testing::TempDir directory;
  const std::string audio = directory.file("audio.m4a");
  run_ffmpeg("-f lavfi -i sine=frequency=440 -t 2 -c:a aac " + quoted(audio));
  expect_media_error(audio, "no video stream");
}

// An interrupted download: with the index first (faststart) the index points
// past the end; with the index last it is gone.
TEST(VideoMediaErrors, TruncatedFilesAreRefused) {
  testing::TempDir directory;
  const std::string front_index = directory.file("faststart.mp4");
  const std::string back_index = directory.file("plain.mp4");
  run_ffmpeg(kPattern + "-movflags +faststart " + quoted(front_index));
  run_ffmpeg(kPattern + quoted(back_index));

  const std::string cut_data = directory.file("cut_data.mp4");
  write_bytes(cut_data, first_part(read_bytes(front_index), 0.5));
  expect_media_error(cut_data, "truncated");
  EXPECT_THROW(probe_video(cut_data), MediaError);

  const std::string cut_index = directory.file("cut_index.mp4");
  write_bytes(cut_index, first_part(read_bytes(back_index), 0.5));
  expect_media_error(cut_index, "not a decodable video");
}

// Bytes overwritten at random places, or the file cut anywhere: each attempt
// either gives 15 frames or throws MediaError; nothing crashes or hangs.
TEST(VideoMediaErrors, DamagedFilesNeverCrash) {
  testing::TempDir directory;
  const std::string clip = directory.file("clip.mp4");
  run_ffmpeg(kPattern + "-g 25 -movflags +faststart " + quoted(clip));
  const std::vector<std::uint8_t> whole = read_bytes(clip);
  std::mt19937 generator(12345);
  int sampled = 0;
  int refused = 0;
  for (int attempt = 0; attempt < 24; ++attempt) {
    std::vector<std::uint8_t> damaged = whole;
    if (attempt % 3 == 0) {
      damaged.resize(std::uniform_int_distribution<std::size_t>(1, whole.size() - 1)(generator));
    } else {
      const std::size_t start = std::uniform_int_distribution<std::size_t>(0, whole.size() - 600)(generator);
      for (std::size_t i = start; i < start + 500; ++i) damaged[i] = static_cast<std::uint8_t>(generator());
    }
    const std::string path = directory.file("damaged" + std::to_string(attempt) + ".mp4");
    write_bytes(path, damaged);
    try {
      EXPECT_EQ(sample_video_frames(path).size(), 15u) << path;
      ++sampled;
    } catch (const MediaError&) {
      ++refused;
    }
  }
  EXPECT_EQ(sampled + refused, 24);
  EXPECT_GT(sampled, 0);  // damage inside the picture data is survived, as ffmpeg survives it
}

// A raw H.264 stream has no duration and no timestamps: the duration is
// measured from the packets and frames are timed by the frame rate, as the
// ffmpeg command times them.
// Hostile input (issue 9): every frame becomes a full-size RGB picture, so
// frames over kMaxVideoFramePixels are refused from the headers, before any
// is decoded. One 8200 x 8200 frame is just over the limit.
TEST(VideoMediaErrors, FramesLargerThanTheLimitAreRefused) {
  testing::TempDir directory;
  const std::string huge = directory.file("huge.avi");
  run_ffmpeg("-f lavfi -i color=size=8200x8200:rate=1 -frames:v 1 -c:v mjpeg " + quoted(huge));
  expect_media_error(huge, "8200 x 8200 pixels per frame, more than the limit");
  try {
    probe_video(huge);
    ADD_FAILURE() << "probe_video accepted " << huge;
  } catch (const MediaError& error) {
    EXPECT_NE(std::string(error.what()).find("more than the limit"), std::string::npos) << error.what();
  }
}

TEST(VideoContainer, DurationOfAStreamWithoutHeadersIsMeasured) {
  testing::TempDir directory;
  const std::string raw = directory.file("clip.h264");
  run_ffmpeg("-f lavfi -i testsrc2=size=160x120:rate=25 -t 4 -pix_fmt yuv420p -c:v libx264 -f h264 " +
             quoted(raw));
  const VideoContainer container(raw);
  EXPECT_NEAR(container.info().duration_seconds, 4.0, 0.1);
  const std::vector<double> times = frame_sample_times(container.info().duration_seconds);
  const std::vector<RgbImage> frames = sample_video_frames(raw);
  ASSERT_EQ(frames.size(), 15u);
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const RgbImage reference =
        test_support::ffmpeg_frame_at(raw, times[i], 160, 120, directory.file("frame.rgb"));
    EXPECT_GT(test_support::psnr(frames[i], reference), 35.0) << "frame " << i << " at " << times[i] << " s";
  }
}

}  // namespace
}  // namespace popsweep::media
