// The text panel of a template post (SynthPreset::template_posts): a light
// card at the same place on every post of the template, carrying a few
// lines of words drawn from the post's own seed. Two posts of one template
// differ only there, as two quote cards or weekly announcements do.
#pragma once

#include <cstdint>
#include <opencv2/core.hpp>

namespace popsweep::synth {

// Draws the panel onto `picture` (CV_8UC3) in place.
void draw_text_panel(cv::Mat& picture, std::uint64_t text_seed);

}  // namespace popsweep::synth
