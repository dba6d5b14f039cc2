// Captions as ingest keeps them: valid UTF-8 in Unicode normalisation form C
// (what Instaloader's Post.caption returns). One spelling per caption means its length in code points does
// not depend on whether an editor wrote "é" as one code point or as "e" + U+0301.
#pragma once

#include <string>

namespace popsweep::data {

// Byte sequences that are not UTF-8 become U+FFFD (the replacement
// character), one per maximal invalid subsequence, as ICU converts them.
std::string normalise_caption(const std::string& text);

}  // namespace popsweep::data
