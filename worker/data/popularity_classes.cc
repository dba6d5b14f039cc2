#include "worker/data/popularity_classes.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "common/error.h"

namespace popsweep::data {

const char* to_string(WindowMode mode) {
  switch (mode) {
    case WindowMode::Centered: return "centered";
    case WindowMode::Trailing: return "trailing";
    case WindowMode::Global: return "global";
  }
  return "centered";
}

WindowMode parse_window_mode(const std::string& text) {
  if (text == "centered" || text == "centred") return WindowMode::Centered;
  if (text == "trailing") return WindowMode::Trailing;
  if (text == "global") return WindowMode::Global;
  throw ConfigError("unknown label mode '" + text + "' (expected centered, trailing or global)");
}

double linear_quantile(const std::vector<double>& sorted_values, double q) {
  if (sorted_values.empty()) throw Error("quantile of an empty window");
  const double position = q * static_cast<double>(sorted_values.size() - 1);
  const size_t below = static_cast<size_t>(std::floor(position));
  const size_t above = std::min(below + 1, sorted_values.size() - 1);
  const double fraction = position - static_cast<double>(below);
  return sorted_values[below] + fraction * (sorted_values[above] - sorted_values[below]);
}

namespace {

int class_of(double value, const std::vector<double>& sorted_window, int classes) {
  int cls = 0;
  for (int k = 1; k < classes; ++k) {
    if (linear_quantile(sorted_window, static_cast<double>(k) / classes) < value) ++cls;
  }
  return cls;
}

}  // namespace

std::vector<int> assign_classes(const std::vector<UnixSeconds>& times, const std::vector<double>& por,
                                const ClassSettings& settings) {
  if (times.size() != por.size()) throw Error("assign_classes: times and PoR differ in length");
  if (settings.classes < 2) throw ConfigError("the number of classes must be at least 2");
  if (settings.mode != WindowMode::Global && !(settings.window_weeks > 0)) {
    throw ConfigError("the window length must be positive");
  }
  const size_t n = times.size();
  std::vector<int> classes(n, 0);
  if (n == 0) return classes;

  if (settings.mode == WindowMode::Global) {
    std::vector<double> sorted = por;
    std::sort(sorted.begin(), sorted.end());
    for (size_t i = 0; i < n; ++i) classes[i] = class_of(por[i], sorted, settings.classes);
    return classes;
  }

  // Order by time so each window is one contiguous run found by binary search.
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return times[a] < times[b]; });
  std::vector<UnixSeconds> sorted_times(n);
  for (size_t i = 0; i < n; ++i) sorted_times[i] = times[order[i]];

  const double window_seconds = settings.window_weeks * static_cast<double>(kSecondsPerWeek);
  std::vector<double> window;
  for (size_t i = 0; i < n; ++i) {
    const UnixSeconds t = times[i];
    // Window bounds as whole seconds: [from, to] inclusive.
    UnixSeconds from = 0, to = 0;
    if (settings.mode == WindowMode::Centered) {
      const double half = window_seconds / 2;
      from = t - static_cast<UnixSeconds>(std::floor(half));
      to = t + static_cast<UnixSeconds>(std::floor(half));
    } else {
      // t - W < t' <= t; for whole-second times t' > x means t' >= floor(x) + 1.
      const double lower = static_cast<double>(t) - window_seconds;
      from = static_cast<UnixSeconds>(std::floor(lower)) + 1;
      to = t;
    }
    const auto begin = std::lower_bound(sorted_times.begin(), sorted_times.end(), from);
    const auto end = std::upper_bound(sorted_times.begin(), sorted_times.end(), to);
    window.clear();
    for (auto it = begin; it != end; ++it) window.push_back(por[order[static_cast<size_t>(it - sorted_times.begin())]]);
    std::sort(window.begin(), window.end());
    classes[i] = class_of(por[i], window, settings.classes);
  }
  return classes;
}

}  // namespace popsweep::data
