#include "fuzz/fuzz_support.h"

#include <spdlog/spdlog.h>
#include <stdlib.h>
#include <unistd.h>
extern "C" {
#include <libavutil/log.h>
}

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <opencv2/core/utils/logger.hpp>
#include <vector>

namespace popsweep::fuzz {
namespace {

class ScratchDirectory {
 public:
  ScratchDirectory() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/popsweep-fuzz-XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    fuzz_require(mkdtemp(buffer.data()) != nullptr, "a scratch directory can be made");
    path_ = buffer.data();
  }
  ~ScratchDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

void silence_library_logs() {
  spdlog::set_level(spdlog::level::off);
  av_log_set_level(AV_LOG_QUIET);
  cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
}

const std::string& scratch_directory() {
  static const ScratchDirectory directory;
  return directory.path();
}

std::string write_scratch_file(const std::string& name, const std::uint8_t* data, std::size_t size) {
  const std::filesystem::path path = std::filesystem::path(scratch_directory()) / name;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  out.close();
  fuzz_require(static_cast<bool>(out), "the scratch file can be written");
  return path.string();
}

std::string write_scratch_file(const std::string& name, const std::string& contents) {
  return write_scratch_file(name, reinterpret_cast<const std::uint8_t*>(contents.data()), contents.size());
}

void check_tensor_records(const std::vector<nets::NamedTensorRecord>& tensors) {
  constexpr std::int64_t kLargestCopied = std::int64_t{16} << 20;  // bytes
  for (const nets::NamedTensorRecord& named : tensors) {
    const nets::TensorRecord& tensor = named.tensor;
    fuzz_require(nets::is_reasonable_shape(tensor.shape), "a tensor's shape is reasonable");
    fuzz_require(tensor.fits_in_storage(), "a tensor's view lies inside its storage");
    const std::int64_t bytes =
        tensor.element_count() * static_cast<std::int64_t>(nets::element_size(tensor.type));
    if (bytes <= kLargestCopied) {
      fuzz_require(tensor.contiguous_bytes().size() == static_cast<std::size_t>(bytes),
                   "a tensor's bytes are its elements");
    }
  }
}

void fuzz_require(bool condition, const char* promise) {
  if (condition) return;
  std::fprintf(stderr, "popsweep fuzz: broken promise: %s\n", promise);
  std::abort();
}

}  // namespace popsweep::fuzz
