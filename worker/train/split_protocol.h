// Which items a fold validates on and which it may train on, under the three
// split protocols of `train.split` (docs/METHOD.md, "Split protocols"):
//
//   media  the paper's protocol (M19): stratified folds over media items, so
//          two pictures of one carousel can sit on both sides of a split.
//   post   stratified folds over posts: every item of a post is in the same
//          fold; a post is stratified on the class of its items.
//   time   forward chaining: posts sorted by time and cut into `folds`
//          consecutive blocks; fold f validates on block f and trains only on
//          posts published at least `gap` before block f starts. Block 0 has
//          nothing before it and is never validated.
//
// The plan is built over the items of the medium an experiment is validated
// on (images for `image`, videos for the three video experiments, which so
// share their folds). The mixed experiments also train on the other medium;
// `may_also_train_on` says which of those extra items a fold may use without
// breaking the protocol. Nothing here depends on LibTorch, so the reports
// rebuild the same plan for their leakage audit.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace popsweep::train {

enum class SplitProtocol { kMedia, kPost, kTime };

// ConfigError for an unknown name.
SplitProtocol parse_split_protocol(const std::string& name);
std::string split_protocol_name(SplitProtocol protocol);

struct SplitItem {
  int popularity_class = 0;
  std::int64_t post = 0;       // any id shared by the items of one post
  std::int64_t posted_at = 0;  // Unix seconds
};

struct FoldMembers {
  std::vector<std::int64_t> validation;  // item indices, increasing
  std::vector<std::int64_t> training;    // item indices, increasing
};

class SplitPlan {
 public:
  // `seed` shuffles the media and post protocols; `time` ignores it (its
  // blocks depend on the timeline alone) and uses `gap_seconds`. Throws
  // ConfigError when there are fewer items (media) or posts (post, time)
  // than folds.
  SplitPlan(SplitProtocol protocol, std::vector<SplitItem> items, int folds, std::uint64_t seed,
            std::int64_t gap_seconds = 0);

  SplitProtocol protocol() const { return protocol_; }
  int folds() const { return folds_; }
  // The folds that are validated: all of them, except block 0 under `time`.
  bool is_validated(int fold) const;
  static int first_validated_fold(SplitProtocol protocol) { return protocol == SplitProtocol::kTime ? 1 : 0; }

  // ConfigError for a fold out of range, or for a `time` fold left with no
  // training posts by the gap (naming the dates and what to change).
  FoldMembers members(int fold) const;
  // The fold in which item i is validated; under `time`, its block (block 0
  // is never validated).
  const std::vector<int>& fold_of_item() const { return fold_of_item_; }

  // Whether an item of the other medium, from `post` at `posted_at`, may
  // join fold `fold`'s training set: always under `media` (the paper added
  // every image); under `post`, when its post has no item validated in the
  // fold; under `time`, when it is also published at least the gap before
  // the fold's block starts.
  bool may_also_train_on(int fold, std::int64_t post, std::int64_t posted_at) const;

  // Under `time`: the first publication time of fold f's block, and the
  // latest publication time a training item of fold f may have.
  std::int64_t block_start(int fold) const;
  std::int64_t training_cutoff(int fold) const;

 private:
  bool trains_in(int fold, std::int64_t item) const;
  void check_fold(int fold) const;

  SplitProtocol protocol_;
  std::vector<SplitItem> items_;
  int folds_;
  std::int64_t gap_seconds_;
  std::vector<int> fold_of_item_;
  std::map<std::int64_t, int> fold_of_post_;  // post and time: the fold (block) of each post
  std::vector<std::int64_t> block_start_;     // time only
};

}  // namespace popsweep::train
