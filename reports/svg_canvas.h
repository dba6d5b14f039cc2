// A minimal SVG writer for the report's charts: primitives, escaped text,
// and linear axes with "nice" ticks. Charts are inline SVG in report.html,
// so a report is one self-contained file that needs no network or script.
#pragma once

#include <string>
#include <vector>

namespace popsweep::reports {

std::string escape_xml(const std::string& text);

// Maps a data range onto a pixel range, with ticks at round numbers.
class LinearScale {
 public:
  LinearScale(double data_low, double data_high, double pixel_low, double pixel_high);
  double operator()(double value) const;
  std::vector<double> ticks(int approximate_count = 5) const;
  double low() const { return low_; }
  double high() const { return high_; }

 private:
  double low_, high_, pixel_low_, pixel_high_;
};

std::string format_tick(double value);

class SvgCanvas {
 public:
  SvgCanvas(int width, int height);
  void line(double x1, double y1, double x2, double y2, const std::string& stroke, double width = 1,
            const std::string& dash = "");
  void rect(double x, double y, double w, double h, const std::string& fill, const std::string& stroke = "none",
            const std::string& title = "");
  void circle(double x, double y, double r, const std::string& fill, double opacity = 1,
              const std::string& title = "");
  void polyline(const std::vector<std::pair<double, double>>& points, const std::string& stroke, double width = 1.5);
  void polygon(const std::vector<std::pair<double, double>>& points, const std::string& fill, double opacity);
  // anchor: start, middle, end
  void text(double x, double y, const std::string& content, int size = 11, const std::string& anchor = "start",
            const std::string& fill = "#222", double rotate = 0, bool bold = false);
  // Axes along the plot area's left and bottom edges, with ticks and labels.
  void axes(const LinearScale& x, const LinearScale& y, double left, double top, double right, double bottom,
            const std::string& x_label, const std::string& y_label);
  // Centred at the top, wrapped onto as many lines as the width needs; each
  // line after the first makes the picture taller and moves the rest down,
  // so a long title (a sweep point, an experiment) is never cut off.
  void title(const std::string& text);
  std::string str() const;

 private:
  int width_, height_;
  std::vector<std::string> title_lines_;
  std::string body_;
};

// `text` split at spaces into lines of at most `max_characters` (a longer
// word stays whole on its own line).
std::vector<std::string> wrap_words(const std::string& text, std::size_t max_characters);

// A colour-blind-safe palette (Okabe and Ito) for classes and series.
const std::string& series_colour(int index);
// White to deep blue, for heatmap cells with a value in [0, 1].
std::string heat_colour(double value);

}  // namespace popsweep::reports
