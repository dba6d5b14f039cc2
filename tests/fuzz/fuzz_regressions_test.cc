// Issue 9 (hostile input): every input saved in fuzz/regressions/<target>/
// and fuzz/corpus/<target>/ is replayed through its fuzz target
// (fuzz/fuzz_targets.h) and must be accepted, or refused with popsweep's own
// error; a crash libFuzzer found stays fixed this way. Each target also gets
// a few trivial inputs, so that a target broken by a change in its reader
// shows here, not only under libFuzzer.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/file_util.h"
#include "fuzz/fuzz_targets.h"

namespace popsweep::fuzz {
namespace {

namespace fs = std::filesystem;

const fs::path kRegressionsDirectory = fs::path(POPSWEEP_SOURCE_DIR) / "fuzz" / "regressions";
const fs::path kCorpusDirectory = fs::path(POPSWEEP_SOURCE_DIR) / "fuzz" / "corpus";

std::vector<std::string> target_names() {
  std::vector<std::string> names;
  for (const FuzzTarget& target : fuzz_targets()) names.push_back(target.name);
  return names;
}

const FuzzTarget& target_named(const std::string& name) {
  for (const FuzzTarget& target : fuzz_targets()) {
    if (target.name == name) return target;
  }
  throw std::invalid_argument("no fuzz target " + name);
}

void run(const FuzzTarget& target, const std::vector<std::uint8_t>& input) {
  target.run(input.data(), input.size());
}

class FuzzRegressions : public ::testing::TestWithParam<std::string> {};

// The inputs saved for a target: the crashes once found (fuzz/regressions/)
// and the committed corpus of real, valid and damaged files (fuzz/corpus/,
// written by fuzz/make_seeds.py --corpus), sorted so a failure repeats in the
// same order.
std::set<fs::path> saved_inputs(const std::string& target) {
  std::set<fs::path> inputs;
  for (const fs::path& folder : {kRegressionsDirectory, kCorpusDirectory}) {
    if (!fs::is_directory(folder / target)) continue;
    for (const fs::directory_entry& entry : fs::directory_iterator(folder / target)) {
      if (entry.is_regular_file() && entry.path().filename() != "README.md") inputs.insert(entry.path());
    }
  }
  return inputs;
}

TEST_P(FuzzRegressions, SavedInputsAreAcceptedOrRefused) {
  const FuzzTarget& target = target_named(GetParam());
  const std::set<fs::path> inputs = saved_inputs(target.name);
  // Issue 24: a target without inputs used to skip here, quietly testing nothing.
  ASSERT_GE(inputs.size(), 3u) << "fuzz/corpus/" << target.name
                               << " should hold a valid input and damaged copies (fuzz/make_seeds.py --corpus)";
  for (const fs::path& input : inputs) {
    SCOPED_TRACE(input.string());
    run(target, read_binary_file(input.string()));
  }
}

TEST_P(FuzzRegressions, TrivialInputsAreAcceptedOrRefused) {
  const FuzzTarget& target = target_named(GetParam());
  std::mt19937 random(7);
  std::vector<std::uint8_t> noise(512);
  for (std::uint8_t& byte : noise) byte = static_cast<std::uint8_t>(random());
  for (const std::vector<std::uint8_t>& input : {std::vector<std::uint8_t>{}, std::vector<std::uint8_t>{0},
                                                 std::vector<std::uint8_t>(64, 0xff), noise}) {
    SCOPED_TRACE(input.size());
    run(target, input);
  }
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzRegressions, ::testing::ValuesIn(target_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

// A folder whose name matches no target would be silently skipped.
TEST(FuzzRegressionsFolders, EveryFolderNamesATarget) {
  const std::vector<std::string> names = target_names();
  for (const fs::path& folder : {kRegressionsDirectory, kCorpusDirectory}) {
    if (!fs::is_directory(folder)) continue;
    for (const fs::directory_entry& entry : fs::directory_iterator(folder)) {
      if (!entry.is_directory()) continue;
      const std::string name = entry.path().filename().string();
      EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << folder << "/" << name;
    }
  }
}

// scripts/fuzz builds one fuzzer per fuzz/<name>_fuzzer.cc; each must be in
// the table too, or its saved inputs would never be replayed here.
TEST(FuzzRegressionsFolders, EveryFuzzerIsInTheTable) {
  const std::vector<std::string> names = target_names();
  for (const fs::directory_entry& entry : fs::directory_iterator(kRegressionsDirectory.parent_path())) {
    const std::string file = entry.path().filename().string();
    const std::string suffix = "_fuzzer.cc";
    if (file.size() <= suffix.size() || file.compare(file.size() - suffix.size(), suffix.size(), suffix) != 0)
      continue;
    const std::string name = file.substr(0, file.size() - suffix.size());
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << "fuzz/" << file;
  }
}

}  // namespace
}  // namespace popsweep::fuzz
