// The report's data figures, drawn from the database rather than from the
// training results: PoR over time per media type coloured by class (the
// sweep's label configuration beside its global or rolling counterpart,
// paper Fig. 2), the follower curve with its estimates at post times, the
// nearest-neighbour distances of images with the dedup threshold (Fig. 3a),
// engagement rate against PoR (M3), mean PoR of image-only posts against
// posts with video (M6), and a t-SNE map of image and video-thumbnail
// embeddings coloured by class (M20). A figure whose data is missing is left
// out, so a report on a partial database still renders.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "reports/report_charts.h"
#include "storage/feature_tables.h"
#include "storage/label_tables.h"
#include "storage/profile_tables.h"

namespace popsweep::storage {
class Database;
}

namespace popsweep::reports {

struct LabelSet {
  storage::LabelConfigRow config;
  std::vector<storage::LabelRow> rows;
};

// What the data figures read, gathered once.
struct DataInputs {
  // The label configurations of the sweep's train jobs (in job order), each
  // followed by its counterpart (global for a rolling window, the default
  // centred 8-week window for global) when that was computed too.
  std::vector<LabelSet> label_sets;
  std::vector<storage::MediaOfPost> media;  // not excluded
  std::vector<storage::FollowerRow> followers;
  std::vector<std::int64_t> feature_set_ids;  // of the sweep's train jobs, found in the database
};
DataInputs load_data_inputs(storage::Database& db, std::int64_t sweep_id);

// PoR over time, one chart per (label configuration, media type), the
// configurations of one number of classes beside each other.
std::vector<ReportChart> por_over_time_charts(const DataInputs& inputs);

// Follower samples as points, the estimates at post times as a line, the
// extrapolated estimates marked as points of their own.
std::optional<ReportChart> follower_chart(const DataInputs& inputs);

// Histogram of each image's distance to its nearest other image (view 0 of
// the first feature set), the dedup threshold marked when one was used.
std::optional<ReportChart> nearest_distance_chart(storage::Database& db, const DataInputs& inputs);

// One point per post with impressions: x its PoR, y (likes + comments) /
// impressions. `r` is their Pearson correlation (nullopt when undefined).
struct EngagementPoints {
  std::vector<double> por;
  std::vector<double> engagement_rate;
  std::optional<double> r;
};
EngagementPoints engagement_points(const DataInputs& inputs);
std::optional<ReportChart> engagement_chart(const DataInputs& inputs);

// Mean PoR over posts whose media are all images, and over posts with at
// least one video (nullopt for a kind with no posts).
struct MediaKindPor {
  std::optional<double> image_only;
  std::optional<double> with_video;
  int image_only_posts = 0;
  int with_video_posts = 0;
};
MediaKindPor media_kind_por(const DataInputs& inputs);
std::optional<ReportChart> media_kind_chart(const DataInputs& inputs);

// t-SNE of image (view 0) and video-thumbnail embeddings, coloured by class,
// at most `max_points` (an even, deterministic subsample), with unusual
// regions outlined.
std::optional<ReportChart> tsne_chart(storage::Database& db, const DataInputs& inputs, int max_points = 1500,
                                      int iterations = 1000);

// Pearson correlation; nullopt with fewer than two points or no spread.
std::optional<double> pearson(const std::vector<double>& x, const std::vector<double>& y);

// Every data figure available, in report order.
std::vector<ReportChart> data_figures(storage::Database& db, std::int64_t sweep_id);

}  // namespace popsweep::reports

namespace popsweep::reports {

// The "Data" section of report.html (inline SVG, defined in report_html.cc)
// and of report.md (links to `<charts_folder>/<file_stem>.svg`, defined in
// report_markdown.cc); empty when there are no data figures.
std::string data_section_html(const std::vector<ReportChart>& charts);
std::string data_section_markdown(const std::vector<ReportChart>& charts, const std::string& charts_folder);

}  // namespace popsweep::reports
