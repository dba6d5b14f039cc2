// What a head sees (train.inputs, issue 18): the media's embeddings (the
// paper), the context vector of worker/context alone, or both. Torch-free,
// so the spec, the command line and `models describe` can name them cheaply.
#pragma once

#include <string>
#include <string_view>

namespace popsweep::train {

enum class InputSet {
  kVisual,         // embeddings only (M14-M17 as published)
  kContext,        // the context vector only, through heads of the same shape
  kVisualContext,  // the context vector joined to the visual feature before the dense layers
};

// "visual", "context", "visual+context"; a ConfigError lists the valid names.
InputSet parse_input_set(std::string_view name);
std::string input_set_name(InputSet inputs);

inline bool reads_context(InputSet inputs) { return inputs != InputSet::kVisual; }
inline bool reads_visual(InputSet inputs) { return inputs != InputSet::kContext; }

}  // namespace popsweep::train
