// Length-prefixed messages over a byte stream (a socket to a local worker):
// an 8-byte little-endian length, then the encoded message.
#pragma once

#include <optional>
#include <string>

#include "orchestrator/message.h"

namespace popsweep::orchestrator {

// Writes the whole frame, retrying on EINTR and short writes. Throws Error
// when the peer is gone.
void write_frame(int fd, const Message& message);

// Accumulates bytes read from a non-blocking stream and yields whole frames.
class FrameReader {
 public:
  // Reads what is available. Returns false at end of stream (peer closed).
  bool fill(int fd);
  // The next complete message, if one has arrived.
  std::optional<Message> next();

 private:
  std::string buffer_;
};

}  // namespace popsweep::orchestrator
