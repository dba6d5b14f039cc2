// What the coordinator and its workers say to each other: a JSON header (the
// message type and its fields) plus binary attachments (features,
// checkpoints) that would be wasteful as JSON. The same bytes travel over
// pipes (local pool) and MPI.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace popsweep::orchestrator {

struct Message {
  nlohmann::json header;
  std::vector<std::string> blobs;

  std::string type() const { return header.value("type", std::string()); }
};

Message make_message(const std::string& type, nlohmann::json fields = nlohmann::json::object());

// Layout: "PSW1", u32 header length, header (JSON), u32 blob count, then per
// blob a u64 length and its bytes; integers little-endian.
std::string encode_message(const Message& message);
// Throws Error on malformed bytes (never reads out of bounds).
Message decode_message(const std::string& bytes);

// Attachments of float32 arrays.
std::string floats_to_blob(const std::vector<float>& values);
std::vector<float> blob_to_floats(const std::string& blob);

}  // namespace popsweep::orchestrator
