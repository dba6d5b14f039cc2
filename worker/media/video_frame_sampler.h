// M12 video frames (and M8's first-frame thumbnail) through the FFmpeg
// libraries.
//
// Sampling rule (M12): `count` frames (15). A video of duration D >= count
// seconds gives the frames at t_i = i seconds, i = 0..count-1 (one per second
// over the first 15 s); a shorter one gives t_i = i * D / count, so the frames
// still cover it evenly. Times count from the video track's first frame. The
// frame for t is the first frame whose presentation time is >= t (what
// `ffmpeg -ss t` picks), or the last decodable frame when the video ends
// before t. Frames are 8-bit RGB at native resolution, turned upright by the
// container's rotation as ffmpeg's autorotate does.
//
// Each frame is reached by seeking to the keyframe before it and decoding
// forward, unless decoding on from the previous frame is cheaper. Every
// failure (missing, empty, truncated, corrupt file, no video track, codec
// without a decoder) throws MediaError naming the file and the reason.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "worker/media/rgb_image.h"
#include "worker/media/video_info.h"

namespace popsweep::media {

class VideoStreamDecoder;
class RgbFrameConverter;

inline constexpr int kVideoFrameCount = 15;

// What the headers say; no frame is decoded, so the codec need not be one we
// can decode. Width and height are after rotation.
VideoInfo probe_video(const std::string& path);

// The M12 sample times, in seconds, for a video of `duration_seconds`.
std::vector<double> frame_sample_times(double duration_seconds, int count = kVideoFrameCount);

// M12: the frames at frame_sample_times(duration). `decoder_threads` bounds
// the decoder's own threads (1 = single-threaded); callers that run several
// videos in parallel keep it at 1; below 1 is a ConfigError.
std::vector<RgbImage> sample_video_frames(const std::string& path, int count = kVideoFrameCount,
                                          int decoder_threads = 1);

// M8: a video's stand-in thumbnail when the post has no cover image.
RgbImage decode_first_frame(const std::string& path, int decoder_threads = 1);

// One open video, for callers that need several of the above without opening
// the file again each time. Not thread-safe; several may run in parallel.
class VideoFrameSampler {
 public:
  explicit VideoFrameSampler(const std::string& path, int decoder_threads = 1);
  ~VideoFrameSampler();
  VideoFrameSampler(const VideoFrameSampler&) = delete;
  VideoFrameSampler& operator=(const VideoFrameSampler&) = delete;

  const VideoInfo& info() const;
  std::vector<RgbImage> sample_frames(int count = kVideoFrameCount);
  // The frame for `seconds` >= 0 by the rule above.
  RgbImage frame_at(double seconds);

 private:
  std::unique_ptr<VideoStreamDecoder> decoder_;
  std::unique_ptr<RgbFrameConverter> converter_;
};

}  // namespace popsweep::media
