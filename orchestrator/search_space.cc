#include "orchestrator/search_space.h"

#include <algorithm>
#include <cmath>

namespace popsweep::orchestrator {

const char* to_string(SearchRange range) {
  switch (range) {
    case SearchRange::Uniform:
      return "uniform";
    case SearchRange::LogUniform:
      return "loguniform";
    case SearchRange::Integer:
      return "int";
    case SearchRange::Choice:
      return "choice";
  }
  return "?";
}

SpecValue value_at(const SearchDimension& d, double u) {
  u = std::clamp(u, 0.0, std::nextafter(1.0, 0.0));
  switch (d.range) {
    case SearchRange::Uniform:
      return d.low + u * (d.high - d.low);
    case SearchRange::LogUniform: {
      const double value = std::exp(std::log(d.low) + u * (std::log(d.high) - std::log(d.low)));
      if (!d.integer_key) return std::clamp(value, d.low, d.high);
      return static_cast<std::int64_t>(std::clamp(std::round(value), d.low, d.high));
    }
    case SearchRange::Integer: {
      const double count = d.high - d.low + 1;
      const auto value = static_cast<std::int64_t>(d.low + std::min(std::floor(u * count), count - 1));
      if (d.integer_key) return value;
      return static_cast<double>(value);
    }
    case SearchRange::Choice:
      return d.choices[std::min(d.choices.size() - 1,
                                static_cast<size_t>(u * static_cast<double>(d.choices.size())))];
  }
  return 0.0;
}

double unit_coordinate(const SearchDimension& d, const SpecValue& value) {
  auto number = [](const SpecValue& v) {
    if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
    return std::get<double>(v);
  };
  switch (d.range) {
    case SearchRange::Uniform:
      return d.high > d.low ? (number(value) - d.low) / (d.high - d.low) : 0.5;
    case SearchRange::LogUniform:
      return d.high > d.low
                 ? (std::log(number(value)) - std::log(d.low)) / (std::log(d.high) - std::log(d.low))
                 : 0.5;
    case SearchRange::Integer:
      return (number(value) - d.low + 0.5) / (d.high - d.low + 1);
    case SearchRange::Choice: {
      const auto at = std::find(d.choices.begin(), d.choices.end(), value);
      return (static_cast<double>(at - d.choices.begin()) + 0.5) / static_cast<double>(d.choices.size());
    }
  }
  return 0.5;
}

std::string search_dimension_problem(const SearchDimension& d) {
  const std::string range = std::string("{") + to_string(d.range) + ": [a, b]}";
  if (d.range == SearchRange::Choice)
    return d.choices.empty() ? "{choice: []} has nothing to choose from" : "";
  if (!std::isfinite(d.low) || !std::isfinite(d.high)) return range + " needs two finite numbers";
  if (d.low > d.high) return range + " needs a <= b";
  if (d.range == SearchRange::LogUniform && d.low <= 0) return range + " is a log range: a must be above 0";
  if (d.range == SearchRange::Integer && (d.low != std::floor(d.low) || d.high != std::floor(d.high))) {
    return range + " needs whole numbers";
  }
  return "";
}

}  // namespace popsweep::orchestrator
