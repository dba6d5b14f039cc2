#include "worker/features/near_duplicate_search.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "storage/database.h"
#include "storage/feature_tables.h"
#include "storage/glance_tables.h"
#include "storage/profile_tables.h"
#include "worker/features/duplicate_resolution.h"
#include "worker/features/nearest_neighbours.h"

namespace popsweep::features {
namespace {

struct Candidates {
  std::vector<storage::MediaOfPost> media;
  std::vector<std::vector<float>> embeddings;
};

torch::Tensor stack(const std::vector<std::vector<float>>& rows) {
  if (rows.empty()) return torch::zeros({0, 1});
  torch::Tensor out = torch::empty({static_cast<int64_t>(rows.size()), static_cast<int64_t>(rows[0].size())});
  for (size_t i = 0; i < rows.size(); ++i) {
    std::memcpy(out[static_cast<int64_t>(i)].data_ptr<float>(), rows[i].data(),
                rows[i].size() * sizeof(float));
  }
  return out;
}

// Every non-excluded media of `type` with an embedding under `role`.
Candidates gather(storage::Database& db, std::int64_t set_id, const std::string& type,
                  const std::string& role) {
  std::map<std::string, std::vector<float>> by_hash;
  for (storage::FeatureRecord& record : storage::load_features(db, set_id, role, 0)) {
    by_hash[record.content_hash] = std::move(record.values);
  }
  Candidates candidates;
  for (const storage::MediaOfPost& media : storage::load_media_of_posts(db)) {
    if (media.media_type != type) continue;
    const auto found = by_hash.find(media.content_hash);
    if (found == by_hash.end()) continue;  // unreadable: nothing to compare
    candidates.media.push_back(media);
    candidates.embeddings.push_back(found->second);
  }
  return candidates;
}

std::vector<DuplicateCandidate> as_candidates(const Candidates& c) {
  std::vector<DuplicateCandidate> out;
  for (const storage::MediaOfPost& m : c.media)
    out.push_back({m.media_id, m.post_kind == "carousel", m.posted_at});
  return out;
}

DuplicatePair describe_pair(const storage::MediaOfPost& first, const storage::MediaOfPost& second,
                            const std::string& kind, double distance) {
  DuplicatePair pair;
  pair.first_media_id = first.media_id;
  pair.second_media_id = second.media_id;
  pair.first_path = first.path;
  pair.second_path = second.path;
  pair.media_type = kind;
  pair.distance = distance;
  return pair;
}

// Videos (M8): close thumbnails and the same timing.
std::vector<NeighbourPair> video_pairs(storage::Database& db, const Candidates& videos,
                                       const torch::Tensor& video_matrix, double threshold) {
  std::map<std::string, storage::VideoInfoRow> info;
  for (const storage::VideoInfoRow& row : storage::load_video_info(db)) info[row.content_hash] = row;
  std::vector<NeighbourPair> pairs;
  for (const NeighbourPair& p : pairs_within(video_matrix, threshold)) {
    const auto a = info.find(videos.media[p.first].content_hash);
    const auto b = info.find(videos.media[p.second].content_hash);
    if (a == info.end() || b == info.end()) continue;
    if (same_video_timing(a->second.duration, a->second.frame_rate, b->second.duration,
                          b->second.frame_rate)) {
      pairs.push_back(p);
    }
  }
  return pairs;
}

}  // namespace

std::string describe_phases(const VerificationPhases& phases) {
  return fmt::format(
      "verification {:.2f} s: glance {:.2f} s over {} pictures ({} decoded), preparing {:.2f} s for {}, "
      "checks {:.2f} s of {} pairs",
      phases.glance_seconds + phases.prepare_seconds + phases.check_seconds, phases.glance_seconds,
      phases.glanced_pictures, phases.decoded_glances, phases.prepare_seconds, phases.prepared_pictures,
      phases.check_seconds, phases.checked_pairs);
}

bool same_video_timing(double duration_a, double rate_a, double duration_b, double rate_b) {
  if (std::fabs(rate_a - rate_b) > 0.01 * std::max(1.0, rate_a)) return false;
  const double one_frame = rate_a > 0 ? 1.0 / rate_a : 0.05;
  return std::fabs(duration_a - duration_b) <= std::max(0.05, 1.01 * one_frame);
}

namespace {

// With a widened candidate radius, each media proposes at most its closest
// few: verification's cost stays proportional to the media, and a repost
// group links up through its members' nearest pairs.
constexpr int kCandidatesPerMedia = 8;

// Within one media type a pair is a candidate when it is among the closest
// of either media (a repost group of several copies needs that reach). An
// image and a video are a candidate only when each is among the other's
// closest: a picture that is a video's thumbnail is the nearest of each to
// the other, while "either" let every image propose 8 videos, most of the
// candidates of a paper-size profile and none of its duplicates
// (docs/METHOD.md, "Verification's cost, fourth step"). Images and
// image-video pairs are ranked while their distances are computed
// (closest_pairs_within, mutual_closest_pairs_between); videos, whose pairs
// must first have the same timing, here from their sorted list.
std::vector<NeighbourPair> closest_per_media(const std::vector<NeighbourPair>& sorted_pairs, int limit) {
  std::map<int, int> seen;
  std::vector<NeighbourPair> kept;
  for (const NeighbourPair& p : sorted_pairs) {
    const int a = seen[p.first]++;
    const int b = seen[p.second]++;
    if (a < limit || b < limit) kept.push_back(p);
  }
  return kept;
}

// A pair the feature search proposes, before any verification.
struct CandidatePair {
  const storage::MediaOfPost* first;
  const storage::MediaOfPost* second;
  std::string kind;
  int first_index = 0;  // in the resolution's numbering: images, then videos
  int second_index = 0;
  double distance = 0;
};

// Runs work(0) .. work(count - 1) on `threads` threads; the first exception
// thrown is rethrown here once all have stopped.
void for_each_index(std::size_t count, int threads, const std::function<void(std::size_t)>& work) {
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto run = [&] {
    for (std::size_t i; (i = next++) < count;) {
      try {
        work(i);
      } catch (...) {
        const std::lock_guard<std::mutex> lock(failure_mutex);
        if (!failure) failure = std::current_exception();
        next = count;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads && static_cast<std::size_t>(t) < count; ++t) pool.emplace_back(run);
  run();
  for (std::thread& thread : pool) thread.join();
  if (failure) std::rethrow_exception(failure);
}

// What verification decided about `pair`, from both pictures (null: unreadable).
void record_verification(const PreparedPicture* a, const PreparedPicture* b,
                         const VerificationSettings& settings, DuplicatePair& pair) {
  if (!a || !b) {
    // A picture that cannot be read rejects its pairs: keeping both media is the safe side.
    pair.kept = false;
    pair.reason = "unreadable";
    return;
  }
  const VerificationResult result = verify_prepared(*a, *b, settings);
  pair.kept = result.same;
  pair.block_difference = result.block_difference;
  if (result.blocks_agree) {  // the colours are measured only then
    pair.colour_shift = result.colour_shift;
    pair.contrast_change = result.contrast_change;
  }
  if (result.same) {
    pair.reason = result.mirrored ? "blocks-agree-mirrored" : "blocks-agree";
  } else {
    pair.reason = result.early              ? "block-differs-64px"
                  : result.overlap < 0.8    ? "no-alignment"
                  : result.colours_differ   ? "colour-differs"
                  : result.contrast_differs ? "contrast-differs"
                                            : "block-differs";
  }
}

// Each distinct media of `candidates` once, and where each sits.
struct CandidateMedia {
  std::map<std::int64_t, std::size_t> slot_of;
  std::vector<const storage::MediaOfPost*> media;
  std::size_t slot(const storage::MediaOfPost* m) const { return slot_of.at(m->media_id); }
};

CandidateMedia media_of(const std::vector<CandidatePair>& candidates, const std::vector<char>& wanted) {
  CandidateMedia out;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    if (!wanted[i]) continue;
    for (const storage::MediaOfPost* m : {candidates[i].first, candidates[i].second}) {
      if (out.slot_of.emplace(m->media_id, out.media.size()).second) out.media.push_back(m);
    }
  }
  return out;
}

// `make(media)` for each media on `threads` threads; nullopt where it throws
// (an unreadable picture).
template <typename T, typename Make>
std::vector<std::optional<T>> for_each_media(const CandidateMedia& media, int threads, Make make) {
  std::vector<std::optional<T>> out(media.media.size());
  for_each_index(media.media.size(), threads, [&](std::size_t i) {
    try {
      out[i] = make(*media.media[i]);
    } catch (const std::exception&) {
      out[i].reset();
    }
  });
  return out;
}

// Pixel verification of the candidates on the stage's threads (as asked,
// else torch's intra-op count), in two stages: a glance at every pair
// (pictures decoded at an eighth of their size), then the full check of the pairs that pass,
// each of their pictures decoded and prepared once. Each pair's outcome
// depends on its two pictures only, so the threads change the time, not
// the result.
void verify_candidates(const std::vector<CandidatePair>& candidates, const VerificationSettings& settings,
                       const std::map<std::string, storage::GlanceSquareRow>& stored_squares,
                       int requested_threads, std::vector<DuplicatePair>& pairs, VerificationPhases& phases) {
  const int threads = std::max(1, requested_threads > 0 ? requested_threads : torch::get_num_threads());
  using Clock = std::chrono::steady_clock;
  auto seconds_since = [](Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
  };
  const Clock::time_point glance_start = Clock::now();
  const CandidateMedia all = media_of(candidates, std::vector<char>(candidates.size(), 1));
  std::atomic<int> decoded{0};
  const std::vector<std::optional<PictureGlance>> glances =
      for_each_media<PictureGlance>(all, threads, [&](const storage::MediaOfPost& m) {
        const auto stored = stored_squares.find(m.content_hash);
        if (stored != stored_squares.end()) {
          media::RgbImage square(stored->second.side, stored->second.side);
          square.pixels = stored->second.pixels;
          return glance_at(square);
        }
        ++decoded;
        return glance_at(picture_to_glance_at(m.path, m.media_type, m.thumbnail_path));
      });
  phases.decoded_glances = decoded;
  std::vector<char> related(candidates.size(), 0);  // char, not bool: written from several threads
  for_each_index(candidates.size(), threads, [&](std::size_t i) {
    const std::optional<PictureGlance>& a = glances[all.slot(candidates[i].first)];
    const std::optional<PictureGlance>& b = glances[all.slot(candidates[i].second)];
    if (!a || !b) return record_verification(nullptr, nullptr, settings, pairs[i]);
    pairs[i].kept = false;
    if (glance_correlation(*a, *b, settings.allow_mirror) < kMinGlanceCorrelation) {
      pairs[i].reason = "unrelated";
    } else if (glance_detail_correlation(*a, *b, settings.allow_mirror) < kMinGlanceDetailCorrelation) {
      pairs[i].reason = "unrelated-detail";
    } else {
      related[i] = 1;
    }
  });
  phases.glance_seconds = seconds_since(glance_start);
  phases.glanced_pictures = static_cast<int>(all.media.size());
  const Clock::time_point prepare_start = Clock::now();
  const CandidateMedia checked = media_of(candidates, related);
  const std::vector<std::optional<PreparedPicture>> pictures =
      for_each_media<PreparedPicture>(checked, threads, [](const storage::MediaOfPost& m) {
        return prepare_picture(picture_to_verify(m.path, m.media_type, m.thumbnail_path));
      });
  phases.prepare_seconds = seconds_since(prepare_start);
  phases.prepared_pictures = static_cast<int>(checked.media.size());
  const Clock::time_point check_start = Clock::now();
  auto picture = [&](const storage::MediaOfPost* m) {
    const std::optional<PreparedPicture>& p = pictures[checked.slot(m)];
    return p ? &*p : nullptr;
  };
  for_each_index(candidates.size(), threads, [&](std::size_t i) {
    if (!related[i]) return;
    record_verification(picture(candidates[i].first), picture(candidates[i].second), settings, pairs[i]);
  });
  phases.check_seconds = seconds_since(check_start);
  phases.checked_pairs = static_cast<int>(std::count(related.begin(), related.end(), 1));
}

// The search and M9's resolution; the removals as rows to store.
NearDuplicateReport search(storage::Database& db, std::int64_t feature_set_id, const DedupSettings& settings,
                           std::vector<storage::DuplicateRow>& rows) {
  NearDuplicateReport report;
  const Candidates images = gather(db, feature_set_id, "image", "image");
  const Candidates videos = gather(db, feature_set_id, "video", "thumbnail");
  report.images = static_cast<int>(images.media.size());
  report.videos = static_cast<int>(videos.media.size());
  const torch::Tensor image_matrix = stack(images.embeddings);
  report.image_nearest_distances = nearest_neighbours(image_matrix).distance;
  if (settings.threshold) {
    report.threshold = settings.threshold;
    report.explanation = "threshold " + std::to_string(*settings.threshold) + " given";
    report.candidate_radius = settings.threshold;
  } else {
    const ThresholdSuggestion suggestion = suggest_threshold(report.image_nearest_distances);
    report.threshold = suggestion.threshold;
    report.suggested = true;
    report.explanation = suggestion.explanation;
    if (settings.verify && !report.image_nearest_distances.empty()) {
      // The suggestion needs a separate tail of duplicates, which real
      // profiles full of templates and edited reposts need not have; with
      // verification deciding, candidates reach a multiple of the typical
      // nearest-neighbour distance instead (recall first).
      std::vector<double> sorted = report.image_nearest_distances;
      std::sort(sorted.begin(), sorted.end());
      const double median = sorted[sorted.size() / 2];
      report.candidate_radius = settings.candidate_factor * median;
      if (report.threshold) report.candidate_radius = std::max(*report.candidate_radius, *report.threshold);
      report.threshold = report.candidate_radius;
    } else {
      report.candidate_radius = suggestion.threshold;
    }
  }
  if (settings.verify) {
    report.explanation += report.suggested && report.candidate_radius
                              ? fmt::format(
                                    "; with verification, candidates up to {:.3f} ({} x the median "
                                    "nearest-neighbour distance, each media's {} closest; an image and a video each among "
                                    "the other's) verified on "
                                    "their pixels",
                                    *report.candidate_radius, settings.candidate_factor, kCandidatesPerMedia)
                              : "; candidates verified on their pixels";
  }
  const bool widened = settings.verify && report.suggested;
  if (report.candidate_radius) {
    // One resolution over images and videos together (images first, then
    // videos), so a picture that is also a video's thumbnail joins the
    // video's group and the group keeps one media by M9.
    const double radius = *report.candidate_radius;
    const torch::Tensor video_matrix = stack(videos.embeddings);
    const int video_offset = report.images;
    std::vector<CandidatePair> proposed;
    const std::vector<NeighbourPair> image_pairs =
        widened ? closest_pairs_within(image_matrix, radius, kCandidatesPerMedia)
                : pairs_within(image_matrix, radius);
    for (const NeighbourPair& p : image_pairs) {
      proposed.push_back(
          {&images.media[p.first], &images.media[p.second], "image", p.first, p.second, p.distance});
    }
    const std::vector<NeighbourPair> timed = video_pairs(db, videos, video_matrix, radius);
    const std::vector<NeighbourPair> video_candidates =
        widened ? closest_per_media(timed, kCandidatesPerMedia) : timed;
    for (const NeighbourPair& p : video_candidates) {
      proposed.push_back({&videos.media[p.first], &videos.media[p.second], "video", video_offset + p.first,
                          video_offset + p.second, p.distance});
    }
    const std::vector<NeighbourPair> cross_pairs =
        widened ? mutual_closest_pairs_between(image_matrix, video_matrix, radius, kCandidatesPerMedia)
                : pairs_between(image_matrix, video_matrix, radius);
    for (const NeighbourPair& p : cross_pairs) {
      proposed.push_back({&images.media[p.first], &videos.media[p.second], kImageVideoPair, p.first,
                          video_offset + p.second, p.distance});
    }
    std::vector<DuplicatePair> pairs;
    for (const CandidatePair& c : proposed) {
      pairs.push_back(describe_pair(*c.first, *c.second, c.kind, c.distance));
      pairs.back().reason = "distance";
    }
    if (settings.verify) {
      std::set<std::string> candidate_hashes;
      for (const CandidatePair& c : proposed) {
        candidate_hashes.insert(c.first->content_hash);
        candidate_hashes.insert(c.second->content_hash);
      }
      const auto load_start = std::chrono::steady_clock::now();
      const std::map<std::string, storage::GlanceSquareRow> squares =
          storage::load_glance_squares(db, feature_set_id, candidate_hashes);
      const std::chrono::duration<double> loading = std::chrono::steady_clock::now() - load_start;
      verify_candidates(proposed, settings.verification, squares, settings.threads, pairs,
                        report.verification);
      report.verification.glance_seconds += loading.count();  // reading the squares is the glance's too
    }
    std::vector<MatchedPair> matched;
    for (std::size_t i = 0; i < proposed.size(); ++i) {
      if (pairs[i].kept) {
        matched.push_back({proposed[i].first_index, proposed[i].second_index, proposed[i].distance});
      } else {
        ++report.rejected;
      }
      report.pairs.push_back(std::move(pairs[i]));
    }
    std::vector<DuplicateCandidate> candidates = as_candidates(images);
    for (const DuplicateCandidate& video : as_candidates(videos)) candidates.push_back(video);
    for (const Removal& r : resolve_duplicates(candidates, matched)) {
      rows.push_back({r.removed_media_id, r.kept_media_id, r.distance, *report.threshold});
    }
  }
  report.removed = static_cast<int>(rows.size());
  return report;
}

}  // namespace

NearDuplicateReport find_near_duplicates(storage::Database& db, std::int64_t feature_set_id,
                                         const DedupSettings& settings) {
  std::vector<storage::DuplicateRow> rows;
  return search(db, feature_set_id, settings, rows);
}

}  // namespace popsweep::features
