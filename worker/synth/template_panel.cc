#include "worker/synth/template_panel.h"

#include <algorithm>
#include <opencv2/imgproc.hpp>
#include <string>

#include "worker/synth/synth_random.h"

namespace popsweep::synth {

void draw_text_panel(cv::Mat& picture, std::uint64_t text_seed) {
  // The layout is the template's: fixed shares of the picture's size.
  const int width = picture.cols, height = picture.rows;
  const cv::Rect panel(width / 10, height * 11 / 20, width * 8 / 10, height * 7 / 20);
  cv::rectangle(picture, panel, cv::Scalar(235, 240, 245), cv::FILLED);
  // The words are the post's: letters from its own seed, a line of text per
  // fifth of the panel, in a size that stays legible on a 128-pixel picture.
  SynthRandom random(text_seed);
  const double scale = std::max(0.3, width / 360.0);
  const int thickness = std::max(1, width / 160);
  const int line_height = panel.height / 3;
  for (int line = 0; line < 3; ++line) {
    std::string text;
    const int words = random.integer(2, 4);
    for (int w = 0; w < words; ++w) {
      if (w > 0) text += ' ';
      const int letters = random.integer(2, 6);
      for (int l = 0; l < letters; ++l) text += static_cast<char>('A' + random.integer(0, 25));
    }
    const cv::Point origin(panel.x + width / 40, panel.y + line_height * line + line_height * 4 / 5);
    cv::putText(picture, text, origin, cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar(30, 30, 30), thickness,
                cv::LINE_AA);
  }
}

}  // namespace popsweep::synth
