// An experiment spec (YAML) and command-line overrides, through everything a
// run does with them before any job: parse and validate, expand the sweep,
// and build the typed spec of every point. Overrides, one a line, follow a
// line `#overrides` in the input.
#include "fuzz/fuzz_support.h"
#include "fuzz/fuzz_targets.h"
#include "orchestrator/spec.h"
#include "orchestrator/spec_loader.h"

namespace popsweep::fuzz {
namespace {

void split_overrides(const std::string& input, std::string* yaml, std::vector<std::string>* overrides) {
  const std::string marker = "#overrides\n";
  const std::size_t at = input.find(marker);
  *yaml = input.substr(0, at);
  if (at == std::string::npos) return;
  std::size_t begin = at + marker.size();
  while (begin < input.size()) {
    std::size_t end = input.find('\n', begin);
    if (end == std::string::npos) end = input.size();
    overrides->push_back(input.substr(begin, end - begin));
    begin = end + 1;
  }
}

}  // namespace

void fuzz_spec_yaml(const std::uint8_t* data, std::size_t size) {
  std::string yaml;
  std::vector<std::string> overrides;
  split_overrides(std::string(reinterpret_cast<const char*>(data), size), &yaml, &overrides);
  accept_or_refuse([&] {
    const orchestrator::LoadedSpec spec = orchestrator::parse_spec_text(yaml, "fuzz.yaml", overrides);
    const std::vector<orchestrator::SpecValues> points = orchestrator::expand_sweep_points(spec);
    fuzz_require(!points.empty() && points.size() <= orchestrator::kMaxSweepPoints,
                 "a sweep has at least one point and at most kMaxSweepPoints");
    for (const orchestrator::SpecValues& point : points) orchestrator::make_spec(point, spec.source);
  });
}

}  // namespace popsweep::fuzz
