// Joining a data-parallel gang (issue 20): the ranks of one training job
// form a c10d process group, Gloo on the CPU and NCCL between GPUs (in a
// CUDA build of LibTorch that has it), behind train::Collective.
//
// Addresses. In a local pool every rank is on this machine (127.0.0.1);
// under MPI the ranks may be on several nodes: the others reach rank 0's
// store at rank 0's address, and each rank's Gloo device binds to its own
// (the peers learn it through the store).
//
// Rendezvous. Rank 0 starts a TCPStore on a port its operating system picks
// (port 0), then says which through `announce`; the coordinator hands that
// address to the other ranks with the job. A port chosen by the kernel at
// bind time cannot be taken by someone else between choosing and binding,
// as a port picked in advance by the coordinator could.
//
// Timeout. Every store wait and every collective gives up after `timeout`,
// so a rank whose peer died in an all-reduce fails its job instead of waiting
// for ever (the coordinator retries the job on the whole gang).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "worker/train/collective.h"

namespace popsweep::train {

struct GangMembership {
  int rank = 0;
  int size = 1;
  std::string host = "127.0.0.1";  // rank 0's address: where its store listens
  std::string bind;                // this rank's own address, for its Gloo device (empty: host, one machine)
  std::uint16_t port = 0;          // rank 0's store; ignored on rank 0
  std::chrono::milliseconds timeout{std::chrono::minutes(2)};
  std::string backend = "auto";  // auto, gloo or nccl (run.collective_backend)
  std::string device = "cpu";    // the worker's device: auto picks NCCL on cuda
};

// The backend `membership` resolves to ("gloo" or "nccl"); ConfigError for
// nccl where this LibTorch has no NCCL, or on the CPU.
std::string collective_backend_for(const GangMembership& membership);

// Forms the group; blocks until every rank has joined or the timeout ends
// (then throws). `announce(port)` is called on rank 0 once its store listens.
std::unique_ptr<Collective> join_gang(const GangMembership& membership,
                                      const std::function<void(std::uint16_t port)>& announce);

}  // namespace popsweep::train
