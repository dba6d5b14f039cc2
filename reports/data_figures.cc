#include "reports/data_figures.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "common/time_format.h"
#include "reports/charts.h"
#include "reports/duplicate_sheet.h"
#include "reports/tsne.h"
#include "storage/database.h"
#include "storage/dedup_candidate_tables.h"
#include "storage/job_tables.h"
#include "worker/features/feature_set_key.h"
#include "worker/features/nearest_neighbours.h"

namespace popsweep::reports {
namespace {

constexpr int kHistogramBins = 30;
constexpr size_t kMaxRegions = 4;

std::string describe(const storage::LabelConfigRow& config) {
  if (config.mode == "global") return fmt::format("global split, {} classes", config.classes);
  return fmt::format("{} {:g}-week window, {} classes", config.mode, config.window_weeks, config.classes);
}

// Safe as a file name: letters, digits, '_' and '-' only.
std::string stem_part(const std::string& text) {
  std::string out;
  for (const char c : text) out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' ? c : '_';
  return out;
}

std::string config_stem(const storage::LabelConfigRow& config) {
  return stem_part(fmt::format("{}c_{}_{:g}w", config.classes, config.mode, config.window_weeks));
}

std::vector<std::string> class_names(int classes) {
  std::vector<std::string> names;
  for (int c = 0; c < classes; ++c) names.push_back(fmt::format("class {}", c));
  return names;
}

std::string date_of(std::int64_t t) { return format_iso8601(t).substr(0, 10); }

void add_label_set(storage::Database& db, DataInputs& inputs, int classes, double window_weeks,
                   const std::string& mode) {
  for (const LabelSet& set : inputs.label_sets) {
    if (set.config.classes == classes && set.config.window_weeks == window_weeks && set.config.mode == mode) return;
  }
  const std::optional<storage::LabelConfigRow> config = storage::find_label_config(db, classes, window_weeks, mode);
  if (!config) return;
  inputs.label_sets.push_back({*config, storage::load_labels(db, config->id)});
}

// The posts of the profile with their media kinds and the PoR of their first
// labelled media under `labels`.
struct PostFacts {
  std::string key;
  std::int64_t posted_at = 0;
  std::int64_t likes = 0;
  std::int64_t comments = 0;
  std::optional<std::int64_t> impressions;
  bool has_video = false;
  bool has_media = false;
  std::optional<double> por;
};

std::vector<PostFacts> post_facts(const DataInputs& inputs, const LabelSet& labels) {
  std::map<std::int64_t, const storage::LabelRow*> label_of;
  for (const storage::LabelRow& row : labels.rows) label_of[row.media_id] = &row;
  std::vector<PostFacts> posts;
  std::map<std::string, size_t> index_of;
  for (const storage::MediaOfPost& media : inputs.media) {
    auto [it, added] = index_of.emplace(media.post_key, posts.size());
    if (added) {
      PostFacts post;
      post.key = media.post_key;
      post.posted_at = media.posted_at;
      post.likes = media.likes;
      post.comments = media.comments;
      post.impressions = media.impressions;
      posts.push_back(post);
    }
    PostFacts& post = posts[it->second];
    post.has_media = true;
    if (media.media_type == "video") post.has_video = true;
    const auto label = label_of.find(media.media_id);
    if (label != label_of.end() && !post.por) post.por = label->second->por;
  }
  return posts;
}

std::map<std::int64_t, const storage::MediaOfPost*> media_by_id(const DataInputs& inputs) {
  std::map<std::int64_t, const storage::MediaOfPost*> out;
  for (const storage::MediaOfPost& media : inputs.media) out[media.media_id] = &media;
  return out;
}

torch::Tensor stack_rows(const std::vector<const std::vector<float>*>& rows) {
  const int64_t dim = static_cast<int64_t>(rows.front()->size());
  torch::Tensor out = torch::empty({static_cast<int64_t>(rows.size()), dim}, torch::kFloat32);
  for (size_t i = 0; i < rows.size(); ++i) {
    std::memcpy(out[static_cast<int64_t>(i)].data_ptr<float>(), rows[i]->data(), rows[i]->size() * sizeof(float));
  }
  return out;
}

std::map<std::string, std::vector<float>> features_by_hash(storage::Database& db, std::int64_t feature_set_id,
                                                           const std::string& role) {
  std::map<std::string, std::vector<float>> out;
  for (storage::FeatureRecord& record : storage::load_features(db, feature_set_id, role, 0)) {
    record.values.resize(record.values.size() / std::max(record.rows, 1));  // the first row
    out[record.content_hash] = std::move(record.values);
  }
  return out;
}

}  // namespace

std::optional<double> pearson(const std::vector<double>& x, const std::vector<double>& y) {
  const size_t n = std::min(x.size(), y.size());
  if (n < 2) return std::nullopt;
  double mx = 0, my = 0;
  for (size_t i = 0; i < n; ++i) mx += x[i], my += y[i];
  mx /= static_cast<double>(n);
  my /= static_cast<double>(n);
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < n; ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  if (sxx <= 0 || syy <= 0) return std::nullopt;
  return sxy / std::sqrt(sxx * syy);
}

DataInputs load_data_inputs(storage::Database& db, std::int64_t sweep_id) {
  DataInputs inputs;
  std::vector<std::tuple<int, double, std::string>> configs;
  // A sweep's jobs share a few feature settings: each is looked up once, not
  // once per job (100,000 queries for a 100,000-job sweep).
  std::set<std::string> features_seen;
  for (const storage::JobRow& job : storage::load_sweep_jobs(db, sweep_id)) {
    if (job.stage != "train") continue;
    const nlohmann::json params = nlohmann::json::parse(job.params, nullptr, false);
    if (params.is_discarded() || !params.is_object()) continue;
    if (params.contains("labels")) {
      const nlohmann::json& labels = params["labels"];
      if (labels.contains("classes") && labels.contains("window_weeks") && labels.contains("mode")) {
        const auto config = std::make_tuple(labels["classes"].get<int>(), labels["window_weeks"].get<double>(),
                                            labels["mode"].get<std::string>());
        if (std::find(configs.begin(), configs.end(), config) == configs.end()) configs.push_back(config);
      }
    }
    if (params.contains("features") && features_seen.insert(params["features"].dump()).second) {
      try {
        const auto set = storage::find_feature_set(db, features::feature_set_key(params["features"]));
        if (set && std::find(inputs.feature_set_ids.begin(), inputs.feature_set_ids.end(), set->id) ==
                       inputs.feature_set_ids.end()) {
          inputs.feature_set_ids.push_back(set->id);
        }
      } catch (const nlohmann::json::exception&) {
        // parameters of an older layout: no feature figures from this job
      }
    }
  }
  for (const auto& [classes, window, mode] : configs) {
    add_label_set(db, inputs, classes, window, mode);
    if (mode == "global") {
      add_label_set(db, inputs, classes, 8.0, "centered");
    } else {
      add_label_set(db, inputs, classes, 0.0, "global");
    }
  }
  // Nothing ingested yet (a database with only sweep results): no data figures.
  if (const std::optional<storage::ProfileRow> profile = storage::find_profile(db)) {
    inputs.media = storage::load_media_of_posts(db);
    inputs.followers = storage::load_followers(db, profile->id);
  }
  return inputs;
}

std::vector<ReportChart> por_over_time_charts(const DataInputs& inputs) {
  const auto media = media_by_id(inputs);
  // Configurations of one number of classes side by side, per media type.
  std::vector<int> class_counts;
  for (const LabelSet& set : inputs.label_sets) {
    if (std::find(class_counts.begin(), class_counts.end(), set.config.classes) == class_counts.end())
      class_counts.push_back(set.config.classes);
  }
  std::vector<ReportChart> charts;
  for (const int classes : class_counts) {
    for (const std::string type : {"image", "video"}) {
      for (const LabelSet& set : inputs.label_sets) {
        if (set.config.classes != classes) continue;
        std::vector<ScatterPoint> points;
        for (const storage::LabelRow& row : set.rows) {
          const auto found = media.find(row.media_id);
          if (found == media.end() || found->second->media_type != type) continue;
          const storage::MediaOfPost& m = *found->second;
          points.push_back({static_cast<double>(m.posted_at), row.por, row.popularity_class,
                            fmt::format("{} #{} ({}): PoR {:.4g}, class {}", m.post_key, m.media_index,
                                        date_of(m.posted_at), row.por, row.popularity_class)});
        }
        if (points.empty()) continue;
        ReportChart chart;
        chart.file_stem = "data_por_" + config_stem(set.config) + "_" + type;
        chart.title = fmt::format("PoR over time, {}s ({})", type, describe(set.config));
        chart.svg = scatter_chart({chart.title, "posted", "PoR"}, points, class_names(classes), true);
        charts.push_back(std::move(chart));
      }
    }
  }
  return charts;
}

std::optional<ReportChart> follower_chart(const DataInputs& inputs) {
  std::vector<ScatterPoint> points;
  for (const storage::FollowerRow& sample : inputs.followers) {
    points.push_back({static_cast<double>(sample.sampled_at), static_cast<double>(sample.followers), 0,
                      fmt::format("sample: {} followers on {}", sample.followers, date_of(sample.sampled_at))});
  }
  // The estimate at each post time (every media of a post has the same).
  std::map<std::int64_t, std::pair<double, bool>> estimates;
  if (!inputs.label_sets.empty()) {
    const auto media = media_by_id(inputs);
    for (const storage::LabelRow& row : inputs.label_sets.front().rows) {
      const auto found = media.find(row.media_id);
      if (found != media.end()) estimates.emplace(found->second->posted_at, std::make_pair(row.followers, row.extrapolated));
    }
  }
  if (points.empty() && estimates.empty()) return std::nullopt;
  Series line{"post estimate", {}, {}, {}};
  int extrapolated = 0;
  for (const auto& [time, estimate] : estimates) {
    line.x.push_back(static_cast<double>(time));
    line.y.push_back(estimate.first);
    if (estimate.second) {
      ++extrapolated;
      points.push_back({static_cast<double>(time), estimate.first, 1,
                        fmt::format("extrapolated estimate: {:.0f} followers on {}", estimate.first, date_of(time))});
    }
  }
  ReportChart chart;
  chart.file_stem = "data_followers";
  chart.title = fmt::format("Followers: {} samples, {} post times ({} extrapolated)", inputs.followers.size(),
                            estimates.size(), extrapolated);
  std::vector<Series> overlays;
  if (!line.x.empty()) overlays.push_back(std::move(line));
  chart.svg = scatter_chart({chart.title, "date", "followers"}, points, {"sample", "extrapolated"}, true,
                            overlays);
  return chart;
}

std::optional<ReportChart> nearest_distance_chart(storage::Database& db, const DataInputs& inputs) {
  if (inputs.feature_set_ids.empty()) return std::nullopt;
  const std::int64_t set_id = inputs.feature_set_ids.front();
  const auto by_hash = features_by_hash(db, set_id, "image");
  std::vector<const std::vector<float>*> rows;
  for (const storage::MediaOfPost& media : inputs.media) {
    if (media.media_type != "image") continue;
    const auto found = by_hash.find(media.content_hash);
    if (found != by_hash.end() && !found->second.empty()) rows.push_back(&found->second);
  }
  if (rows.size() < 2) return std::nullopt;
  const features::NearestNeighbours nearest = features::nearest_neighbours(stack_rows(rows));
  double high = 0;
  for (const double d : nearest.distance) {
    if (std::isfinite(d)) high = std::max(high, d);
  }
  const std::optional<storage::DedupRunRow> run = storage::load_dedup_run(db, set_id);
  const std::optional<double> threshold = run ? run->threshold : std::nullopt;
  if (threshold) high = std::max(high, *threshold);
  if (high <= 0) high = 1;
  const double width = high / kHistogramBins;
  std::vector<HistogramBar> bars(kHistogramBins);
  for (int b = 0; b < kHistogramBins; ++b) bars[b] = {b * width, (b + 1) * width, 0};
  for (const double d : nearest.distance) {
    if (!std::isfinite(d)) continue;
    bars[std::min(kHistogramBins - 1, static_cast<int>(d / width))].count += 1;
  }
  ReportChart chart;
  chart.file_stem = "data_nearest_distances";
  chart.title = fmt::format("Distance of each image to its nearest other image (n = {})", rows.size());
  const std::string marker_label =
      threshold ? fmt::format("dedup threshold {:.4g}{}", *threshold, run->suggested ? " (suggested)" : "") : "";
  chart.svg = histogram_chart({chart.title, "Euclidean distance (view 0)", "images"}, bars, threshold, marker_label);
  return chart;
}

EngagementPoints engagement_points(const DataInputs& inputs) {
  EngagementPoints out;
  if (inputs.label_sets.empty()) return out;
  for (const PostFacts& post : post_facts(inputs, inputs.label_sets.front())) {
    if (!post.por || !post.impressions || *post.impressions <= 0) continue;
    out.por.push_back(*post.por);
    out.engagement_rate.push_back(static_cast<double>(post.likes + post.comments) /
                                  static_cast<double>(*post.impressions));
  }
  out.r = pearson(out.por, out.engagement_rate);
  return out;
}

std::optional<ReportChart> engagement_chart(const DataInputs& inputs) {
  const EngagementPoints data = engagement_points(inputs);
  if (data.por.empty()) return std::nullopt;
  std::vector<ScatterPoint> points;
  for (size_t i = 0; i < data.por.size(); ++i) {
    points.push_back({data.por[i], data.engagement_rate[i], 0,
                      fmt::format("PoR {:.4g}, engagement {:.4g}", data.por[i], data.engagement_rate[i])});
  }
  ReportChart chart;
  chart.file_stem = "data_engagement_vs_por";
  const std::string r = data.r ? fmt::format("{:.3f}", *data.r) : std::string("undefined");
  chart.title = fmt::format("Engagement rate against PoR (M3): Pearson r = {}, n = {}", r, data.por.size());
  chart.svg = scatter_chart({chart.title, "PoR", "(likes + comments) / impressions"}, points, {"post"});
  return chart;
}

MediaKindPor media_kind_por(const DataInputs& inputs) {
  MediaKindPor out;
  if (inputs.label_sets.empty()) return out;
  double image_sum = 0, video_sum = 0;
  for (const PostFacts& post : post_facts(inputs, inputs.label_sets.front())) {
    if (!post.por) continue;
    if (post.has_video) {
      video_sum += *post.por;
      ++out.with_video_posts;
    } else {
      image_sum += *post.por;
      ++out.image_only_posts;
    }
  }
  if (out.image_only_posts > 0) out.image_only = image_sum / out.image_only_posts;
  if (out.with_video_posts > 0) out.with_video = video_sum / out.with_video_posts;
  return out;
}

std::optional<ReportChart> media_kind_chart(const DataInputs& inputs) {
  const MediaKindPor data = media_kind_por(inputs);
  if (!data.image_only && !data.with_video) return std::nullopt;
  auto text = [](const std::optional<double>& v) { return v ? fmt::format("{:.4f}", *v) : std::string("n/a"); };
  ReportChart chart;
  chart.file_stem = "data_por_by_media_kind";
  chart.title = fmt::format("Mean PoR (M6): image-only posts {}, posts with video {}", text(data.image_only),
                            text(data.with_video));
  const double nan = std::nan("");
  Series series{"mean PoR", {0, 1}, {data.image_only.value_or(nan), data.with_video.value_or(nan)}, {}};
  chart.svg = grouped_bar_chart(
      {chart.title, "", "mean PoR"},
      {fmt::format("image only ({} posts)", data.image_only_posts),
       fmt::format("with video ({} posts)", data.with_video_posts)},
      {series});
  return chart;
}

std::optional<ReportChart> tsne_chart(storage::Database& db, const DataInputs& inputs, int max_points,
                                      int iterations) {
  if (inputs.feature_set_ids.empty() || inputs.label_sets.empty() || max_points < 2) return std::nullopt;
  const std::int64_t set_id = inputs.feature_set_ids.front();
  const LabelSet& labels = inputs.label_sets.front();
  const auto images = features_by_hash(db, set_id, "image");
  const auto thumbnails = features_by_hash(db, set_id, "thumbnail");
  std::map<std::int64_t, int> class_of;
  for (const storage::LabelRow& row : labels.rows) class_of[row.media_id] = row.popularity_class;

  struct Point {
    const std::vector<float>* values;
    int label;
    std::string tooltip;
  };
  std::vector<Point> all;
  std::set<std::pair<std::string, std::string>> seen;  // (role, hash): a duplicate file is one point
  for (const storage::MediaOfPost& media : inputs.media) {
    const auto label = class_of.find(media.media_id);
    if (label == class_of.end()) continue;
    const bool image = media.media_type == "image";
    const auto& table = image ? images : thumbnails;
    const auto found = table.find(media.content_hash);
    if (found == table.end() || found->second.empty()) continue;
    if (!seen.insert({image ? "image" : "thumbnail", media.content_hash}).second) continue;
    all.push_back({&found->second, label->second,
                   fmt::format("{} {} #{}: class {}", image ? "image" : "video thumbnail", media.post_key,
                               media.media_index, label->second)});
  }
  // Every point, or an even subsample of them in post order: deterministic.
  std::vector<Point> chosen;
  if (static_cast<int>(all.size()) <= max_points) {
    chosen = all;
  } else {
    for (int i = 0; i < max_points; ++i) chosen.push_back(all[static_cast<size_t>(i) * all.size() / max_points]);
  }
  if (chosen.size() < 5) return std::nullopt;
  std::vector<const std::vector<float>*> rows;
  std::vector<int> classes;
  for (const Point& p : chosen) rows.push_back(p.values), classes.push_back(p.label);
  for (const std::vector<float>* row : rows) {
    if (row->size() != rows.front()->size()) return std::nullopt;  // mixed dimensions: not one feature set
  }

  TsneSettings settings;
  settings.seed = 0;
  settings.iterations = iterations;
  settings.exaggeration_iterations = std::min(settings.exaggeration_iterations, iterations / 4);
  settings.perplexity = std::min(30.0, (static_cast<double>(chosen.size()) - 1) / 3);
  const torch::Tensor coordinates = tsne_embed(stack_rows(rows), settings).contiguous();
  const auto xy = coordinates.accessor<double, 2>();

  std::vector<ScatterPoint> points;
  for (size_t i = 0; i < chosen.size(); ++i) {
    points.push_back({xy[static_cast<int64_t>(i)][0], xy[static_cast<int64_t>(i)][1], chosen[i].label,
                      chosen[i].tooltip});
  }
  std::vector<MapRegion> regions = unusual_regions(coordinates, classes);
  std::sort(regions.begin(), regions.end(),
            [](const MapRegion& a, const MapRegion& b) { return std::fabs(a.z_score) > std::fabs(b.z_score); });
  if (regions.size() > kMaxRegions) regions.resize(kMaxRegions);
  std::vector<Series> overlays;
  for (const MapRegion& r : regions) {
    overlays.push_back({fmt::format("mean class {:.2f} (z {:+.1f})", r.mean_label, r.z_score),
                        {r.x0, r.x1, r.x1, r.x0, r.x0},
                        {r.y0, r.y0, r.y1, r.y1, r.y0},
                        {}});
  }
  ReportChart chart;
  chart.file_stem = "data_tsne";
  chart.title = fmt::format("t-SNE of image and video-thumbnail embeddings ({} of {} points, {}), {} unusual region(s)",
                            chosen.size(), all.size(), describe(labels.config), regions.size());
  chart.svg = scatter_chart({chart.title, "t-SNE 1", "t-SNE 2"}, points, class_names(labels.config.classes), false,
                            overlays);
  return chart;
}

std::vector<ReportChart> data_figures(storage::Database& db, std::int64_t sweep_id) {
  const DataInputs inputs = load_data_inputs(db, sweep_id);
  std::vector<ReportChart> charts = por_over_time_charts(inputs);
  std::optional<ReportChart> pairs;
  if (!inputs.feature_set_ids.empty()) {
    const std::int64_t set_id = inputs.feature_set_ids.front();
    pairs = duplicate_sheet_chart(inputs.media, storage::load_duplicates(db, set_id),
                                  storage::load_dedup_candidates(db, set_id));
  }
  for (std::optional<ReportChart> chart :
       {follower_chart(inputs), nearest_distance_chart(db, inputs), pairs, engagement_chart(inputs),
        media_kind_chart(inputs), tsne_chart(db, inputs)}) {
    if (chart) charts.push_back(std::move(*chart));
  }
  return charts;
}

}  // namespace popsweep::reports
