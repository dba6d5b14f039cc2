// M12 (and M8's first frame): every sampled frame is the frame the ffmpeg
// command shows at the same time, upright, for clips made here with ffmpeg.
#include "worker/media/video_frame_sampler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

extern "C" {
#include <libavformat/version.h>
}

#include "tests/support/temp_dir.h"
#include "tests/worker/media/media_test_support.h"

namespace popsweep::media {
namespace {

using test_support::ffmpeg_frame_at;
using test_support::psnr;
using test_support::quoted;
using test_support::run_ffmpeg;

constexpr double kMinimumPsnr = 35.0;

std::string make_clip(const testing::TempDir& directory, const std::string& name,
                      const std::string& arguments) {
  const std::string path = directory.file(name);
  run_ffmpeg(arguments + " " + quoted(path));
  return path;
}

// Input options (-t before -i), so each input keeps its own length.
// testsrc2 moves every frame, so a frame off by one scores far below the bar.
std::string test_pattern(double seconds, int rate = 25, const std::string& size = "160x120") {
  return "-f lavfi -t " + std::to_string(seconds) + " -i testsrc2=size=" + size +
         ":rate=" + std::to_string(rate);
}

std::string with_audio(double seconds) {
  return " -f lavfi -t " + std::to_string(seconds) + " -i sine=frequency=440:sample_rate=44100 -c:a aac";
}

// Every M12 frame must be the frame `ffmpeg -ss t` shows; returns the lowest
// PSNR seen, which the test records (--gtest_output=xml shows it).
double expect_samples_match_ffmpeg(const std::string& clip, const testing::TempDir& directory) {
  const VideoInfo info = probe_video(clip);
  const std::vector<double> times = frame_sample_times(info.duration_seconds);
  const std::vector<RgbImage> frames = sample_video_frames(clip);
  EXPECT_EQ(frames.size(), 15u);
  double lowest = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < std::min(frames.size(), times.size()); ++i) {
    EXPECT_EQ(frames[i].width, info.width);
    EXPECT_EQ(frames[i].height, info.height);
    const RgbImage reference =
        ffmpeg_frame_at(clip, times[i], info.width, info.height, directory.file("frame.rgb"));
    const double value = psnr(frames[i], reference);
    EXPECT_GT(value, kMinimumPsnr) << clip << " frame " << i << " at " << times[i] << " s";
    lowest = std::min(lowest, value);
  }
  ::testing::Test::RecordProperty("lowest_psnr_db", std::to_string(lowest));
  return lowest;
}

TEST(VideoFrameSampleTimes, M12OneFramePerSecondOverTheFirstFifteenSeconds) {
  const std::vector<double> times = frame_sample_times(60.0);
  ASSERT_EQ(times.size(), 15u);
  for (int i = 0; i < 15; ++i) EXPECT_DOUBLE_EQ(times[static_cast<std::size_t>(i)], i);
  EXPECT_EQ(frame_sample_times(15.0), times);
}

TEST(VideoFrameSampleTimes, M12ShortVideoGetsAnEvenlyShorterInterval) {
  const std::vector<double> times = frame_sample_times(6.0);
  ASSERT_EQ(times.size(), 15u);
  for (int i = 0; i < 15; ++i) EXPECT_DOUBLE_EQ(times[static_cast<std::size_t>(i)], i * 6.0 / 15.0);
  EXPECT_EQ(frame_sample_times(0.0), std::vector<double>(15, 0.0));
}

TEST(VideoFrameSampleTimes, CountIsAParameter) {
  EXPECT_EQ(frame_sample_times(30.0, 4), (std::vector<double>{0, 1, 2, 3}));
  EXPECT_EQ(frame_sample_times(2.0, 4), (std::vector<double>{0, 0.5, 1, 1.5}));
  EXPECT_THROW(frame_sample_times(10.0, 0), std::invalid_argument);
  EXPECT_THROW(frame_sample_times(-1.0), std::invalid_argument);
}

// Keyframes 10 s apart: sampling decodes on rather than seeking back.
TEST(VideoFrameSampler, M12LongClipWithoutAudioMatchesFfmpeg) {
  testing::TempDir directory;
  const std::string clip =
      make_clip(directory, "long.mp4", test_pattern(20) + " -pix_fmt yuv420p -c:v libx264 -g 250");
  const VideoInfo info = probe_video(clip);
  EXPECT_NEAR(info.duration_seconds, 20.0, 0.05);
  EXPECT_DOUBLE_EQ(info.frame_rate, 25.0);
  EXPECT_EQ(info.width, 160);
  EXPECT_EQ(info.height, 120);
  EXPECT_EQ(info.rotation_degrees, 0);
  expect_samples_match_ffmpeg(clip, directory);
  // The check has teeth: the frame after the right one scores far lower.
  const RgbImage at_three = VideoFrameSampler(clip).frame_at(3.0);
  EXPECT_LT(psnr(at_three, ffmpeg_frame_at(clip, 3.04, 160, 120, directory.file("next.rgb"))), 25.0);
}

// Keyframes every half second and B-frames: every sample is a real seek.
TEST(VideoFrameSampler, M12SeekingThroughALongClipWithAudioMatchesFfmpeg) {
  testing::TempDir directory;
  const std::string clip =
      make_clip(directory, "seek.mp4",
                test_pattern(20) + with_audio(20) + " -pix_fmt yuv420p -c:v libx264 -g 12 -bf 3");
  EXPECT_NEAR(probe_video(clip).duration_seconds, 20.0, 0.05);
  expect_samples_match_ffmpeg(clip, directory);
}

TEST(VideoFrameSampler, M12ShortClipWithAudioMatchesFfmpeg) {
  testing::TempDir directory;
  const std::string clip =
      make_clip(directory, "short.mp4", test_pattern(6) + with_audio(6) + " -pix_fmt yuv420p -c:v libx264");
  EXPECT_NEAR(probe_video(clip).duration_seconds, 6.0, 0.05);
  expect_samples_match_ffmpeg(clip, directory);
}

// Thirty frames a second for 5 s, then every fourth frame: sample times land
// between frames of the sparse part.
TEST(VideoFrameSampler, M12VariableFrameRateClipMatchesFfmpeg) {
  testing::TempDir directory;
  const std::string clip = make_clip(directory, "vfr.mp4",
                                     test_pattern(12, 30) +
                                         " -vf \"select='if(lt(t,5),1,not(mod(n,4)))'\" -fps_mode vfr "
                                         "-pix_fmt yuv420p -c:v libx264");
  const VideoInfo info = probe_video(clip);
  EXPECT_NEAR(info.duration_seconds, 12.0, 0.4);
  EXPECT_LT(info.frame_rate, 20.0);
  expect_samples_match_ffmpeg(clip, directory);
}

class RotatedVideo : public ::testing::TestWithParam<int> {};

// The container's display matrix turns the picture; frames come out upright
// as ffmpeg's autorotate shows them, and probe_video reports the turn that
// ffprobe's side data implies.
TEST_P(RotatedVideo, M12FramesAreUprightAsFfmpegShowsThem) {
  testing::TempDir directory;
  const std::string plain =
      make_clip(directory, "plain.mp4",
                test_pattern(4, 25, "96x64") + with_audio(4) + " -pix_fmt yuv420p -c:v libx264");
  // FFmpeg 7's command line no longer turns a `rotate` tag into a display
  // matrix; its -display_rotation input option writes one directly.
  const std::string turn = std::to_string(GetParam());
  const std::string rotated = make_clip(
      directory, "rotated.mp4",
      LIBAVFORMAT_VERSION_MAJOR >= 61 ? "-display_rotation " + turn + " -i " + quoted(plain) + " -c copy"
                                      : "-i " + quoted(plain) + " -c copy -metadata:s:v:0 rotate=" + turn);
  const std::string side_data = test_support::run_ffprobe(
      "-select_streams v:0 -show_entries stream_side_data=rotation -of default=noprint_wrappers=1:nokey=1 " +
      quoted(rotated));
  const int counterclockwise = std::atoi(side_data.c_str());
  ASSERT_NE(counterclockwise, 0) << "ffmpeg did not store the rotation: " << side_data;
  const VideoInfo info = probe_video(rotated);
  EXPECT_EQ(info.rotation_degrees, ((-counterclockwise % 360) + 360) % 360);
  const bool sideways = GetParam() % 180 != 0;
  EXPECT_EQ(info.width, sideways ? 64 : 96);
  EXPECT_EQ(info.height, sideways ? 96 : 64);
  expect_samples_match_ffmpeg(rotated, directory);
}

INSTANTIATE_TEST_SUITE_P(QuarterTurns, RotatedVideo, ::testing::Values(90, 180, 270));

// Colour handling follows the frame's tags as ffmpeg's scale filter does:
// a BT.709 matrix, and full-range (JPEG) levels.
TEST(VideoFrameSampler, M12ColourMatrixAndRangeMatchFfmpeg) {
  testing::TempDir directory;
  const std::string bt709 = make_clip(directory, "bt709.mp4",
                                      test_pattern(3) +
                                          " -pix_fmt yuv420p -c:v libx264 -colorspace bt709 "
                                          "-color_primaries bt709 -color_trc bt709");
  expect_samples_match_ffmpeg(bt709, directory);
  const std::string full_range =
      make_clip(directory, "full_range.avi", test_pattern(3) + " -pix_fmt yuvj420p -c:v mjpeg -q:v 3");
  expect_samples_match_ffmpeg(full_range, directory);
}

// Another container and codec family: WebM with VP9 (Matroska cues index
// display times, not decode times).
TEST(VideoFrameSampler, M12WebmVp9ClipMatchesFfmpeg) {
  testing::TempDir directory;
  const std::string clip = make_clip(
      directory, "clip.webm", test_pattern(5) + " -c:v libvpx-vp9 -deadline realtime -cpu-used 8 -g 20");
  expect_samples_match_ffmpeg(clip, directory);
}

TEST(VideoFrameSampler, M8FirstFrameMatchesFfmpeg) {
  testing::TempDir directory;
  const std::string clip =
      make_clip(directory, "clip.mp4", test_pattern(3) + " -pix_fmt yuv420p -c:v libx264");
  const RgbImage first = decode_first_frame(clip);
  EXPECT_GT(psnr(first, ffmpeg_frame_at(clip, 0.0, 160, 120, directory.file("first.rgb"))), kMinimumPsnr);
}

// The video track ends (3 s) long before the audio (6 s); Matroska stores only
// the container's duration, so the later sample times fall past the last
// frame and get that frame.
TEST(VideoFrameSampler, M12TimesPastTheLastFrameGetTheLastFrame) {
  testing::TempDir directory;
  const std::string clip = make_clip(directory, "short_video.mkv",
                                     test_pattern(3) + with_audio(6) + " -pix_fmt yuv420p -c:v libx264");
  EXPECT_NEAR(probe_video(clip).duration_seconds, 6.0, 0.1);
  const std::string all_frames = directory.file("all.rgb");
  run_ffmpeg("-i " + quoted(clip) + " -fps_mode passthrough -f rawvideo -pix_fmt rgb24 " +
             quoted(all_frames));
  std::vector<std::uint8_t> bytes = test_support::read_bytes(all_frames);
  const std::size_t frame_bytes = 160 * 120 * 3;
  ASSERT_EQ(bytes.size(), 75 * frame_bytes);
  RgbImage last(160, 120);
  std::copy(bytes.end() - static_cast<long>(frame_bytes), bytes.end(), last.pixels.begin());
  const std::vector<RgbImage> frames = sample_video_frames(clip);
  ASSERT_EQ(frames.size(), 15u);
  for (std::size_t i = 8; i < 15; ++i)
    EXPECT_GT(psnr(frames[i], last), kMinimumPsnr) << "frame " << i;  // t >= 3.2 s
  EXPECT_LT(psnr(frames[7], last), kMinimumPsnr);                     // t = 2.8 s is still inside the video
  VideoFrameSampler sampler(clip);
  EXPECT_GT(psnr(sampler.frame_at(1e12), last), kMinimumPsnr);
  EXPECT_THROW(sampler.frame_at(-1.0), std::invalid_argument);
}

TEST(VideoFrameSampler, DecoderThreadsDoNotChangeTheFrames) {
  testing::TempDir directory;
  const std::string clip =
      make_clip(directory, "clip.mp4", test_pattern(8) + " -pix_fmt yuv420p -c:v libx264");
  const std::vector<RgbImage> single = sample_video_frames(clip, 15, 1);
  const std::vector<RgbImage> threaded = sample_video_frames(clip, 15, 4);
  ASSERT_EQ(single.size(), threaded.size());
  for (std::size_t i = 0; i < single.size(); ++i)
    EXPECT_EQ(single[i].pixels, threaded[i].pixels) << "frame " << i;
}

// Asking again for an earlier time seeks back instead of returning a stale frame.
TEST(VideoFrameSampler, FrameAtCanGoBackwards) {
  testing::TempDir directory;
  const std::string clip =
      make_clip(directory, "clip.mp4", test_pattern(6) + " -pix_fmt yuv420p -c:v libx264 -g 50");
  VideoFrameSampler sampler(clip);
  const RgbImage late = sampler.frame_at(4.5);
  const RgbImage early = sampler.frame_at(0.5);
  const RgbImage same_again = sampler.frame_at(0.5);
  EXPECT_GT(psnr(late, ffmpeg_frame_at(clip, 4.5, 160, 120, directory.file("a.rgb"))), kMinimumPsnr);
  EXPECT_GT(psnr(early, ffmpeg_frame_at(clip, 0.5, 160, 120, directory.file("b.rgb"))), kMinimumPsnr);
  EXPECT_EQ(early.pixels, same_again.pixels);
}

// Decoding towards a time skips the B-frames before it that nothing refers
// to. Every answer must still be ffmpeg's, also for times that fall between
// skipped frames after a later time was asked (the frame kept must not claim
// to answer for them), and the frames must be bit for bit those of decoding
// every frame (the references are the same, so the pictures are).
TEST(VideoFrameSampler, SkippingUnreferencedFramesKeepsEveryAnswer) {
  testing::TempDir directory;
  const std::string clip = make_clip(
      directory, "bframes.mp4", test_pattern(8) + " -pix_fmt yuv420p -c:v libx264 -g 250 -bf 3 -b_strategy 0");
  const std::vector<double> times = {2.0, 1.96, 1.9, 3.3, 3.22, 5.0, 0.44};
  VideoFrameSampler sampler(clip);
  for (double seconds : times) {
    const RgbImage frame = sampler.frame_at(seconds);
    EXPECT_GT(psnr(frame, ffmpeg_frame_at(clip, seconds, 160, 120, directory.file("f.rgb"))), kMinimumPsnr)
        << "at " << seconds << " s";
    // Stepping one frame (1/25 s) at a time leaves nothing before a target
    // undecoded, so nothing is skipped: that is decoding every frame.
    VideoFrameSampler stepping(clip);
    RgbImage stepped = stepping.frame_at(0.0);
    for (int k = 1; k * 0.04 < seconds; ++k) stepped = stepping.frame_at(k * 0.04 - 1e-6);
    stepped = stepping.frame_at(seconds);
    EXPECT_EQ(frame.pixels, stepped.pixels) << "at " << seconds << " s";
  }
}

}  // namespace
}  // namespace popsweep::media
