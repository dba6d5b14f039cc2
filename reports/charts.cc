#include "reports/charts.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/time_format.h"
#include "reports/svg_canvas.h"

namespace popsweep::reports {
namespace {

constexpr int kWidth = 640;
constexpr int kHeight = 380;
constexpr double kLeft = 70, kTop = 34, kRight = kWidth - 150, kBottom = kHeight - 50;

struct Range {
  double low = std::numeric_limits<double>::infinity();
  double high = -std::numeric_limits<double>::infinity();
  void add(double v) {
    if (std::isfinite(v)) low = std::min(low, v), high = std::max(high, v);
  }
  bool empty() const { return low > high; }
};

void legend(SvgCanvas& canvas, const std::vector<std::string>& names) {
  for (size_t i = 0; i < names.size(); ++i) {
    const double y = kTop + 8 + 18.0 * static_cast<double>(i);
    canvas.rect(kRight + 14, y - 9, 12, 12, series_colour(static_cast<int>(i)));
    canvas.text(kRight + 32, y + 1, names[i], 11);
  }
}

double spread_at(const Series& s, size_t i) { return i < s.spread.size() ? s.spread[i] : 0.0; }

}  // namespace

std::string line_chart(const ChartText& text, const std::vector<Series>& series, bool bands) {
  SvgCanvas canvas(kWidth, kHeight);
  canvas.title(text.title);
  Range xs, ys;
  for (const Series& s : series) {
    for (size_t i = 0; i < s.x.size(); ++i) {
      xs.add(s.x[i]);
      ys.add(s.y[i] - spread_at(s, i));
      ys.add(s.y[i] + spread_at(s, i));
    }
  }
  if (xs.empty()) return canvas.str();
  const LinearScale x(xs.low, xs.high, kLeft, kRight), y(ys.low, ys.high, kBottom, kTop);
  canvas.axes(x, y, kLeft, kTop, kRight, kBottom, text.x_label, text.y_label);
  std::vector<std::string> names;
  for (size_t k = 0; k < series.size(); ++k) {
    const Series& s = series[k];
    const std::string& colour = series_colour(static_cast<int>(k));
    names.push_back(s.name);
    std::vector<std::pair<double, double>> points, band;
    for (size_t i = 0; i < s.x.size(); ++i) points.emplace_back(x(s.x[i]), y(s.y[i]));
    if (bands && !s.spread.empty()) {
      for (size_t i = 0; i < s.x.size(); ++i) band.emplace_back(x(s.x[i]), y(s.y[i] + spread_at(s, i)));
      for (size_t i = s.x.size(); i-- > 0;) band.emplace_back(x(s.x[i]), y(s.y[i] - spread_at(s, i)));
      canvas.polygon(band, colour, 0.18);
    }
    canvas.polyline(points, colour, 2);
    for (size_t i = 0; i < s.x.size(); ++i) {
      if (!bands && spread_at(s, i) > 0) {
        canvas.line(x(s.x[i]), y(s.y[i] - spread_at(s, i)), x(s.x[i]), y(s.y[i] + spread_at(s, i)), colour, 1.5);
      }
      canvas.circle(x(s.x[i]), y(s.y[i]), 3, colour, 1,
                    fmt::format("{}: {} = {:.4g} ± {:.2g}", s.name, format_tick(s.x[i]), s.y[i], spread_at(s, i)));
    }
  }
  legend(canvas, names);
  return canvas.str();
}

std::string grouped_bar_chart(const ChartText& text, const std::vector<std::string>& categories,
                              const std::vector<Series>& series, std::optional<double> reference,
                              const std::string& reference_label) {
  SvgCanvas canvas(kWidth, kHeight);
  canvas.title(text.title);
  Range ys;
  ys.add(0);
  if (reference) ys.add(*reference);
  for (const Series& s : series) {
    for (size_t i = 0; i < s.y.size(); ++i) ys.add(s.y[i] + spread_at(s, i));
  }
  const LinearScale y(0, std::max(ys.high * 1.05, 1e-9), kBottom, kTop);
  const LinearScale x(0, static_cast<double>(std::max<size_t>(categories.size(), 1)), kLeft, kRight);
  for (const double tick : y.ticks()) {
    canvas.line(kLeft, y(tick), kRight, y(tick), "#e5e5e5");
    canvas.text(kLeft - 6, y(tick) + 4, format_tick(tick), 10, "end", "#555");
  }
  const double group_width = (kRight - kLeft) / std::max<size_t>(categories.size(), 1);
  const double bar_width = group_width * 0.8 / std::max<size_t>(series.size(), 1);
  std::vector<std::string> names;
  for (size_t k = 0; k < series.size(); ++k) {
    names.push_back(series[k].name);
    for (size_t c = 0; c < categories.size() && c < series[k].y.size(); ++c) {
      const double left = kLeft + group_width * c + group_width * 0.1 + bar_width * k;
      const double value = series[k].y[c];
      if (!std::isfinite(value)) continue;
      canvas.rect(left, y(value), bar_width - 2, kBottom - y(value), series_colour(static_cast<int>(k)), "none",
                  fmt::format("{} / {}: {:.4f} ± {:.4f}", series[k].name, categories[c], value, spread_at(series[k], c)));
      const double spread = spread_at(series[k], c);
      if (spread > 0) {
        const double mid = left + (bar_width - 2) / 2;
        canvas.line(mid, y(value - spread), mid, y(value + spread), "#222", 1.2);
        canvas.line(mid - 4, y(value + spread), mid + 4, y(value + spread), "#222", 1.2);
        canvas.line(mid - 4, y(value - spread), mid + 4, y(value - spread), "#222", 1.2);
      }
    }
  }
  for (size_t c = 0; c < categories.size(); ++c) {
    canvas.text(kLeft + group_width * (c + 0.5), kBottom + 16, categories[c], 11, "middle");
  }
  canvas.line(kLeft, kBottom, kRight, kBottom, "#555");
  canvas.line(kLeft, kTop, kLeft, kBottom, "#555");
  canvas.text(kLeft - 42, (kTop + kBottom) / 2, text.y_label, 11, "middle", "#222", -90);
  if (reference) {
    canvas.line(kLeft, y(*reference), kRight, y(*reference), "#888", 1.2, "5,4");
    canvas.text(kRight - 4, y(*reference) - 4, reference_label, 10, "end", "#666");
  }
  legend(canvas, names);
  (void)x;
  return canvas.str();
}

std::string heatmap(const ChartText& text, const std::vector<std::string>& row_labels,
                    const std::vector<std::string>& column_labels, const std::vector<std::vector<double>>& values,
                    const std::vector<std::vector<std::string>>& captions) {
  const int size = static_cast<int>(std::max(row_labels.size(), column_labels.size()));
  const double cell = size > 0 ? std::min(90.0, 260.0 / size) : 90;
  const int width = static_cast<int>(120 + cell * column_labels.size() + 20);
  const int height = static_cast<int>(70 + cell * row_labels.size() + 40);
  SvgCanvas canvas(width, height);
  canvas.title(text.title);
  const double left = 110, top = 50;
  for (size_t r = 0; r < row_labels.size(); ++r) {
    canvas.text(left - 8, top + cell * (r + 0.5) + 4, row_labels[r], 11, "end");
    for (size_t c = 0; c < column_labels.size(); ++c) {
      const double v = r < values.size() && c < values[r].size() ? values[r][c] : 0;
      const std::string caption = r < captions.size() && c < captions[r].size() ? captions[r][c] : "";
      canvas.rect(left + cell * c, top + cell * r, cell - 1, cell - 1, heat_colour(v), "#fff", caption);
      canvas.text(left + cell * (c + 0.5), top + cell * (r + 0.5) + 4, caption, cell > 60 ? 11 : 9, "middle",
                  v > 0.55 ? "#fff" : "#222");
    }
  }
  for (size_t c = 0; c < column_labels.size(); ++c) {
    canvas.text(left + cell * (c + 0.5), top + cell * row_labels.size() + 16, column_labels[c], 11, "middle");
  }
  canvas.text(left + cell * column_labels.size() / 2, top + cell * row_labels.size() + 32, text.x_label, 11,
              "middle");
  canvas.text(16, top + cell * row_labels.size() / 2, text.y_label, 11, "middle", "#222", -90);
  return canvas.str();
}

std::string scatter_chart(const ChartText& text, const std::vector<ScatterPoint>& points,
                          const std::vector<std::string>& group_names, bool x_is_time,
                          const std::vector<Series>& overlays) {
  SvgCanvas canvas(kWidth, kHeight);
  canvas.title(text.title);
  Range xs, ys;
  for (const ScatterPoint& p : points) xs.add(p.x), ys.add(p.y);
  for (const Series& s : overlays) {
    for (size_t i = 0; i < s.x.size(); ++i) xs.add(s.x[i]), ys.add(s.y[i]);
  }
  if (xs.empty()) return canvas.str();
  const LinearScale x(xs.low, xs.high, kLeft, kRight), y(ys.low, ys.high, kBottom, kTop);
  if (x_is_time) {
    // Year ticks instead of raw seconds.
    for (const double tick : y.ticks()) {
      canvas.line(kLeft, y(tick), kRight, y(tick), "#e5e5e5");
      canvas.text(kLeft - 6, y(tick) + 4, format_tick(tick), 10, "end", "#555");
    }
    int first_year = 0, last_year = 0;
    unsigned m = 0, d = 0;
    civil_from_days(static_cast<std::int64_t>(xs.low) / kSecondsPerDay, &first_year, &m, &d);
    civil_from_days(static_cast<std::int64_t>(xs.high) / kSecondsPerDay, &last_year, &m, &d);
    // Years when the data spans several; else every quarter ("2019-04"),
    // so a profile of one year still gets dates under its points.
    const bool by_year = last_year - first_year >= 2;
    for (int year = first_year; year <= last_year; ++year) {
      for (unsigned month = 1; month <= 12; month += by_year ? 12 : 3) {
        const double t = static_cast<double>(days_from_civil(year, month, 1) * kSecondsPerDay);
        if (t < xs.low || t > xs.high) continue;
        const double px = x(t);
        canvas.line(px, kBottom, px, kBottom + 4, "#555");
        canvas.text(px, kBottom + 16, by_year ? std::to_string(year) : fmt::format("{}-{:02}", year, month), 10,
                    "middle", "#555");
      }
    }
    canvas.line(kLeft, kBottom, kRight, kBottom, "#555");
    canvas.line(kLeft, kTop, kLeft, kBottom, "#555");
    canvas.text((kLeft + kRight) / 2, kBottom + 32, text.x_label, 11, "middle");
    canvas.text(kLeft - 42, (kTop + kBottom) / 2, text.y_label, 11, "middle", "#222", -90);
  } else {
    canvas.axes(x, y, kLeft, kTop, kRight, kBottom, text.x_label, text.y_label);
  }
  const double radius = points.size() > 1500 ? 1.8 : 2.6;
  for (const ScatterPoint& p : points) {
    canvas.circle(x(p.x), y(p.y), radius, series_colour(p.group), 0.7, p.tooltip);
  }
  std::vector<std::string> names = group_names;
  for (size_t k = 0; k < overlays.size(); ++k) {
    std::vector<std::pair<double, double>> line;
    for (size_t i = 0; i < overlays[k].x.size(); ++i) line.emplace_back(x(overlays[k].x[i]), y(overlays[k].y[i]));
    canvas.polyline(line, series_colour(static_cast<int>(group_names.size() + k)), 2);
    names.push_back(overlays[k].name);
  }
  legend(canvas, names);
  return canvas.str();
}

std::string histogram_chart(const ChartText& text, const std::vector<HistogramBar>& bars,
                            std::optional<double> marker, const std::string& marker_label) {
  SvgCanvas canvas(kWidth, kHeight);
  canvas.title(text.title);
  Range xs, ys;
  ys.add(0);
  for (const HistogramBar& bar : bars) xs.add(bar.from), xs.add(bar.to), ys.add(bar.count);
  if (marker) xs.add(*marker);
  if (xs.empty()) return canvas.str();
  const LinearScale x(xs.low, xs.high, kLeft, kRight), y(0, ys.high * 1.05 + 1e-9, kBottom, kTop);
  canvas.axes(x, y, kLeft, kTop, kRight, kBottom, text.x_label, text.y_label);
  for (const HistogramBar& bar : bars) {
    canvas.rect(x(bar.from), y(bar.count), x(bar.to) - x(bar.from) - 0.5, kBottom - y(bar.count), series_colour(0),
                "none", fmt::format("{:.3g} to {:.3g}: {}", bar.from, bar.to, bar.count));
  }
  if (marker) {
    canvas.line(x(*marker), kTop, x(*marker), kBottom, series_colour(1), 2, "6,3");
    // Right of the line when the label fits the canvas (10 px text, about 6
    // px a character), else left of it: a threshold at the histogram's far
    // end (verification's generous candidate bound) would be cut off.
    const double at = x(*marker);
    const bool fits_right = at + 4 + 6.0 * static_cast<double>(marker_label.size()) <= kWidth;
    canvas.text(fits_right ? at + 4 : at - 4, kTop + 12, marker_label, 10, fits_right ? "start" : "end",
                series_colour(1));
  }
  return canvas.str();
}

}  // namespace popsweep::reports
