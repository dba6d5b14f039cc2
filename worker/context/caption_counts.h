// What the context features read from a caption: its length in Unicode code
// points and how many hashtags and mentions it holds. The rules are written
// out in docs/METHOD.md (context features); a test recomputes them with
// Python's unicodedata on awkward captions (emoji, combining marks, newlines,
// 10,000 characters).
#pragma once

#include <string>

namespace popsweep::context {

struct CaptionCounts {
  long characters = 0;  // code points; an invalid UTF-8 sequence counts as one (U+FFFD)
  long hashtags = 0;    // '#' after a non-word code point (or at the start) and before a word code point
  long mentions = 0;    // '@' after a non-word code point (or at the start) and before [A-Za-z0-9_]
};

// A word code point: a letter (general category L*), a decimal digit (Nd) or '_'.
bool is_word_code_point(int code_point);

CaptionCounts count_caption(const std::string& utf8_text);

}  // namespace popsweep::context
