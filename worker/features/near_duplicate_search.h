// M7-M9 over a feature set: images matched by the Euclidean distance of
// their embeddings, videos by their thumbnail embeddings (the first frame's
// when a video has no thumbnail) plus equal duration and frame rate, and
// images against video thumbnails under the same threshold (a picture posted
// both as an image and as a video's cover); each group of duplicates, across
// media types, keeps one media (single post over carousel, then the most
// recent) and the others are recorded as removed, with their partner and
// distance. With verification on (dedup.verify), every pair the search
// proposes is checked on its pixels (pixel_verification.h) and only pairs
// whose pictures agree block by block count as duplicates; the rejected
// ones stay in the report, with why.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "worker/features/duplicate_threshold.h"
#include "worker/features/pixel_verification.h"

namespace popsweep::storage {
class Database;
}

namespace popsweep::features {

// The kind of a pair whose first media is an image and second a video.
inline constexpr const char* kImageVideoPair = "image-video";

struct DuplicatePair {
  std::int64_t first_media_id = 0;
  std::int64_t second_media_id = 0;
  std::string first_path;
  std::string second_path;
  std::string media_type;  // "image", "video" or kImageVideoPair
  double distance = 0;
  bool kept = true;                        // a duplicate; false: a candidate verification rejected
  std::optional<double> block_difference;  // verification's worst block, when verified
  // How far a colour channel's mean moved over the aligned overlap, before
  // the tones were matched (grey levels), when every block agreed.
  std::optional<double> colour_shift;
  std::optional<double> contrast_change;   // the largest ratio of a channel's spreads, likewise
  std::string reason;                      // why kept or rejected, one word (pair_reason's words)
};

// What the search runs with. The paper's rule is {threshold 5, verify off}.
struct DedupSettings {
  std::optional<double> threshold;  // nullopt: the suggested one (M7)
  bool verify = false;
  // With verification and a suggested threshold, candidates are searched up
  // to this multiple of the suggestion: the search favours recall and
  // verification decides. A given threshold is used as it is.
  double candidate_factor = 5.0;
  VerificationSettings verification;
  // Threads pixel verification runs on; 0: LibTorch's intra-op count (the
  // physical cores it sees). `popsweep dedup --threads N` sets it.
  int threads = 0;
};

// Where verification's time went (wall clock on its threads): what
// `popsweep dedup` prints, so a slow stage says which phase to look at.
struct VerificationPhases {
  // Each candidate's glance square (stored by extraction, or decoded at a
  // reduced scale where the set has none), then the glance at every pair.
  double glance_seconds = 0;
  double prepare_seconds = 0;  // decoding and preparing the pictures of pairs past the glance
  double check_seconds = 0;    // the early and full checks of those pairs
  int glanced_pictures = 0, prepared_pictures = 0, checked_pairs = 0;
  int decoded_glances = 0;  // glanced pictures whose square was not stored: decoded here
};

// "verification 0.75 s: glance 0.12 s over 833 pictures (0 decoded),
// preparing 0.17 s for 360, checks 0.46 s of 209 pairs", for the dedup
// command and the log.
std::string describe_phases(const VerificationPhases& phases);

struct NearDuplicateReport {
  std::optional<double> threshold;
  bool suggested = false;
  std::string explanation;
  int images = 0;
  int videos = 0;
  int removed = 0;
  std::vector<double> image_nearest_distances;  // for the histogram (M7)
  std::optional<double> candidate_radius;       // the distance searched up to (threshold, or wider)
  std::vector<DuplicatePair> pairs;             // every candidate pair: images, videos, then
                                                // image-video, each closest first; kept or not
  int rejected = 0;                             // candidates verification rejected
  VerificationPhases verification;              // with verification on
};

// The search alone, writing nothing: what the dedup stage
// (orchestrator::clean_near_duplicates, which writes it) decides; the
// report's `removed` counts what it would remove. The leakage audit of the
// reports applies the same rule through it.
NearDuplicateReport find_near_duplicates(storage::Database& db, std::int64_t feature_set_id,
                                         const DedupSettings& settings);

// Frame rates and durations "equal" for M8: re-encoding keeps the frame count
// and rate but may move the last timestamp by a frame.
bool same_video_timing(double duration_a, double rate_a, double duration_b, double rate_b);

}  // namespace popsweep::features
