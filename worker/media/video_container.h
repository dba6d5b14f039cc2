// A video file's container opened for its video track: what the track is
// (VideoInfo), its packets in file order, and seeking. No decoding happens
// here, so probe_video can use it alone. Internal to worker/media.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "worker/media/libav_handles.h"
#include "worker/media/video_info.h"

namespace popsweep::media {

class VideoContainer {
 public:
  // Throws MediaError when the file is missing, empty, not a container libav
  // knows, has no video track, or lost its tail (truncated).
  explicit VideoContainer(std::string path);

  const std::string& path() const { return path_; }
  const VideoInfo& info() const { return info_; }
  const AVStream& stream() const { return *stream_; }

  // Times in seconds count from the video track's first frame (t = 0).
  std::int64_t to_stream_time(double seconds) const;
  double to_seconds(std::int64_t stream_time) const;
  std::int64_t start() const { return start_; }
  // One frame at the average frame rate, in stream time (at least 1).
  std::int64_t frame_duration() const;
  // How much later than its index time a keyframe may be displayed: MP4
  // indexes decode times, and with B-frames display lags decoding by up to
  // the codec's reorder delay.
  std::int64_t reorder_delay() const;

  // The next packet of the video track, or false when the data ends. A read
  // error also ends the data, as it does for the ffmpeg command; the frames
  // before it stay usable.
  bool read_video_packet(AVPacket& packet);

  // Moves to the keyframe at or before `stream_time`; false when libav
  // cannot seek there.
  bool seek_to_keyframe_before(std::int64_t stream_time);

  // Back to the first frame, even where the container cannot seek.
  void rewind();

  // The index's keyframe at or before `stream_time`, when the container has
  // an index (MP4 and MOV always do); used to decide whether a seek pays.
  std::optional<std::int64_t> indexed_keyframe_before(std::int64_t stream_time) const;

 private:
  void open_input();
  void choose_video_stream();
  void reject_truncated_file() const;
  void read_info();
  double duration_from_headers() const;
  double duration_from_packets();

  std::string path_;
  FormatContextHandle format_;
  AVStream* stream_ = nullptr;
  std::int64_t start_ = 0;
  VideoInfo info_;
};

}  // namespace popsweep::media
