// The chart types of the report, drawn as standalone SVG strings.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace popsweep::reports {

struct Series {
  std::string name;
  std::vector<double> x;
  std::vector<double> y;
  std::vector<double> spread;  // error bar half-width (or band half-width); may be empty
};

struct ChartText {
  std::string title;
  std::string x_label;
  std::string y_label;
};

// Lines with error bars (or shaded bands) per series.
std::string line_chart(const ChartText& text, const std::vector<Series>& series, bool bands = false);

// Bars grouped by category, one colour per series, with error bars.
std::string grouped_bar_chart(const ChartText& text, const std::vector<std::string>& categories,
                              const std::vector<Series>& series, std::optional<double> reference = std::nullopt,
                              const std::string& reference_label = "");

// A matrix of cells coloured by value in [0, 1], each with its own caption.
std::string heatmap(const ChartText& text, const std::vector<std::string>& row_labels,
                    const std::vector<std::string>& column_labels, const std::vector<std::vector<double>>& values,
                    const std::vector<std::vector<std::string>>& captions);

struct ScatterPoint {
  double x = 0;
  double y = 0;
  int group = 0;
  std::string tooltip;
};
// `x_is_time`: x in Unix seconds, ticks shown as years.
std::string scatter_chart(const ChartText& text, const std::vector<ScatterPoint>& points,
                          const std::vector<std::string>& group_names, bool x_is_time = false,
                          const std::vector<Series>& overlays = {});

struct HistogramBar {
  double from = 0;
  double to = 0;
  double count = 0;
};
std::string histogram_chart(const ChartText& text, const std::vector<HistogramBar>& bars,
                            std::optional<double> marker = std::nullopt, const std::string& marker_label = "");

}  // namespace popsweep::reports
