#include "orchestrator/stream_framing.h"

#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "common/error.h"

namespace popsweep::orchestrator {
namespace {

// A frame larger than this is a corrupt length, not a message.
constexpr std::uint64_t kMaxFrameBytes = std::uint64_t{16} << 30;

void write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t written = ::write(fd, data, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        usleep(1000);
        continue;
      }
      throw Error(std::string("cannot write to peer: ") + std::strerror(errno));
    }
    data += written;
    size -= static_cast<size_t>(written);
  }
}

}  // namespace

void write_frame(int fd, const Message& message) {
  const std::string payload = encode_message(message);
  char length[8];
  const std::uint64_t size = payload.size();
  for (int i = 0; i < 8; ++i) length[i] = static_cast<char>((size >> (8 * i)) & 0xff);
  write_all(fd, length, sizeof length);
  write_all(fd, payload.data(), payload.size());
}

bool FrameReader::fill(int fd) {
  char chunk[1 << 16];
  for (;;) {
    const ssize_t got = ::read(fd, chunk, sizeof chunk);
    if (got > 0) {
      buffer_.append(chunk, static_cast<size_t>(got));
      if (static_cast<size_t>(got) < sizeof chunk) return true;
      continue;
    }
    if (got == 0) return false;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
    return false;  // ECONNRESET and friends: the peer is gone
  }
}

std::optional<Message> FrameReader::next() {
  if (buffer_.size() < 8) return std::nullopt;
  std::uint64_t size = 0;
  for (int i = 0; i < 8; ++i) size |= static_cast<std::uint64_t>(static_cast<unsigned char>(buffer_[static_cast<size_t>(i)])) << (8 * i);
  if (size > kMaxFrameBytes) throw Error("malformed frame length from peer");
  if (buffer_.size() < 8 + size) return std::nullopt;
  Message message = decode_message(buffer_.substr(8, static_cast<size_t>(size)));
  buffer_.erase(0, static_cast<size_t>(8 + size));
  return message;
}

}  // namespace popsweep::orchestrator
