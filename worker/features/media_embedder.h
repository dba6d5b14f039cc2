// M11-M13 on a worker: turns media files into backbone embeddings.
//
//   image   view 0 is the plain image; views 1..V are seeded augmentations
//           (M14) that training draws from, one row each
//   video   "frames": the M12 frames, 15 rows; "thumbnail": the cover image
//           beside the video, or its first frame (M8), one row
//
// Files are decoded by a small pool of threads while the backbone embeds the
// previous batch, so decoding and inference overlap. An unreadable file
// never stops the job: it is reported as a problem and the next one goes on.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "worker/media/rgb_image.h"
#include "worker/media/video_info.h"

namespace popsweep::nets {
class FrozenBackbone;
}

namespace popsweep::features {

struct EmbeddingRequest {
  std::string role;  // "image", "frames" or "thumbnail"
  int view = 0;
};

struct MediaToEmbed {
  std::string content_hash;
  std::string path;
  std::string media_type;      // "image" or "video"
  std::string thumbnail_path;  // videos: the cover image, may be empty
  std::vector<EmbeddingRequest> needed;
};

struct EmbeddingSettings {
  int image_size = 224;
  std::uint64_t view_seed = 0;  // augmentation_seed's base
  int batch_images = 32;        // backbone inputs per forward pass
  int decode_threads = 1;       // files decoded at once
  // Decode the next batch while the backbone runs this one (a GPU's case),
  // or between batches with every core (a CPU's: see extract_job.cc).
  bool overlap_decoding = true;
  bool jpeg_dct_scaling = false;  // media::decode_image_file_reduced instead of a full decode
};

struct Embedding {
  std::string role;
  int view = 0;
  int rows = 0;
  std::vector<float> values;  // rows x feature_dimension
};

struct EmbeddedMedia {
  std::string content_hash;
  std::vector<Embedding> embeddings;
  std::optional<media::VideoInfo> video;  // probed videos
  // What pixel verification's glance starts from (glance_picture of the
  // backbone's input picture: the image's, or a video's thumbnail's); set
  // when this item decoded one (an image, or a video's "thumbnail" role).
  std::optional<media::RgbImage> glance;
  std::string problem;                    // set when the file could not be used; embeddings are then empty
};

// Receives finished media, a batch at a time, in input order.
using EmbeddedBatchSink = std::function<void(std::vector<EmbeddedMedia>&&)>;

// Embeds every item in order. Returns false when `should_stop` asked it to
// stop (checked between batches); what was delivered so far stays valid.
bool embed_media(nets::FrozenBackbone& backbone, const std::vector<MediaToEmbed>& items,
                 const EmbeddingSettings& settings, const std::function<bool()>& should_stop,
                 const EmbeddedBatchSink& deliver);

}  // namespace popsweep::features
