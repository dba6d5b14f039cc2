// The one place where LibTorch's c10d differs between the versions popsweep
// builds against: Debian 12's LibTorch 1.13 and Debian 13's 2.6. In 1.13,
// ProcessGroupGloo derives from c10d::ProcessGroup; in 2.x it derives from
// c10d::Backend (behind a ProcessGroup front that popsweep does not need),
// with the same constructor and allreduce, so only the store's options
// differ: 2.x added a libuv server, on by default from 2.4, which a
// LibTorch built without libuv cannot start.
// Included only by process_group.cc, compiled with USE_DISTRIBUTED and
// USE_C10D_GLOO (CMakeLists.txt), without which the c10d headers hide Gloo.
#pragma once

#include <torch/version.h>

#include <chrono>
#include <cstdint>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

namespace popsweep::train::c10d_version {

inline c10d::TCPStoreOptions store_options(bool server, std::uint16_t port, int ranks,
                                           std::chrono::milliseconds timeout) {
  c10d::TCPStoreOptions options;
  options.port = port;
  options.isServer = server;
  options.numWorkers = static_cast<std::size_t>(ranks);
  options.waitWorkers = false;  // the server's rank must announce its port before the others can come
  options.timeout = timeout;
#if TORCH_VERSION_MAJOR >= 2
  options.useLibUV = false;
#endif
  return options;
}

}  // namespace popsweep::train::c10d_version
