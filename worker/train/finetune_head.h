// Fine-tuning (issue 20, `train.finetune_blocks: k`): the image head (M14)
// behind the backbone's last k blocks, trained together. Its inputs are the
// frozen prefix's activations at the cut, flattened (backbone_split.h); its
// stored weights hold the tail's too (about 6.9 MB for EfficientNet-B0's
// last 2 blocks), with the tail's description, so load_head rebuilds it
// from the bytes alone.
#pragma once

#include <memory>
#include <string>

#include "worker/nets/backbone_split.h"
#include "worker/train/heads.h"

namespace popsweep::train {

class FinetunedHead : public HeadImpl {
 public:
  // `head` reads the tail's 1280-d features; its weights are kept as given.
  FinetunedHead(nets::BackboneTail tail, std::shared_ptr<HeadImpl> head, double dropout_rate);

  torch::Tensor logits(const torch::Tensor& inputs, DropoutMasks* dropout) override;
  // The backbone's parameters among the head's, trained at train.finetune_lr.
  std::vector<torch::Tensor> backbone_parameters() const { return tail_->trainable_parameters(); }
  const nets::BackboneTail& tail() const { return tail_; }

 private:
  nets::BackboneTail tail_;
  std::shared_ptr<HeadImpl> head_;
};

// The stored key that marks a fine-tuned head's weights.
inline constexpr const char* kBackboneTailDescriptionKey = "backbone_tail.description";

// A new image head (Keras-default weights from `init_seed`) behind `tail`.
// Only the image experiment fine-tunes: ConfigError for the others.
std::shared_ptr<HeadImpl> make_finetuned_head(Architecture architecture, int classes, std::uint64_t init_seed,
                                              double dropout_rate, nets::BackboneTail tail);

// Rebuilds a fine-tuned head from save_head_weights' bytes and the stored
// description (load_head calls it when the key is there).
std::shared_ptr<HeadImpl> load_finetuned_head(Architecture architecture, int classes,
                                              const torch::Tensor& description, const std::string& bytes);

}  // namespace popsweep::train
