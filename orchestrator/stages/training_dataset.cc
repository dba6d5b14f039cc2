#include "orchestrator/stages/training_dataset.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>

#include "common/error.h"
#include "storage/database.h"
#include "storage/feature_tables.h"
#include "storage/label_tables.h"
#include "storage/profile_tables.h"
#include "worker/context/context_inputs.h"
#include "worker/features/feature_set_key.h"

namespace popsweep::orchestrator {
namespace {

constexpr int kFramesPerVideo = 15;

struct DatasetIds {
  std::int64_t label_config_id = 0;
  std::int64_t feature_set_id = 0;
  bool dedup = true;
  int classes = 2;
  int views = 0;
};

DatasetIds resolve(storage::Database& db, const nlohmann::json& params) {
  const nlohmann::json& labels = params.at("labels");
  DatasetIds ids;
  ids.classes = labels.at("classes").get<int>();
  const std::optional<storage::LabelConfigRow> config = storage::find_label_config(
      db, ids.classes, labels.at("window_weeks").get<double>(), labels.at("mode").get<std::string>());
  if (!config) throw Error("the labels of this job were not computed (its label job should have run first)");
  ids.label_config_id = config->id;
  const std::optional<storage::FeatureSetRow> features =
      storage::find_feature_set(db, features::feature_set_key(params.at("features")));
  if (!features) throw Error("no features extracted for this job's backbone and preprocessing");
  ids.feature_set_id = features->id;
  ids.dedup = params.at("dedup").at("enabled").get<bool>();
  ids.views = params.at("features").at("views").get<int>();
  return ids;
}

// Labelled media that should have features and have none: dedup kept them
// and no stage recorded them as unreadable.
class MissingFeatures {
 public:
  void add(const storage::MediaOfPost& media) {
    if (examples_.size() < kShown)
      examples_.push_back("media " + std::to_string(media.media_id) + " (" + media.path + ")");
    ++count_;
  }
  // Throws, naming how many and the first few; a quiet gap would train on
  // less than the spec asked for and nobody would know.
  void throw_if_any(const DatasetIds& ids) const {
    if (count_ == 0) return;
    std::string shown;
    for (const std::string& example : examples_) shown += (shown.empty() ? "" : ", ") + example;
    if (count_ > examples_.size()) shown += " and " + std::to_string(count_ - examples_.size()) + " more";
    throw MissingFeaturesError(
        "the training set of feature set " + std::to_string(ids.feature_set_id) + " lacks features for " +
        std::to_string(count_) + " labelled media that should have them (not removed by dedup, not " +
        "recorded as unreadable): " + shown + "; `popsweep extract` with this sweep's features.* settings " +
        "embeds what is missing");
  }

 private:
  static constexpr size_t kShown = 5;
  size_t count_ = 0;
  std::vector<std::string> examples_;
};

// train.inputs context or visual+context: the context vector of every media
// item by id (worker/context), computed here from the database, so workers
// receive it with the dataset. Empty for visual jobs.
std::map<std::int64_t, std::vector<double>> context_by_media(storage::Database& db,
                                                             const nlohmann::json& params) {
  std::map<std::int64_t, std::vector<double>> by_media;
  if (!params.contains("context")) return by_media;
  context::ContextSettings settings;
  settings.time_zone = params.at("context").at("time_zone").get<std::string>();
  settings.history_posts = params.at("context").at("history_posts").get<int>();
  const context::ContextInputs inputs = context::load_context_inputs(db);
  for (context::ContextRow& row : context::compute_context(inputs.posts, inputs.followers, settings)) {
    by_media[row.media_id] = std::move(row.values);
  }
  return by_media;
}

void append_context(std::string& blob, const std::map<std::int64_t, std::vector<double>>& by_media,
                    std::int64_t media_id) {
  const std::vector<double>& values = by_media.at(media_id);
  const std::vector<float> narrow(values.begin(), values.end());
  blob.append(reinterpret_cast<const char*>(narrow.data()), narrow.size() * sizeof(float));
}

}  // namespace

std::string training_dataset_key(storage::Database& db, const nlohmann::json& train_params) {
  const DatasetIds ids = resolve(db, train_params);
  // The profiles of a study share label configurations and feature sets:
  // each has its own dataset.
  const std::int64_t profile = storage::scoped_profile_id();
  std::string key = "train-data/labels-" + std::to_string(ids.label_config_id) + "/features-" +
                    std::to_string(ids.feature_set_id) + (ids.dedup ? "/dedup" : "/all") +
                    (profile ? "/profile-" + std::to_string(profile) : "");
  if (train_params.contains("context")) key += "/context-" + train_params.at("context").dump();
  return key;
}

Message build_training_dataset(storage::Database& db, const nlohmann::json& train_params) {
  const DatasetIds ids = resolve(db, train_params);
  std::map<std::int64_t, int> class_of;
  for (const storage::LabelRow& label : storage::load_labels(db, ids.label_config_id)) {
    class_of[label.media_id] = label.popularity_class;
  }
  // Media a stage could not read are left out and listed by `status` and
  // the report; so are the duplicates dedup removed. Any other gap is an error.
  std::set<std::int64_t> unreadable;
  for (const storage::MediaProblem& problem : storage::load_media_problems(db, ""))
    unreadable.insert(problem.media_id);
  std::set<std::int64_t> removed;
  if (ids.dedup) {
    for (const storage::DuplicateRow& row : storage::load_duplicates(db, ids.feature_set_id)) {
      removed.insert(row.removed_media_id);
    }
  }
  // Features by content hash; views of an image in view order.
  std::map<std::string, std::map<int, std::vector<float>>> image_views;
  for (storage::FeatureRecord& record : storage::load_features(db, ids.feature_set_id, "image")) {
    image_views[record.content_hash][record.view] = std::move(record.values);
  }
  std::map<std::string, std::vector<float>> video_frames;
  for (storage::FeatureRecord& record : storage::load_features(db, ids.feature_set_id, "frames", 0)) {
    if (record.rows == kFramesPerVideo) video_frames[record.content_hash] = std::move(record.values);
  }
  const int stored_views = ids.views + 1;
  std::vector<int> view_numbers(static_cast<size_t>(stored_views));
  std::iota(view_numbers.begin(), view_numbers.end(), 0);
  nlohmann::json images = nlohmann::json::array(), videos = nlohmann::json::array();
  std::string image_blob, video_blob, image_context_blob, video_context_blob;
  const bool with_context = train_params.contains("context");
  const std::map<std::int64_t, std::vector<double>> context = context_by_media(db, train_params);
  int skipped = 0;
  MissingFeatures missing;
  const auto leave_out = [&](const storage::MediaOfPost& media) {
    if (unreadable.count(media.media_id)) {
      ++skipped;
    } else {
      missing.add(media);
    }
  };
  // Posts as small numbers, so the split protocols can keep a post's media
  // together (and order them in time) without the post keys.
  std::map<std::string, std::int64_t> post_number;
  for (const storage::MediaOfPost& media : storage::load_media_of_posts(db)) {
    const std::int64_t post =
        post_number.emplace(media.post_key, static_cast<std::int64_t>(post_number.size())).first->second;
    const auto label = class_of.find(media.media_id);
    if (label == class_of.end() || removed.count(media.media_id)) continue;
    if (media.media_type == "image") {
      const auto found = image_views.find(media.content_hash);
      const auto has_view = [&](int view) { return found->second.count(view) != 0; };
      if (found == image_views.end() || !std::all_of(view_numbers.begin(), view_numbers.end(), has_view)) {
        leave_out(media);
        continue;
      }
      for (int view = 0; view < stored_views; ++view) {
        const std::vector<float>& values = found->second.at(view);
        image_blob.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float));
      }
      images.push_back({media.media_id, label->second, media.path, post, media.posted_at});
      if (with_context) append_context(image_context_blob, context, media.media_id);
    } else {
      const auto found = video_frames.find(media.content_hash);
      if (found == video_frames.end()) {
        leave_out(media);
        continue;
      }
      video_blob.append(reinterpret_cast<const char*>(found->second.data()), found->second.size() * sizeof(float));
      videos.push_back({media.media_id, label->second, post, media.posted_at, media.path});
      if (with_context) append_context(video_context_blob, context, media.media_id);
    }
  }
  missing.throw_if_any(ids);
  Message message = make_message("dataset", {{"classes", ids.classes},
                                             {"views", stored_views},
                                             {"dim", 1280},
                                             {"images", images},
                                             {"videos", videos},
                                             {"skipped", skipped}});
  message.blobs = {std::move(image_blob), std::move(video_blob)};
  if (with_context) {
    message.header["context_features"] = context::context_feature_names();
    message.blobs.push_back(std::move(image_context_blob));
    message.blobs.push_back(std::move(video_context_blob));
  }
  return message;
}

TrainingDataset read_training_dataset(const Message& message) {
  TrainingDataset dataset;
  dataset.classes = message.header.at("classes").get<int>();
  dataset.views = message.header.at("views").get<int>();
  dataset.dim = message.header.at("dim").get<int>();
  dataset.skipped = message.header.value("skipped", 0);
  for (const nlohmann::json& item : message.header.at("images")) {
    dataset.image_ids.push_back(item.at(0).get<std::int64_t>());
    dataset.image_classes.push_back(item.at(1).get<int>());
    dataset.image_paths.push_back(item.at(2).get<std::string>());
    dataset.image_posts.push_back(item.at(3).get<std::int64_t>());
    dataset.image_posted_at.push_back(item.at(4).get<std::int64_t>());
  }
  for (const nlohmann::json& item : message.header.at("videos")) {
    dataset.video_ids.push_back(item.at(0).get<std::int64_t>());
    dataset.video_classes.push_back(item.at(1).get<int>());
    dataset.video_posts.push_back(item.at(2).get<std::int64_t>());
    dataset.video_posted_at.push_back(item.at(3).get<std::int64_t>());
    // Datasets of older coordinators carry no path (pixels mode then refuses).
    dataset.video_paths.push_back(item.size() > 4 ? item.at(4).get<std::string>() : std::string());
  }
  if (message.header.contains("context_features")) {
    dataset.context_features = message.header.at("context_features").get<std::vector<std::string>>();
  }
  const size_t attachments = dataset.context_features.empty() ? 2 : 4;
  if (message.blobs.size() != attachments) {
    throw Error("malformed training dataset: expected " + std::to_string(attachments) + " attachments");
  }
  dataset.image_features = blob_to_floats(message.blobs[0]);
  dataset.video_frames = blob_to_floats(message.blobs[1]);
  if (!dataset.context_features.empty()) {
    dataset.image_context = blob_to_floats(message.blobs[2]);
    dataset.video_context = blob_to_floats(message.blobs[3]);
    const size_t width = dataset.context_features.size();
    if (dataset.image_context.size() != dataset.image_ids.size() * width ||
        dataset.video_context.size() != dataset.video_ids.size() * width) {
      throw Error("malformed training dataset: context sizes do not match the item lists");
    }
  }
  const size_t image_values = dataset.image_ids.size() * static_cast<size_t>(dataset.views * dataset.dim);
  const size_t video_values = dataset.video_ids.size() * static_cast<size_t>(kFramesPerVideo * dataset.dim);
  if (dataset.image_features.size() != image_values || dataset.video_frames.size() != video_values) {
    throw Error("malformed training dataset: feature sizes do not match the item lists");
  }
  return dataset;
}

}  // namespace popsweep::orchestrator
