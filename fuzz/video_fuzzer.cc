// A video file through the decoders' entry points: probe_video (headers
// only), then the M12 frames as extraction samples them (container, seeking,
// decoding, rotation and conversion to RGB). libav reads from a path, so the
// input is written to a scratch file first.
#include "fuzz/fuzz_support.h"
#include "fuzz/fuzz_targets.h"
#include "worker/media/video_frame_sampler.h"

namespace popsweep::fuzz {

void fuzz_video(const std::uint8_t* data, std::size_t size) {
  const std::string path = write_scratch_file("video.mp4", data, size);
  accept_or_refuse([&] { media::probe_video(path); });
  accept_or_refuse([&] {
    media::VideoFrameSampler sampler(path);
    const std::vector<media::RgbImage> frames = sampler.sample_frames();
    fuzz_require(frames.size() == static_cast<std::size_t>(media::kVideoFrameCount), "15 frames per video");
    for (const media::RgbImage& frame : frames) {
      fuzz_require(frame.width > 0 && frame.height > 0 &&
                       frame.pixels.size() == static_cast<std::size_t>(frame.width) * frame.height * 3,
                   "every frame is a whole RGB picture");
    }
  });
}

}  // namespace popsweep::fuzz
