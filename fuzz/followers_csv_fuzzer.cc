// followers.csv (`date,followers`), and the M2 follower curve built from what
// it holds, evaluated inside, between and far outside the samples as labels
// are.
#include <cmath>

#include "fuzz/fuzz_support.h"
#include "fuzz/fuzz_targets.h"
#include "worker/data/follower_curve.h"
#include "worker/data/followers_reader.h"

namespace popsweep::fuzz {

void fuzz_followers_csv(const std::uint8_t* data, std::size_t size) {
  const std::string path = write_scratch_file("followers.csv", data, size);
  accept_or_refuse([&] {
    const std::vector<data::FollowerSample> samples = data::read_followers_csv(path);
    fuzz_require(!samples.empty(), "a followers file has samples");
    for (std::size_t i = 1; i < samples.size(); ++i) {
      fuzz_require(samples[i - 1].at < samples[i].at, "samples are sorted by time, one per time");
    }
    const data::FollowerCurve curve(samples, 3);
    const UnixSeconds first = curve.first_sample_time();
    const UnixSeconds last = curve.last_sample_time();
    for (const UnixSeconds t : {first - 400 * kSecondsPerDay, first, first + (last - first) / 3, last,
                                last + 400 * kSecondsPerDay}) {
      const data::FollowerEstimate estimate = curve.at(t);
      fuzz_require(!std::isnan(estimate.followers) && estimate.followers >= 0,
                   "a follower estimate is a number, not negative");
    }
  });
}

}  // namespace popsweep::fuzz
