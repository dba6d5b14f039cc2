// The one error media decoding throws: a picture or video we cannot turn into
// pixels. It is an InputError (bad data from outside), so callers that already
// record bad input on a post treat an unreadable file the same way.
#pragma once

#include <string>
#include <utility>

#include "common/error.h"

namespace popsweep::media {

class MediaError : public InputError {
 public:
  // Reads "<file>: <reason>", e.g. "posts/123.jpg: truncated (no end-of-image marker)".
  MediaError(std::string file, const std::string& reason) : InputError(std::move(file), 0, "", reason) {}
};

}  // namespace popsweep::media
