#include "worker/train/split_protocol.h"

#include <algorithm>
#include <map>
#include <string>

#include "common/error.h"
#include "common/time_format.h"
#include "worker/train/folds.h"

namespace popsweep::train {
namespace {

// Distinct posts in order of first appearance, with the class their items
// carry (items of one post share a Popularity Rate, so normally one class;
// should they differ, the most common, ties to the lower class).
struct PostSummary {
  std::int64_t post = 0;
  std::int64_t posted_at = 0;
  int popularity_class = 0;
};

std::vector<PostSummary> summarise_posts(const std::vector<SplitItem>& items, std::map<std::int64_t, size_t>& index_of) {
  std::vector<PostSummary> posts;
  std::vector<std::map<int, int>> class_counts;
  for (const SplitItem& item : items) {
    auto [found, inserted] = index_of.emplace(item.post, posts.size());
    if (inserted) {
      posts.push_back({item.post, item.posted_at, item.popularity_class});
      class_counts.emplace_back();
    }
    PostSummary& post = posts[found->second];
    post.posted_at = std::min(post.posted_at, item.posted_at);
    ++class_counts[found->second][item.popularity_class];
  }
  for (size_t i = 0; i < posts.size(); ++i) {
    int best_count = -1;
    for (const auto& [popularity_class, count] : class_counts[i]) {
      if (count > best_count) {
        best_count = count;
        posts[i].popularity_class = popularity_class;
      }
    }
  }
  return posts;
}

void require_posts(size_t posts, int folds, SplitProtocol protocol) {
  if (posts < static_cast<size_t>(folds)) {
    throw ConfigError("train.split " + split_protocol_name(protocol) + ": cannot split " + std::to_string(posts) +
                      " posts into " + std::to_string(folds) + " folds (lower train.folds)");
  }
}

}  // namespace

SplitProtocol parse_split_protocol(const std::string& name) {
  if (name == "media") return SplitProtocol::kMedia;
  if (name == "post") return SplitProtocol::kPost;
  if (name == "time") return SplitProtocol::kTime;
  throw ConfigError("train.split: unknown protocol '" + name + "' (media, post or time)");
}

std::string split_protocol_name(SplitProtocol protocol) {
  switch (protocol) {
    case SplitProtocol::kMedia:
      return "media";
    case SplitProtocol::kPost:
      return "post";
    case SplitProtocol::kTime:
      return "time";
  }
  return "media";
}

SplitPlan::SplitPlan(SplitProtocol protocol, std::vector<SplitItem> items, int folds, std::uint64_t seed,
                     std::int64_t gap_seconds)
    : protocol_(protocol), items_(std::move(items)), folds_(folds), gap_seconds_(gap_seconds) {
  if (protocol_ == SplitProtocol::kMedia) {
    std::vector<int> classes;
    classes.reserve(items_.size());
    for (const SplitItem& item : items_) classes.push_back(item.popularity_class);
    fold_of_item_ = stratified_folds(classes, folds_, seed);
    return;
  }
  if (folds_ < 2) throw ConfigError("train.folds must be at least 2, got " + std::to_string(folds_));
  std::map<std::int64_t, size_t> index_of;
  const std::vector<PostSummary> posts = summarise_posts(items_, index_of);
  require_posts(posts.size(), folds_, protocol_);
  std::vector<int> fold_of_post(posts.size(), -1);
  if (protocol_ == SplitProtocol::kPost) {
    std::vector<int> post_classes;
    post_classes.reserve(posts.size());
    for (const PostSummary& post : posts) post_classes.push_back(post.popularity_class);
    fold_of_post = stratified_folds(post_classes, folds_, seed);
  } else {
    // Consecutive blocks of (nearly) equal post counts, in publication order;
    // posts published at the same second are ordered by their id.
    std::vector<size_t> order(posts.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return posts[a].posted_at != posts[b].posted_at ? posts[a].posted_at < posts[b].posted_at
                                                      : posts[a].post < posts[b].post;
    });
    block_start_.assign(static_cast<size_t>(folds_), 0);
    int previous_block = -1;
    for (size_t rank = 0; rank < order.size(); ++rank) {
      const auto block = static_cast<int>(rank * static_cast<size_t>(folds_) / order.size());
      if (block != previous_block) block_start_[static_cast<size_t>(block)] = posts[order[rank]].posted_at;
      previous_block = block;
      fold_of_post[order[rank]] = block;
    }
  }
  fold_of_item_.resize(items_.size());
  for (size_t i = 0; i < items_.size(); ++i) fold_of_item_[i] = fold_of_post[index_of.at(items_[i].post)];
  for (const auto& [post, index] : index_of) fold_of_post_[post] = fold_of_post[index];
}

bool SplitPlan::is_validated(int fold) const {
  return fold >= first_validated_fold(protocol_) && fold < folds_;
}

void SplitPlan::check_fold(int fold) const {
  if (fold < 0 || fold >= folds_) {
    throw ConfigError("fold " + std::to_string(fold) + " is outside 0.." + std::to_string(folds_ - 1));
  }
  if (!is_validated(fold)) {
    throw ConfigError("train.split time: fold 0 is the first block of the timeline, with nothing published "
                      "before it to train on; it is never validated");
  }
}

std::int64_t SplitPlan::block_start(int fold) const {
  if (protocol_ != SplitProtocol::kTime) throw Error("block_start applies to train.split time only");
  return block_start_.at(static_cast<size_t>(fold));
}

std::int64_t SplitPlan::training_cutoff(int fold) const { return block_start(fold) - gap_seconds_; }

bool SplitPlan::trains_in(int fold, std::int64_t item) const {
  const auto i = static_cast<size_t>(item);
  if (protocol_ != SplitProtocol::kTime) return fold_of_item_[i] != fold;
  // Blocks are contiguous in time, so every item of an earlier block was
  // published no later than the fold's start; the gap may still drop some.
  return fold_of_item_[i] < fold && items_[i].posted_at <= training_cutoff(fold);
}

FoldMembers SplitPlan::members(int fold) const {
  check_fold(fold);
  FoldMembers members;
  for (size_t i = 0; i < items_.size(); ++i) {
    const auto item = static_cast<std::int64_t>(i);
    if (fold_of_item_[i] == fold) {
      members.validation.push_back(item);
    } else if (trains_in(fold, item)) {
      members.training.push_back(item);
    }
  }
  if (protocol_ == SplitProtocol::kTime && members.training.empty()) {
    throw ConfigError("train.split time: fold " + std::to_string(fold) + " validates posts from " +
                      format_iso8601(block_start(fold)) + " on, and no post was published at least " +
                      "train.time_gap_weeks before that (cutoff " + format_iso8601(training_cutoff(fold)) +
                      "); lower train.time_gap_weeks or train.folds");
  }
  return members;
}

bool SplitPlan::may_also_train_on(int fold, std::int64_t post, std::int64_t posted_at) const {
  if (protocol_ == SplitProtocol::kMedia) return true;
  const auto validated = fold_of_post_.find(post);
  if (validated != fold_of_post_.end() && validated->second == fold) return false;
  return protocol_ == SplitProtocol::kPost || posted_at <= training_cutoff(fold);
}

}  // namespace popsweep::train
