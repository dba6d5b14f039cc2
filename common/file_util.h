// Whole-file reads and writes, and atomic replacement, with errors that name
// the path.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace popsweep {

std::string read_text_file(const std::string& path);
std::vector<std::uint8_t> read_binary_file(const std::string& path);

// Writes to `path.tmp-<pid>` then renames over `path`, so a reader never sees
// a half-written file and a crash leaves the old file intact.
void write_file_atomically(const std::string& path, const std::string& contents);

bool file_exists(const std::string& path);
std::int64_t file_size(const std::string& path);

// Joins a base directory and a relative path; an absolute `relative` wins.
std::string join_path(const std::string& base, const std::string& relative);

}  // namespace popsweep
