// Copies a weight file's tensors into a module, strictly: the file must hold
// exactly the module's parameters and buffers, each with the module's shape.
// Anything else is refused with an InputError that names every missing,
// unexpected and mis-shaped tensor, so a wrong file (another architecture,
// another class count) is never half-loaded.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "worker/nets/tensor_record.h"

namespace popsweep::nets {

// `source` names the file in errors. Floating-point tensors are converted to
// the module's dtype (a float16 file loads into a float32 module); integer
// and floating-point tensors are never mixed. Batch-norm `num_batches_tracked`
// counters only matter for training, which never happens to a frozen
// backbone, so a file may leave them out; when present they are loaded.
void load_state_dict(torch::nn::Module& module, const std::vector<NamedTensorRecord>& tensors,
                     const std::string& source);

}  // namespace popsweep::nets
