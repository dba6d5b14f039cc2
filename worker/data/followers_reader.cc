#include "worker/data/followers_reader.h"

#include <algorithm>
#include <map>

#include "common/csv.h"
#include "common/error.h"

namespace popsweep::data {

std::vector<FollowerSample> read_followers_csv(const std::string& path) {
  const CsvTable table = CsvTable::read_file(path, {"date", "followers"});
  if (table.records().empty()) {
    throw InputError(path, 0, "followers", "no follower samples: PoR needs at least one");
  }
  std::map<UnixSeconds, std::pair<std::int64_t, long>> by_time;  // time -> (count, line)
  for (const CsvRecord& record : table.records()) {
    const UnixSeconds at = table.timestamp(record, "date");
    const std::int64_t followers = table.integer(record, "followers");
    const auto [it, inserted] = by_time.emplace(at, std::make_pair(followers, record.line));
    if (!inserted && it->second.first != followers) {
      throw InputError(path, record.line, "date",
                       "a different follower count for the same date was given on line " +
                           std::to_string(it->second.second));
    }
  }
  std::vector<FollowerSample> samples;
  samples.reserve(by_time.size());
  for (const auto& [at, value] : by_time) samples.push_back({at, value.first});
  return samples;
}

}  // namespace popsweep::data
