#include "worker/media/video_frame_sampler.h"

#include <stdexcept>

#include "common/error.h"
#include "worker/media/rgb_frame_converter.h"
#include "worker/media/video_container.h"
#include "worker/media/video_stream_decoder.h"

namespace popsweep::media {
namespace {

int checked_decoder_threads(int decoder_threads) {
  if (decoder_threads < 1)
    throw ConfigError("decoder_threads must be at least 1, got " + std::to_string(decoder_threads));
  return decoder_threads;
}

}  // namespace

VideoInfo probe_video(const std::string& path) { return VideoContainer(path).info(); }

std::vector<double> frame_sample_times(double duration_seconds, int count) {
  if (count < 1) throw std::invalid_argument("frame_sample_times: count must be at least 1");
  if (!(duration_seconds >= 0.0)) throw std::invalid_argument("frame_sample_times: duration must be >= 0");
  constexpr double kOneSecond = 1.0;
  const double interval = duration_seconds >= count * kOneSecond ? kOneSecond : duration_seconds / count;
  std::vector<double> times;
  times.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) times.push_back(i * interval);
  return times;
}

std::vector<RgbImage> sample_video_frames(const std::string& path, int count, int decoder_threads) {
  return VideoFrameSampler(path, decoder_threads).sample_frames(count);
}

RgbImage decode_first_frame(const std::string& path, int decoder_threads) {
  return VideoFrameSampler(path, decoder_threads).frame_at(0.0);
}

VideoFrameSampler::VideoFrameSampler(const std::string& path, int decoder_threads)
    : decoder_(std::make_unique<VideoStreamDecoder>(path, checked_decoder_threads(decoder_threads))),
      converter_(std::make_unique<RgbFrameConverter>(decoder_->info().rotation_degrees)) {}

VideoFrameSampler::~VideoFrameSampler() = default;

const VideoInfo& VideoFrameSampler::info() const { return decoder_->info(); }

std::vector<RgbImage> VideoFrameSampler::sample_frames(int count) {
  std::vector<RgbImage> frames;
  for (double seconds : frame_sample_times(info().duration_seconds, count))
    frames.push_back(frame_at(seconds));
  return frames;
}

RgbImage VideoFrameSampler::frame_at(double seconds) {
  return converter_->convert(decoder_->frame_at(seconds), decoder_->path());
}

}  // namespace popsweep::media
