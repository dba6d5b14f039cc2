#include "worker/train/finetune_head.h"

#include <torch/torch.h>

#include "common/error.h"

namespace popsweep::train {

FinetunedHead::FinetunedHead(nets::BackboneTail tail, std::shared_ptr<HeadImpl> head, double dropout_rate)
    : HeadImpl(head->architecture(), head->classes(), dropout_rate, head->inputs()),
      tail_(register_module("backbone_tail", std::move(tail))),
      head_(register_module("head", std::move(head))) {}

torch::Tensor FinetunedHead::logits(const torch::Tensor& inputs, DropoutMasks* dropout) {
  return head_->logits(tail_->forward(inputs), dropout);
}

std::shared_ptr<HeadImpl> make_finetuned_head(Architecture architecture, int classes, std::uint64_t init_seed,
                                              double dropout_rate, nets::BackboneTail tail) {
  if (architecture != Architecture::kImage) {
    throw ConfigError("train.finetune_blocks: only the image experiment fine-tunes the backbone, not " +
                      architecture_name(architecture));
  }
  return std::make_shared<FinetunedHead>(
      std::move(tail), make_head(architecture, classes, init_seed, dropout_rate), dropout_rate);
}

std::shared_ptr<HeadImpl> load_finetuned_head(Architecture architecture, int classes,
                                              const torch::Tensor& description, const std::string& bytes) {
  nets::BackboneTail tail(nets::BackboneTailImpl::read_description(description));
  std::shared_ptr<HeadImpl> head =
      make_finetuned_head(architecture, classes, 0, kDefaultDropout, std::move(tail));
  load_head_weights(*head, bytes);
  return head;
}

}  // namespace popsweep::train
