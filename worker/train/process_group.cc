#include "worker/train/process_group.h"

#include "common/error.h"
#include "worker/train/c10d_version.h"

#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

namespace popsweep::train {
namespace {

// Any c10d group with the common allreduce (Gloo and NCCL alike).
template <typename Group>
class ProcessGroupCollective : public Collective {
 public:
  ProcessGroupCollective(c10::intrusive_ptr<c10d::Store> store, c10::intrusive_ptr<Group> group, int rank,
                         int size)
      : store_(std::move(store)), group_(std::move(group)), rank_(rank), size_(size) {}
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void all_reduce_sum(torch::Tensor& values) override {
    std::vector<at::Tensor> tensors{values};
    try {
      group_->allreduce(tensors)->wait();
    } catch (const c10::Error& error) {
      throw failed(error.what_without_backtrace());
    } catch (const std::exception& error) {  // Gloo's own (a peer's socket closed)
      throw failed(error.what());
    }
  }

 private:
  Error failed(const std::string& why) const {
    return Error("all-reduce on gang rank " + std::to_string(rank_) + " of " + std::to_string(size_) +
                 " failed (a rank died or timed out): " + why);
  }

  c10::intrusive_ptr<c10d::Store> store_;  // rank 0's server must outlive the group
  c10::intrusive_ptr<Group> group_;
  int rank_;
  int size_;
};

}  // namespace

std::string collective_backend_for(const GangMembership& membership) {
  [[maybe_unused]] const bool on_gpu = membership.device.rfind("cuda", 0) == 0;
  if (membership.backend == "gloo") return "gloo";
  if (membership.backend == "auto") {
#ifdef USE_C10D_NCCL
    return on_gpu ? "nccl" : "gloo";
#else
    return "gloo";
#endif
  }
  if (membership.backend != "nccl") {
    throw ConfigError("run.collective_backend: '" + membership.backend + "' is not auto, gloo or nccl");
  }
#ifndef USE_C10D_NCCL
  throw ConfigError(
      "run.collective_backend is nccl, but this popsweep was built against a LibTorch without NCCL "
      "(build against a CUDA LibTorch, or use gloo or auto)");
#else
  if (!on_gpu)
    throw ConfigError("run.collective_backend is nccl, but the worker runs on " + membership.device);
  return "nccl";
#endif
}

std::unique_ptr<Collective> join_gang(const GangMembership& membership,
                                      const std::function<void(std::uint16_t port)>& announce) {
  if (membership.size < 1 || membership.rank < 0 || membership.rank >= membership.size) {
    throw Error("gang: rank " + std::to_string(membership.rank) + " of " + std::to_string(membership.size));
  }
  const std::string backend = collective_backend_for(membership);
  const bool server = membership.rank == 0;
  c10::intrusive_ptr<c10d::Store> store;
  try {
    auto tcp = c10::make_intrusive<c10d::TCPStore>(
        membership.host, c10d_version::store_options(server, server ? 0 : membership.port, membership.size,
                                                     membership.timeout));
    if (server) announce(tcp->getPort());
    store = tcp;
  } catch (const c10::Error& error) {
    // Rank 0 opens the store on a port the system chooses: there is no port to name yet.
    const std::string where = server ? "opening the rendezvous store on " + membership.host
                                     : "reaching the rendezvous store at " + membership.host + ":" +
                                           std::to_string(membership.port);
    throw Error("gang rank " + std::to_string(membership.rank) + ": " + where +
                " failed: " + error.what_without_backtrace());
  }
  try {
#ifdef USE_C10D_NCCL
    if (backend == "nccl") {
      auto options = c10d::ProcessGroupNCCL::Options::create();
      options->timeout = membership.timeout;
      auto group =
          c10::make_intrusive<c10d::ProcessGroupNCCL>(store, membership.rank, membership.size, options);
      return std::make_unique<ProcessGroupCollective<c10d::ProcessGroupNCCL>>(store, group, membership.rank,
                                                                              membership.size);
    }
#endif
    auto options = c10d::ProcessGroupGloo::Options::create(membership.timeout);
    options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(
        membership.bind.empty() ? membership.host : membership.bind));
    auto group =
        c10::make_intrusive<c10d::ProcessGroupGloo>(store, membership.rank, membership.size, options);
    return std::make_unique<ProcessGroupCollective<c10d::ProcessGroupGloo>>(store, group, membership.rank,
                                                                            membership.size);
  } catch (const c10::Error& error) {
    throw Error("gang rank " + std::to_string(membership.rank) + " of " + std::to_string(membership.size) +
                ": forming the " + backend + " process group failed: " + error.what_without_backtrace());
  }
}

}  // namespace popsweep::train
