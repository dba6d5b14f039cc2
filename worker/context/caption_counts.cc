#include "worker/context/caption_counts.h"

#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <vector>

namespace popsweep::context {
namespace {

bool is_ascii_username_start(int code_point) {
  return (code_point >= 'a' && code_point <= 'z') || (code_point >= 'A' && code_point <= 'Z') ||
         (code_point >= '0' && code_point <= '9') || code_point == '_';
}

std::vector<int> code_points_of(const std::string& utf8_text) {
  const icu::UnicodeString text = icu::UnicodeString::fromUTF8(utf8_text);
  std::vector<int> code_points;
  code_points.reserve(static_cast<size_t>(text.length()));
  for (int32_t i = 0; i < text.length(); i = text.moveIndex32(i, 1)) code_points.push_back(text.char32At(i));
  return code_points;
}

}  // namespace

bool is_word_code_point(int code_point) {
  if (code_point == '_') return true;
  const int8_t category = u_charType(code_point);
  return category == U_UPPERCASE_LETTER || category == U_LOWERCASE_LETTER || category == U_TITLECASE_LETTER ||
         category == U_MODIFIER_LETTER || category == U_OTHER_LETTER || category == U_DECIMAL_DIGIT_NUMBER;
}

CaptionCounts count_caption(const std::string& utf8_text) {
  const std::vector<int> code_points = code_points_of(utf8_text);
  CaptionCounts counts;
  counts.characters = static_cast<long>(code_points.size());
  for (size_t i = 0; i + 1 < code_points.size(); ++i) {
    // "mail@example.com" and "a#b" are not tags: the sign must start a token.
    if (i > 0 && is_word_code_point(code_points[i - 1])) continue;
    const int next = code_points[i + 1];
    if (code_points[i] == '#' && is_word_code_point(next)) ++counts.hashtags;
    if (code_points[i] == '@' && is_ascii_username_start(next)) ++counts.mentions;
  }
  return counts;
}

}  // namespace popsweep::context
