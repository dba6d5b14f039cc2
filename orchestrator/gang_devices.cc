#include "orchestrator/gang_devices.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "common/error.h"

namespace popsweep::orchestrator {
namespace {

bool on_gpu(const std::string& device) { return device.rfind("cuda", 0) == 0; }

int gpu_index(const std::string& device) {
  const size_t colon = device.find(':');
  return colon == std::string::npos ? 0 : std::stoi(device.substr(colon + 1));
}

std::string members_text(int count) { return count == 1 ? "1 member" : fmt::format("{} members", count); }

}  // namespace

std::vector<std::string> assign_gang_devices(const std::string& requested,
                                             const std::vector<GangSeat>& members) {
  std::map<std::string, int> on_node;  // gang members per node, for the messages
  for (const GangSeat& seat : members) {
    if (on_gpu(seat.device)) ++on_node[seat.node];
  }
  const bool pinned = requested.rfind("cuda:", 0) == 0;
  std::map<std::string, std::set<int>> taken;  // per node: GPUs members hold
  std::vector<std::string> devices;
  for (const GangSeat& seat : members) {
    if (!on_gpu(seat.device)) {
      devices.push_back(seat.device);
      continue;
    }
    std::set<int>& held = taken[seat.node];
    const int own = gpu_index(seat.device);
    int chosen = own;
    if (held.count(own)) {
      if (pinned) {
        throw ConfigError(fmt::format(
            "run.device is {}: every worker on {} computes on that one GPU, but a gang of {} ranks has {} "
            "there and the members of a gang never share a GPU (NCCL refuses it); use run.device: cuda or "
            "auto, which give each member its own GPU",
            requested, seat.node, members.size(), members_text(on_node[seat.node])));
      }
      chosen = -1;
      for (int gpu = 0; gpu < seat.visible_gpus; ++gpu) {
        if (!held.count(gpu)) {
          chosen = gpu;
          break;
        }
      }
      if (chosen < 0) {
        throw ConfigError(fmt::format(
            "a gang of {} ranks (run.ranks_per_job) has {} on {}, which shows {} GPU(s): the members of a "
            "gang never share a GPU (NCCL refuses it); lower run.ranks_per_job to the GPUs of a node, make "
            "more GPUs visible, or use run.device: cpu",
            members.size(), members_text(on_node[seat.node]), seat.node, seat.visible_gpus));
      }
    }
    held.insert(chosen);
    devices.push_back("cuda:" + std::to_string(chosen));
  }
  return devices;
}

void check_pool_gang_devices(const std::string& requested, int ranks_per_job, int visible_gpus,
                             const std::vector<std::string>& pool_devices) {
  if (ranks_per_job <= 1 || pool_devices.empty()) return;
  // The worst case: the gang lands on workers that share one GPU. Any
  // placement that fails fails here too (one node, the same GPUs).
  std::vector<GangSeat> seats;
  const std::string& first = pool_devices.front();
  for (int r = 0; r < ranks_per_job; ++r) seats.push_back({"this machine", first, visible_gpus});
  assign_gang_devices(requested, seats);
}

}  // namespace popsweep::orchestrator
