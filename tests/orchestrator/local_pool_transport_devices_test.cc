// The local pool starts worker i with `--device devices[i mod size]`
// (issue 24: a pool spreads over the visible GPUs; device_assignment_test.cc
// checks which device each worker is given). Kept apart from
// local_pool_transport_test.cc, which runs real workers.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "orchestrator/local_pool_transport.h"
#include "tests/support/temp_dir.h"

namespace popsweep::orchestrator {
namespace {

// The first line of `path` once a worker has written it (they write a
// temporary file and rename it, so a file seen is complete).
std::string first_line_when_written(const std::string& path) {
  for (int i = 0; i < 1000 && !std::ifstream(path); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// A "worker" that writes its first arguments after the script's own to
// `file`, then exits.
WorkerCommand argument_recorder(const std::string& file) {
  return {"/bin/sh",
          {"-c", "printf '%s %s' \"$1\" \"$2\" > " + file + ".tmp && mv " + file + ".tmp " + file, "sh"},
          {}};
}

TEST(LocalPoolTransportDevices, WorkerIGetsTheIthDeviceInTurn) {
  testing::TempDir dir;
  // Named by the worker's pid, so each line is known to be worker i's.
  const WorkerCommand command = argument_recorder(dir.file("seen.$$"));
  std::vector<std::string> lines;
  {
    LocalPoolTransport pool(3, command, {"cuda:0", "cuda:1"});
    for (int worker = 0; worker < 3; ++worker) {
      lines.push_back(first_line_when_written(dir.file("seen." + std::to_string(pool.pid_of(worker)))));
    }
  }
  EXPECT_EQ(lines, (std::vector<std::string>{"--device cuda:0", "--device cuda:1", "--device cuda:0"}));
}

TEST(LocalPoolTransportDevices, NoDevicesNoFlag) {
  testing::TempDir dir;
  {
    LocalPoolTransport pool(1, argument_recorder(dir.file("seen")));
    EXPECT_EQ(first_line_when_written(dir.file("seen")), "--channel-fd 3");
  }
}

}  // namespace
}  // namespace popsweep::orchestrator
