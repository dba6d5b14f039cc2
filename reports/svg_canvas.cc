#include "reports/svg_canvas.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace popsweep::reports {

std::string escape_xml(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

LinearScale::LinearScale(double data_low, double data_high, double pixel_low, double pixel_high)
    : low_(data_low), high_(data_high), pixel_low_(pixel_low), pixel_high_(pixel_high) {
  if (!(high_ > low_)) {
    // A flat range still needs room to draw.
    const double pad = std::max(1e-9, std::fabs(low_) * 0.05 + 0.5);
    low_ -= pad;
    high_ += pad;
  }
}

double LinearScale::operator()(double value) const {
  return pixel_low_ + (value - low_) / (high_ - low_) * (pixel_high_ - pixel_low_);
}

std::vector<double> LinearScale::ticks(int approximate_count) const {
  const double raw_step = (high_ - low_) / std::max(1, approximate_count);
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw_step)));
  double step = magnitude;
  for (const double factor : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    step = factor * magnitude;
    if (step >= raw_step) break;
  }
  std::vector<double> ticks;
  for (double tick = std::ceil(low_ / step) * step; tick <= high_ + step * 1e-9; tick += step) {
    ticks.push_back(std::fabs(tick) < step * 1e-9 ? 0.0 : tick);
  }
  return ticks;
}

std::string format_tick(double value) {
  if (value != 0 && (std::fabs(value) >= 1e5 || std::fabs(value) < 1e-3)) return fmt::format("{:.2g}", value);
  return fmt::format("{:.6g}", value);
}

SvgCanvas::SvgCanvas(int width, int height) : width_(width), height_(height) {}

void SvgCanvas::line(double x1, double y1, double x2, double y2, const std::string& stroke, double width,
                     const std::string& dash) {
  body_ += fmt::format(R"(<line x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}" stroke="{}" stroke-width="{}"{}/>)",
                       x1, y1, x2, y2, stroke, width, dash.empty() ? "" : " stroke-dasharray=\"" + dash + "\"");
  body_ += "\n";
}

void SvgCanvas::rect(double x, double y, double w, double h, const std::string& fill, const std::string& stroke,
                     const std::string& title) {
  body_ += fmt::format(R"(<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="{}" stroke="{}">)", x, y,
                       std::max(0.0, w), std::max(0.0, h), fill, stroke);
  if (!title.empty()) body_ += "<title>" + escape_xml(title) + "</title>";
  body_ += "</rect>\n";
}

void SvgCanvas::circle(double x, double y, double r, const std::string& fill, double opacity,
                       const std::string& title) {
  body_ += fmt::format(R"(<circle cx="{:.1f}" cy="{:.1f}" r="{:.1f}" fill="{}" fill-opacity="{:.2f}">)", x, y, r,
                       fill, opacity);
  if (!title.empty()) body_ += "<title>" + escape_xml(title) + "</title>";
  body_ += "</circle>\n";
}

void SvgCanvas::polyline(const std::vector<std::pair<double, double>>& points, const std::string& stroke,
                         double width) {
  std::string list;
  for (const auto& [x, y] : points) list += fmt::format("{:.1f},{:.1f} ", x, y);
  body_ += fmt::format(R"(<polyline points="{}" fill="none" stroke="{}" stroke-width="{}"/>)", list, stroke, width);
  body_ += "\n";
}

void SvgCanvas::polygon(const std::vector<std::pair<double, double>>& points, const std::string& fill,
                        double opacity) {
  std::string list;
  for (const auto& [x, y] : points) list += fmt::format("{:.1f},{:.1f} ", x, y);
  body_ += fmt::format(R"(<polygon points="{}" fill="{}" fill-opacity="{:.2f}" stroke="none"/>)", list, fill, opacity);
  body_ += "\n";
}

void SvgCanvas::text(double x, double y, const std::string& content, int size, const std::string& anchor,
                     const std::string& fill, double rotate, bool bold) {
  const std::string transform =
      rotate != 0 ? fmt::format(R"svg( transform="rotate({} {:.1f} {:.1f})")svg", rotate, x, y) : std::string();
  body_ += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" font-size="{}" text-anchor="{}" fill="{}"{}{}>{}</text>)", x, y,
                       size, anchor, fill, transform, bold ? R"( font-weight="bold")" : "", escape_xml(content));
  body_ += "\n";
}

void SvgCanvas::axes(const LinearScale& x, const LinearScale& y, double left, double top, double right, double bottom,
                     const std::string& x_label, const std::string& y_label) {
  for (const double tick : y.ticks()) {
    const double py = y(tick);
    line(left, py, right, py, "#e5e5e5");
    text(left - 6, py + 4, format_tick(tick), 10, "end", "#555");
  }
  for (const double tick : x.ticks()) {
    const double px = x(tick);
    line(px, bottom, px, bottom + 4, "#555");
    text(px, bottom + 16, format_tick(tick), 10, "middle", "#555");
  }
  line(left, bottom, right, bottom, "#555");
  line(left, top, left, bottom, "#555");
  text((left + right) / 2, bottom + 32, x_label, 11, "middle");
  text(left - 42, (top + bottom) / 2, y_label, 11, "middle", "#222", -90);
}

namespace {

constexpr int kTitleSize = 13;
constexpr double kTitleLineHeight = 16;
// The widest a bold 13 px sans-serif character gets on average in our
// titles (measured in Chromium: about 7.6 px), with room to spare.
constexpr double kTitleCharacterWidth = 8.0;

// Characters, not bytes ("±" is two bytes and one character).
std::size_t characters(const std::string& text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

}  // namespace

std::vector<std::string> wrap_words(const std::string& text, std::size_t max_characters) {
  std::vector<std::string> lines;
  std::string line;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find(' ', start), text.size());
    const std::string word = text.substr(start, end - start);
    if (!line.empty() && characters(line) + 1 + characters(word) > max_characters) {
      lines.push_back(line);
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
    start = end + 1;
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

void SvgCanvas::title(const std::string& content) {
  const double room = std::max(1.0, (width_ - 16) / kTitleCharacterWidth);
  title_lines_ = wrap_words(content, static_cast<std::size_t>(room));
}

std::string SvgCanvas::str() const {
  const double extra = kTitleLineHeight * static_cast<double>(std::max<std::size_t>(title_lines_.size(), 1) - 1);
  const int height = height_ + static_cast<int>(extra);
  std::string svg = fmt::format(
      R"(<svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" viewBox="0 0 {0} {1}" font-family="sans-serif">)",
      width_, height) + "\n";
  for (std::size_t i = 0; i < title_lines_.size(); ++i) {
    svg += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" font-size="{}" text-anchor="middle" fill="#111" font-weight="bold">{}</text>)",
                       width_ / 2.0, 18 + kTitleLineHeight * static_cast<double>(i), kTitleSize,
                       escape_xml(title_lines_[i]));
    svg += "\n";
  }
  if (extra > 0) {
    return svg + fmt::format(R"svg(<g transform="translate(0 {:.0f})">)svg", extra) + "\n" + body_ + "</g>\n</svg>\n";
  }
  return svg + body_ + "</svg>\n";
}

const std::string& series_colour(int index) {
  static const std::string kPalette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                         "#E69F00", "#56B4E9", "#F0E442", "#000000"};
  return kPalette[static_cast<size_t>(std::abs(index)) % 8];
}

std::string heat_colour(double value) {
  const double v = std::clamp(value, 0.0, 1.0);
  const int r = static_cast<int>(std::lround(247 - v * (247 - 8)));
  const int g = static_cast<int>(std::lround(251 - v * (251 - 69)));
  const int b = static_cast<int>(std::lround(255 - v * (255 - 148)));
  return fmt::format("#{:02x}{:02x}{:02x}", r, g, b);
}

}  // namespace popsweep::reports
