#include "worker/media/video_container.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <filesystem>

extern "C" {
#include <libavcodec/packet.h>
#include <libavcodec/version.h>
#include <libavutil/display.h>
}

#include "worker/media/media_error.h"

namespace popsweep::media {
namespace {

// The display matrix says how to turn the coded picture for display. This is
// ffmpeg's autorotate rule, rounded to a quarter turn; flips are ignored, as
// ffmpeg 5.1 ignores them.
// FFmpeg 6.1 (libavcodec 60.30) moved a stream's side data into its codec
// parameters and deprecated the AVStream accessors; FFmpeg 7 keeps only the
// former.
int clockwise_rotation_degrees(const AVStream& stream) {
#if LIBAVCODEC_VERSION_INT >= AV_VERSION_INT(60, 30, 100)
  const AVPacketSideData* side_data = av_packet_side_data_get(
      stream.codecpar->coded_side_data, stream.codecpar->nb_coded_side_data, AV_PKT_DATA_DISPLAYMATRIX);
  const std::uint8_t* matrix = side_data ? side_data->data : nullptr;
  const std::size_t size = side_data ? side_data->size : 0;
#else
  std::size_t size = 0;
  const std::uint8_t* matrix = av_stream_get_side_data(&stream, AV_PKT_DATA_DISPLAYMATRIX, &size);
#endif
  if (!matrix || size < 9 * sizeof(std::int32_t)) return 0;
  // libav stores the matrix as int32_t[9] inside a byte buffer of its own allocation.
  const double counterclockwise = av_display_rotation_get(reinterpret_cast<const std::int32_t*>(matrix));
  if (!std::isfinite(counterclockwise)) return 0;
  const long quarter_turns = std::lround(-counterclockwise / 90.0);
  return static_cast<int>(((quarter_turns % 4) + 4) % 4) * 90;
}

double rational_or_zero(AVRational value) { return value.num > 0 && value.den > 0 ? av_q2d(value) : 0.0; }

}  // namespace

VideoContainer::VideoContainer(std::string path) : path_(std::move(path)) {
  open_input();
  choose_video_stream();
  reject_truncated_file();
  read_info();
}

void VideoContainer::open_input() {
  std::error_code error;
  if (std::filesystem::is_directory(path_, error)) throw MediaError(path_, "cannot open: is a directory");
  const auto size = std::filesystem::file_size(path_, error);
  if (!error && size == 0) throw MediaError(path_, "empty file");
  AVFormatContext* opened = nullptr;
  int result = avformat_open_input(&opened, path_.c_str(), nullptr, nullptr);
  if (result == AVERROR(ENOENT) || result == AVERROR(EACCES)) {
    throw MediaError(path_, "cannot open: " + libav_error_text(result));
  }
  if (result < 0) throw MediaError(path_, "not a decodable video (" + libav_error_text(result) + ")");
  format_.reset(opened);
  result = avformat_find_stream_info(format_.get(), nullptr);
  if (result < 0) throw MediaError(path_, "not a decodable video (" + libav_error_text(result) + ")");
}

void VideoContainer::choose_video_stream() {
  const int index = av_find_best_stream(format_.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (index < 0) throw MediaError(path_, "no video stream");
  stream_ = format_->streams[index];
  if (stream_->disposition & AV_DISPOSITION_ATTACHED_PIC)
    throw MediaError(path_, "no video stream (only a cover picture)");
  // Audio and the rest are never decoded; discarding lets the demuxer skip them.
  for (unsigned i = 0; i < format_->nb_streams; ++i) {
    if (static_cast<int>(i) != index) format_->streams[i]->discard = AVDISCARD_ALL;
  }
}

// A container whose index points past the end of the file lost its tail (an
// interrupted download); its duration and frame count are wrong too, so the
// file is refused as a whole rather than sampled from what is left.
void VideoContainer::reject_truncated_file() const {
  const std::int64_t file_size = format_->pb ? avio_size(format_->pb) : -1;
  if (file_size <= 0) return;
  std::int64_t data_end = 0;
  const int entries = avformat_index_get_entries_count(stream_);
  for (int i = 0; i < entries; ++i) {
    const AVIndexEntry* entry = avformat_index_get_entry(stream_, i);
    if (entry && entry->pos >= 0) data_end = std::max<std::int64_t>(data_end, entry->pos + entry->size);
  }
  if (data_end > file_size) {
    throw MediaError(path_, "truncated (video data runs to byte " + std::to_string(data_end) + " of a " +
                                std::to_string(file_size) + "-byte file)");
  }
}

void VideoContainer::read_info() {
  start_ = stream_->start_time != AV_NOPTS_VALUE ? stream_->start_time : 0;
  info_.duration_seconds = duration_from_headers();
  if (info_.duration_seconds <= 0.0) info_.duration_seconds = duration_from_packets();
  info_.frame_rate = rational_or_zero(stream_->avg_frame_rate);
  if (info_.frame_rate == 0.0) info_.frame_rate = rational_or_zero(stream_->r_frame_rate);
  info_.rotation_degrees = clockwise_rotation_degrees(*stream_);
  const bool sideways = info_.rotation_degrees == 90 || info_.rotation_degrees == 270;
  info_.width = sideways ? stream_->codecpar->height : stream_->codecpar->width;
  info_.height = sideways ? stream_->codecpar->width : stream_->codecpar->height;
  if (info_.width <= 0 || info_.height <= 0) throw MediaError(path_, "video track has no frame size");
  if (static_cast<long long>(info_.width) * info_.height > kMaxVideoFramePixels) {
    throw MediaError(path_, std::to_string(info_.width) + " x " + std::to_string(info_.height) +
                                " pixels per frame, more than the limit of " +
                                std::to_string(kMaxVideoFramePixels));
  }
}

// The track's own duration; Matroska and some others only give the
// container's, which covers the longest track (often the audio).
double VideoContainer::duration_from_headers() const {
  if (stream_->duration != AV_NOPTS_VALUE && stream_->duration > 0)
    return to_seconds(start_ + stream_->duration);
  if (format_->duration != AV_NOPTS_VALUE && format_->duration > 0) {
    return static_cast<double>(format_->duration) / AV_TIME_BASE;
  }
  return 0.0;
}

// Neither header says: read every packet (no decoding) for the end of the
// last frame, then rewind. Raw streams (an .h264 file) carry no timestamps,
// only packet durations, or not even those.
double VideoContainer::duration_from_packets() {
  PacketHandle packet(av_packet_alloc());
  if (!packet) throw MediaError(path_, "out of memory");
  std::int64_t end = start_;
  std::int64_t summed_durations = 0;
  std::int64_t packets = 0;
  while (read_video_packet(*packet)) {
    const std::int64_t duration = std::max<std::int64_t>(packet->duration, 0);
    const std::int64_t time = packet->pts != AV_NOPTS_VALUE ? packet->pts : packet->dts;
    if (time != AV_NOPTS_VALUE) end = std::max(end, time + duration);
    summed_durations += duration;
    ++packets;
    av_packet_unref(packet.get());
  }
  rewind();
  const double seconds = std::max(to_seconds(end), to_seconds(start_ + summed_durations));
  const double frame_rate = rational_or_zero(stream_->avg_frame_rate);
  return seconds > 0.0 || frame_rate <= 0.0 ? seconds : static_cast<double>(packets) / frame_rate;
}

// Raw streams (an .h264 file) cannot seek; opening the file again gets there too.
void VideoContainer::rewind() {
  if (seek_to_keyframe_before(start_)) return;
  format_.reset();
  open_input();
  choose_video_stream();
}

std::int64_t VideoContainer::to_stream_time(double seconds) const {
  // Far beyond any real video, yet with room for the arithmetic around it.
  constexpr double kLimit = 4e18;
  const double ticks = seconds * stream_->time_base.den / stream_->time_base.num;
  return start_ + std::llround(std::clamp(ticks, -kLimit, kLimit));
}

std::int64_t VideoContainer::frame_duration() const {
  const AVRational rate = stream_->avg_frame_rate.num > 0 ? stream_->avg_frame_rate : stream_->r_frame_rate;
  if (rate.num <= 0 || rate.den <= 0) return 1;
  return std::max<std::int64_t>(av_rescale_q(1, av_inv_q(rate), stream_->time_base), 1);
}

std::int64_t VideoContainer::reorder_delay() const {
  return std::max(stream_->codecpar->video_delay, 0) * frame_duration();
}

double VideoContainer::to_seconds(std::int64_t stream_time) const {
  return static_cast<double>(stream_time - start_) * av_q2d(stream_->time_base);
}

bool VideoContainer::read_video_packet(AVPacket& packet) {
  while (av_read_frame(format_.get(), &packet) >= 0) {
    if (packet.stream_index == stream_->index) return true;
    av_packet_unref(&packet);
  }
  return false;
}

bool VideoContainer::seek_to_keyframe_before(std::int64_t stream_time) {
  return av_seek_frame(format_.get(), stream_->index, stream_time, AVSEEK_FLAG_BACKWARD) >= 0;
}

std::optional<std::int64_t> VideoContainer::indexed_keyframe_before(std::int64_t stream_time) const {
  const int index = av_index_search_timestamp(stream_, stream_time, AVSEEK_FLAG_BACKWARD);
  const AVIndexEntry* entry = index >= 0 ? avformat_index_get_entry(stream_, index) : nullptr;
  if (!entry) return std::nullopt;
  return entry->timestamp;
}

}  // namespace popsweep::media
