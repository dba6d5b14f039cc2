// The input ablation's figure: one grouped bar chart per point of the other
// swept keys, a category per (experiment, classes) and a bar per input set,
// so the three input sets of one model stand side by side.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "reports/charts.h"
#include "reports/input_ablation.h"
#include "reports/report_charts.h"
#include "reports/results_tables.h"

namespace popsweep::reports {

std::vector<ReportChart> input_ablation_charts(const SweepResults& results) {
  std::map<std::string, std::vector<const InputAblation*>> by_point;
  const std::vector<InputAblation> ablations = input_ablations(results);
  for (const InputAblation& ablation : ablations) by_point[ablation.point].push_back(&ablation);
  std::vector<ReportChart> charts;
  for (const auto& [point, rows] : by_point) {
    std::vector<std::string> categories;
    std::vector<std::string> input_sets;
    for (const InputAblation* row : rows) {
      categories.push_back(fmt::format("{} K={}", row->experiment, row->classes));
      for (const auto& [inputs, group] : row->by_inputs) {
        if (std::find(input_sets.begin(), input_sets.end(), inputs) == input_sets.end())
          input_sets.push_back(inputs);
      }
    }
    std::vector<Series> series;
    for (const std::string& inputs : input_sets) {
      Series bars{inputs, {}, {}, {}};
      for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto found = std::find_if(rows[i]->by_inputs.begin(), rows[i]->by_inputs.end(),
                                        [&](const auto& entry) { return entry.first == inputs; });
        // A missing input set draws no bar rather than breaking the alignment.
        bars.x.push_back(static_cast<double>(i));
        bars.y.push_back(found == rows[i]->by_inputs.end() ? 0.0 : found->second->best.accuracy.mean);
        bars.spread.push_back(found == rows[i]->by_inputs.end() ? 0.0 : found->second->best.accuracy.std);
      }
      series.push_back(std::move(bars));
    }
    const std::string where = describe_point(point);
    const std::string title = "Best-epoch accuracy per input set" + (where.empty() ? "" : " (" + where + ")");
    charts.push_back({fmt::format("input_ablation_{:03}", charts.size()), title,
                      grouped_bar_chart({title, "experiment", "accuracy"}, categories, series)});
  }
  return charts;
}

}  // namespace popsweep::reports
