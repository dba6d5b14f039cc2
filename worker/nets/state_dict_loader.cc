#include "worker/nets/state_dict_loader.h"

#include <torch/torch.h>  // explicit, so the build gives this file the precompiled header

#include <map>
#include <set>

#include "common/error.h"
#include "worker/nets/byte_reader.h"
#include "worker/nets/tensor_conversion.h"

namespace popsweep::nets {
namespace {

bool is_optional(const std::string& name) {
  const std::string suffix = "num_batches_tracked";
  return name.size() >= suffix.size() &&
         name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// "3 unexpected tensors: 'a', 'b', 'c'", listing at most a screenful.
std::string describe_problem(const std::string& what, const std::vector<std::string>& details) {
  constexpr std::size_t kMaxListed = 12;
  std::string text = std::to_string(details.size()) + " " + what + ": ";
  for (std::size_t i = 0; i < details.size() && i < kMaxListed; ++i) text += (i > 0 ? ", " : "") + details[i];
  if (details.size() > kMaxListed) text += ", ...";
  return text;
}

}  // namespace

void load_state_dict(torch::nn::Module& module, const std::vector<NamedTensorRecord>& tensors,
                     const std::string& source) {
  std::map<std::string, torch::Tensor> targets;
  for (const auto& item : module.named_parameters()) targets.emplace(item.key(), item.value());
  for (const auto& item : module.named_buffers()) targets.emplace(item.key(), item.value());

  std::vector<std::string> unexpected;
  std::vector<std::string> mismatched;
  std::map<std::string, const TensorRecord*> found;
  std::set<std::string> present;
  for (const NamedTensorRecord& named : tensors) {
    const auto target = targets.find(named.name);
    if (target == targets.end()) {
      unexpected.push_back(quote_for_message(named.name));
      continue;
    }
    present.insert(named.name);
    const torch::Tensor& destination = target->second;
    const bool floating_matches = is_floating_point(named.tensor.type) == destination.is_floating_point();
    if (named.tensor.shape != destination.sizes().vec() || !floating_matches) {
      mismatched.push_back(quote_for_message(named.name) + " is " + element_type_name(named.tensor.type) +
                           " " + describe_shape(named.tensor.shape) + ", expected " +
                           element_type_name(to_element_type(destination.scalar_type())) + " " +
                           describe_shape(destination.sizes().vec()));
      continue;
    }
    found[named.name] = &named.tensor;
  }
  std::vector<std::string> missing;
  for (const auto& [name, tensor] : targets) {
    if (!present.count(name) && !is_optional(name)) {
      missing.push_back(quote_for_message(name));
    }
  }
  std::vector<std::string> problems;
  if (!missing.empty()) problems.push_back(describe_problem("missing tensors", missing));
  if (!unexpected.empty()) problems.push_back(describe_problem("unexpected tensors", unexpected));
  if (!mismatched.empty()) problems.push_back(describe_problem("mis-shaped tensors", mismatched));
  if (!problems.empty()) {
    std::string message = "weights do not match the model: ";
    for (std::size_t i = 0; i < problems.size(); ++i) message += (i > 0 ? "; " : "") + problems[i];
    throw InputError(source, 0, "", message);
  }

  torch::NoGradGuard no_grad;
  for (const auto& [name, record] : found) {
    torch::Tensor& destination = targets.at(name);
    destination.copy_(to_torch(*record));
  }
}

}  // namespace popsweep::nets
