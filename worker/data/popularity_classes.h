// M4/M5: popularity classes from PoR quantiles inside a time window.
#pragma once

#include <string>
#include <vector>

#include "common/time_format.h"

namespace popsweep::data {

enum class WindowMode { Centered, Trailing, Global };

const char* to_string(WindowMode mode);
WindowMode parse_window_mode(const std::string& text);  // throws ConfigError

struct ClassSettings {
  int classes = 2;
  double window_weeks = 8;
  WindowMode mode = WindowMode::Centered;
};

// The q-quantile of sorted values with linear interpolation between order
// statistics (numpy's default, "type 7"): position q * (n - 1).
double linear_quantile(const std::vector<double>& sorted_values, double q);

// The class of every item of one media type. The window of item p holds the
// items with |t - t_p| <= W/2 (centered), t_p - W < t <= t_p (trailing), or
// all items (global); its K-1 cut points are the quantiles at 1/K .. (K-1)/K
// of the window's PoR, and p's class is the number of cut points strictly
// below its PoR (0 = least popular).
std::vector<int> assign_classes(const std::vector<UnixSeconds>& times, const std::vector<double>& por,
                                const ClassSettings& settings);

}  // namespace popsweep::data
