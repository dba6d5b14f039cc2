// Standard base64 (RFC 4648, with padding), for data: URIs that keep a
// report's pictures inside the one HTML file.
#pragma once

#include <string>

namespace popsweep {

std::string base64_encode(const std::string& bytes);

}  // namespace popsweep
