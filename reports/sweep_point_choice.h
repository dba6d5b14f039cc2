// Which sweep point's models `predict` uses. A sweep trains one model set per
// point (say one per label window, or per learning rate); averaging the
// models of different points would mix models that answer different
// questions, so predict uses exactly one point's models. The user names it
// with `--point KEY=VALUE ...`, keys spelt as the spec's `sweep:` names them
// (labels.window_weeks=4 train.lr=0.001); a sweep of one point needs no
// choice.
#pragma once

#include <string>
#include <vector>

namespace popsweep::reports {

struct PointSetting {
  std::string key;    // "labels.window_weeks"
  std::string value;  // "4"
};

// "KEY=VALUE" arguments; a ConfigError names one without '=' or with an
// empty key, and a key given twice.
std::vector<PointSetting> parse_point_settings(const std::vector<std::string>& arguments);

// Picks the point (one of `points`: the JSON texts of the swept keys' values,
// as storage::load_sweep_points holds them) that `wanted` names. A value
// matches as text or, where both read as numbers, by number (0.001 = 1e-3).
// ConfigError, naming the sweep:
//   - a key the sweep does not sweep, naming the keys it does;
//   - a value no point has for its key, naming the values it has;
//   - no point or several points matching, listing them and how to choose.
std::string choose_sweep_point(const std::vector<std::string>& points,
                               const std::vector<PointSetting>& wanted, const std::string& sweep_name);

// "--point labels.window_weeks=4 train.lr=0.001": the arguments that choose
// `point`; "(the sweep's only point)" for "{}".
std::string point_arguments(const std::string& point);

}  // namespace popsweep::reports
