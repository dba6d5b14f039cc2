// The timing rule every bench binary follows: one untimed warm-up call (page
// cache, allocator, oneDNN primitives), then the median of `runs` calls.
// `wait`, when given, runs after each call inside the timed span (a GPU's
// synchronize, so queued work is counted).
#pragma once

#include <algorithm>
#include <chrono>
#include <functional>
#include <vector>

namespace popsweep::bench {

inline double median_seconds(int runs, const std::function<void()>& work, const std::function<void()>& wait = {}) {
  const auto call = [&] {
    work();
    if (wait) wait();
  };
  call();
  std::vector<double> seconds;
  for (int run = 0; run < std::max(runs, 1); ++run) {
    const auto begin = std::chrono::steady_clock::now();
    call();
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count());
  }
  std::sort(seconds.begin(), seconds.end());
  return seconds[seconds.size() / 2];
}

}  // namespace popsweep::bench
