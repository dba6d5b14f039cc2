// One rank of a data-parallel gang, as the trainer sees it: its place in the
// gang and a sum over every rank. The trainer never names c10d, so it builds
// and is tested the same with or without a process group behind this.
#pragma once

#include <torch/types.h>

namespace popsweep::train {

class Collective {
 public:
  virtual ~Collective() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Sums `values` over the ranks, in place. Every rank ends with the same
  // bits (a ring all-reduce reduces each chunk once and sends the result
  // around), so replicas updated from the sum stay identical.
  virtual void all_reduce_sum(torch::Tensor& values) = 0;
  // True on every rank when any rank passes true (an agreed stop: a rank
  // that stopped alone would leave the others in their next all-reduce).
  bool any(bool mine) {
    torch::Tensor flag = torch::full({1}, mine ? 1.0 : 0.0, torch::kFloat64);
    all_reduce_sum(flag);
    return flag.item<double>() > 0;
  }
};

}  // namespace popsweep::train
