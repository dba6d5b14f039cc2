#include "fuzz/fuzz_targets.h"

namespace popsweep::fuzz {

const std::vector<FuzzTarget>& fuzz_targets() {
  static const std::vector<FuzzTarget> targets = {
      {"posts_csv", fuzz_posts_csv},
      {"followers_csv", fuzz_followers_csv},
      {"exclusion_csv", fuzz_exclusion_csv},
      {"instaloader_json", fuzz_instaloader_json},
      {"xz", fuzz_xz},
      {"spec_yaml", fuzz_spec_yaml},
      {"torch_archive", fuzz_torch_archive},
      {"state_dict_pickle", fuzz_state_dict_pickle},
      {"safetensors", fuzz_safetensors},
      {"tflite", fuzz_tflite},
      {"image", fuzz_image},
      {"video", fuzz_video},
  };
  return targets;
}

}  // namespace popsweep::fuzz
