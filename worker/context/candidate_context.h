// The context vector of a post not yet published (`popsweep predict` with a
// context model, issue 18): the candidate is placed on the profile's
// timeline at its planned time and gets exactly the vector compute_context
// would give it, so a model scores it as it scored the profile's own posts.
#pragma once

#include <string>
#include <vector>

#include "worker/context/context_inputs.h"

namespace popsweep::context {

struct CandidatePost {
  UnixSeconds posted_at = 0;  // the planned publication time
  std::string caption;
  int carousel_size = 1;      // media items of the planned post
  int carousel_position = 0;  // the candidate file's index in it, from 0
  bool is_video = false;
};

// One value per context_feature_names() (NaN = missing). Throws ConfigError
// for a carousel size outside 1..20 or a position outside the carousel.
std::vector<double> candidate_context(const ContextInputs& profile, const CandidatePost& candidate,
                                      const ContextSettings& settings);

}  // namespace popsweep::context
